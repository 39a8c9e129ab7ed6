/**
 * The attempt counters' changes as Lua scripts, so each read-and-write is one atomic step in
 * Redis, whichever node runs it. KEYS[1] is the counter, a hash: `a` attempts (failures plus
 * checks in flight), `f` failures, `w` when the window started and `l` until when the key is
 * locked (milliseconds since the epoch, 0 for none). Times come from the calling node (ARGV), as
 * with the database. Every write keeps the counter for a day past its window start, or until its
 * lock ends if that is later: what guessers create expires by itself.
 */

const HELPERS = `local function field(name) return tonumber(redis.call('HGET', KEYS[1], name) or '0') end
local function keep() redis.call('PEXPIREAT', KEYS[1], math.max(field('w') + 86400000, field('l'))) end`;

/** ARGV: now, windowMs. Returns the attempts in the window after this one. */
export const COUNT_ATTEMPT = `${HELPERS}
local now = tonumber(ARGV[1])
local attempts = 1
if field('w') > now - tonumber(ARGV[2]) then
  attempts = redis.call('HINCRBY', KEYS[1], 'a', 1)
else
  redis.call('HSET', KEYS[1], 'a', 1, 'f', 0, 'w', now, 'l', 0)
end
keep()
return attempts`;

/** ARGV: now, windowMs, maxAttempts. Returns {1} when one attempt is held, {0, failures} when the budget is full. */
export const HOLD_ATTEMPT = `${HELPERS}
local now = tonumber(ARGV[1])
if field('w') <= now - tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], 'a', 1, 'f', 0, 'w', now, 'l', 0)
  keep()
  return {1}
end
if field('a') < tonumber(ARGV[3]) then
  redis.call('HINCRBY', KEYS[1], 'a', 1)
  return {1}
end
return {0, field('f')}`;

/** ARGV: until. Locks an existing counter; a lock reaching further stays. */
export const LOCK_KEY = `${HELPERS}
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if field('l') < tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'l', ARGV[1])
  keep()
end
return 1`;

export const REFUND_ATTEMPT = `${HELPERS}
if field('a') > 0 then redis.call('HINCRBY', KEYS[1], 'a', -1) end
return 1`;

export const FAIL_ATTEMPT = `if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return redis.call('HINCRBY', KEYS[1], 'f', 1)`;

/** Returns the failures after this one, 0 when there is no counter. */
export const COUNT_FAILURE = `if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[1], 'a', 1)
return redis.call('HINCRBY', KEYS[1], 'f', 1)`;

/** ARGV: now, intervalMs, maxWaitMs. Returns how long until the booked turn starts, -1 when it is too far away. */
export const BOOK_TURN = `${HELPERS}
local now = tonumber(ARGV[1])
local freeAt = math.max(field('l'), now)
if freeAt - now > tonumber(ARGV[3]) then return -1 end
redis.call('HSET', KEYS[1], 'l', freeAt + tonumber(ARGV[2]), 'w', now)
redis.call('HINCRBY', KEYS[1], 'a', 1)
keep()
return freeAt - now`;
