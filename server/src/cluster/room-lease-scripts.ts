/**
 * The room leases as Lua scripts, so each read-and-write is one atomic step in Redis: two nodes
 * claiming one room at once cannot both win. KEYS[1] is the room's owner key, KEYS[2] the
 * cluster's "since" key; ARGV[1] the claiming node's record, ARGV[2] the lease in milliseconds.
 *
 * The "since" key guards against a Redis that lost its data (restarted without persistence):
 * the owners of running conferences re-claim their rooms at their next renewal (within a third
 * of the lease), so for one lease after the data went nobody may claim a room that looks free.
 */

const NOW_MS = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** Returns {1, record} when the room is (now) ours, {0, record} when another node holds it, {-1, ''} while settling. */
export const CLAIM_ROOM = `${NOW_MS}
local owner = redis.call('GET', KEYS[1])
if owner == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {1, owner}
end
if owner then return {0, owner} end
local since = redis.call('GET', KEYS[2])
if not since then
  redis.call('SET', KEYS[2], now)
  since = now
end
if now - tonumber(since) < tonumber(ARGV[2]) then return {-1, ''} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return {1, ARGV[1]}`;

/** Returns 1 when the lease was renewed (or taken back after a data loss), 0 when another node holds the room. */
export const RENEW_ROOM = `${NOW_MS}
local owner = redis.call('GET', KEYS[1])
if owner == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if owner then return 0 end
if redis.call('EXISTS', KEYS[2]) == 0 then redis.call('SET', KEYS[2], now) end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

/** Deletes the owner key only when it is still this node's. */
export const RELEASE_ROOM = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;
