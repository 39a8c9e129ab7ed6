import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65535);
const positiveInt = z.coerce.number().int().min(1);
const flag = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');
const emptyAsUnset = (value: unknown) => (value === '' ? undefined : value);

/** Express's names for address ranges, usable in a TRUST_PROXY list. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'] as const;
const proxyAddress = z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6(), z.enum(PROXY_RANGE_NAMES)]);

/**
 * Which proxies may report the client's address (X-Forwarded-For): none, the nearest n hops, or
 * the listed addresses, subnets and range names. Plain `true` is refused: Express would then take
 * the left-most entry, which the client writes itself, and per-address limits would not hold.
 */
const trustProxy = z.string().transform((value, ctx): false | number | string[] => {
  const setting = value.trim();
  if (setting === 'false') return false;
  if (/^\d+$/.test(setting)) return Number(setting);
  if (setting === 'true') {
    ctx.addIssue({
      code: 'custom',
      message: 'true would trust addresses the client makes up; give the number of proxies in front (e.g. 1) or their addresses',
    });
    return z.NEVER;
  }
  const entries = setting.split(',').map((entry) => entry.trim());
  const invalid = entries.filter((entry) => !proxyAddress.safeParse(entry).success);
  if (invalid.length) {
    ctx.addIssue({ code: 'custom', message: `not a hop count, address, subnet or ${PROXY_RANGE_NAMES.join('/')}: ${invalid.join(', ')}` });
    return z.NEVER;
  }
  return entries;
});

/**
 * The server's environment. Everything has a default that makes `npm start` work on a fresh
 * machine, except the secrets, which production must set (see README, "Configuration").
 */
export const serverEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(3000),
  PUBLIC_URL: z.preprocess(emptyAsUnset, z.url().optional()),
  DATA_DIR: z.string().min(1).default('data'),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
  TRUST_PROXY: z.preprocess(emptyAsUnset, trustProxy.default(false)),

  MONGODB_URI: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
      .optional(),
  ),
  EMBEDDED_DB_PORT: port.default(27018),
  FERRETDB_BIN: z.preprocess(emptyAsUnset, z.string().optional()),
  /** How long one database operation may take before the request answers 503 instead of hanging. */
  DB_OPERATION_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2000),

  SMTP_URL: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
      .optional(),
  ),
  MAIL_FROM: z.string().min(3).default('Konferenz <no-reply@konferenz.localhost>'),
  MAIL_CATCHER_SMTP_PORT: port.default(1025),
  MAIL_CATCHER_WEB_PORT: port.default(1080),
  /** The persisted outbox: how often it is polled and how undeliverable mail is retried (doubling from min to max). */
  MAIL_OUTBOX_POLL_SECONDS: positiveInt.default(5),
  MAIL_RETRY_MIN_SECONDS: positiveInt.default(5),
  MAIL_RETRY_MAX_SECONDS: positiveInt.default(1800),
  MAIL_GIVE_UP_HOURS: positiveInt.default(48),

  SESSION_SECRET: z.preprocess(emptyAsUnset, z.string().min(32, 'must be at least 32 characters').optional()),
  PIN_ENCRYPTION_KEY: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .regex(/^[A-Za-z0-9+/]{43}=$/, 'must be 32 random bytes in base64 (openssl rand -base64 32)')
      .optional(),
  ),
  SESSION_MAX_AGE_HOURS: positiveInt.default(12),
  /** How often expired sessions are deleted (the embedded FerretDB has no TTL indexes). */
  SESSION_SWEEP_SECONDS: positiveInt.default(600),
  COOKIE_SECURE: z.preprocess(emptyAsUnset, flag.optional()),

  EMAIL_VERIFICATION_TTL_HOURS: positiveInt.default(48),
  PASSWORD_RESET_TTL_MINUTES: positiveInt.default(30),
  PASSWORD_RESETS_PER_IP_PER_HOUR: positiveInt.default(10),
  PASSWORD_RESETS_PER_ACCOUNT_PER_HOUR: positiveInt.default(3),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: positiveInt.default(5),
  LOGIN_MAX_FAILURES_PER_IP: positiveInt.default(20),
  LOGIN_LOCKOUT_MINUTES: positiveInt.default(15),
  REGISTRATIONS_PER_IP_PER_HOUR: positiveInt.default(10),

  PIN_MAX_FAILURES_PER_SOURCE: positiveInt.default(5),
  PIN_LOCKOUT_MINUTES: positiveInt.default(15),
  PIN_ROOM_BACKOFF_AFTER: positiveInt.default(10),
  CONFERENCE_TOKEN_TTL_MINUTES: positiveInt.default(10),
  MODERATOR_GRACE_SECONDS: z.coerce.number().int().min(0).default(30),
  /** Per conference socket: events per second on average, and at once (a join into a full room resumes ~2 consumers per participant). */
  SOCKET_EVENTS_PER_SECOND: positiveInt.default(20),
  SOCKET_EVENT_BURST: positiveInt.default(200),
  /** Others' cameras a browser shows at once: the last speakers; the rest are name tiles, their video not forwarded. */
  VIDEO_LAST_N: positiveInt.max(100).default(12),

  MEDIA_WORKERS: z.preprocess(emptyAsUnset, positiveInt.max(64).optional()),
  /**
   * Consumers one router of a room carries before the room's new listeners
   * receive on another worker (mediasoup's pipeToRouter). About 600 audio or
   * 300 video consumers fill one worker core here (bench:worker).
   */
  MEDIA_ROUTER_MAX_CONSUMERS: positiveInt.max(100_000).default(400),
  RTC_LISTEN_IP: z.ipv4().or(z.ipv6()).default('127.0.0.1'),
  RTC_ANNOUNCED_IP: z.preprocess(emptyAsUnset, z.string().min(1).optional()),
  RTC_PORT: port.default(40000),

  /** Phone dial-in (SIP over UDP and TCP); 0 turns the gateway off. */
  SIP_PORT: z.coerce.number().int().min(0).max(65535).default(5060),
  SIP_HOST: z.ipv4().or(z.ipv6()).default('127.0.0.1'),
  SIP_PUBLIC_HOST: z.preprocess(emptyAsUnset, z.string().min(1).optional()),
  SIP_RTP_HOST: z.ipv4().default('127.0.0.1'),
  /** "40200-40299": the callers' RTP ports come from this range (a firewall or container publishes it); unset, any free port. */
  SIP_RTP_PORTS: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .regex(/^\s*\d+\s*-\s*\d+\s*$/, 'must be a range such as 40200-40299')
      .transform((range) => {
        const [min, max] = range.split('-').map((bound) => Number(bound.trim())) as [number, number];
        return { min, max };
      })
      .refine(({ min, max }) => min >= 1024 && max <= 65535 && max - min >= 1, 'must lie within 1024-65535 and hold at least one even port')
      .optional(),
  ),
  SIP_MAX_CALLS: positiveInt.max(10_000).default(100),
  SIP_CALLS_PER_CALLER_PER_MINUTE: positiveInt.default(10),
  SIP_CALLS_PER_SOURCE_PER_MINUTE: positiveInt.default(120),
  /** Calls one network source (IPv4 address, IPv6 /64) may hold at once; below SIP_MAX_CALLS so one source cannot take every line (default 10, or SIP_MAX_CALLS − 1 when that is lower). */
  SIP_MAX_CALLS_PER_SOURCE: z.preprocess(emptyAsUnset, positiveInt.optional()),
  /** SIP trunks (addresses or subnets) that bring many callers from one address: exempt from the per-source limits, their caller identity (P-Asserted-Identity, else From) is trusted instead. */
  SIP_TRUSTED_TRUNKS: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .transform((value) =>
        value
          .split(',')
          .map((entry) => entry.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()], { error: 'each entry must be an IPv4/IPv6 address or subnet (CIDR)' })))
      .optional(),
  ),
  /** A call without any RTP (or RTCP) from the caller for this long is hung up; calls on hold are exempt. */
  SIP_MEDIA_TIMEOUT_SECONDS: positiveInt.max(3600).default(30),
  /** Worker threads the rooms' phone mixes run on (0: on the main thread, beside signalling). */
  PHONE_MIX_THREADS: z.coerce.number().int().min(0).max(64).default(1),
  /** The Server / User-Agent header the gateway sends; empty sends none. */
  SIP_SERVER_NAME: z
    .string()
    .max(64)
    .regex(/^[\x21-\x7e]*(?: [\x21-\x7e]+)*$/, 'printable ASCII')
    .default('SIP Gateway'),
  /** Requests from known SIP scanners (friendly-scanner, sipvicious, …) are dropped without an answer. */
  SIP_DROP_SCANNERS: flag.default(true),
  DIAL_IN_NUMBERS: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .transform((value) =>
        value
          .split(',')
          .map((number) => number.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.string().regex(/^\+?[0-9][0-9 ()/-]{2,30}$/, 'each entry must be a phone number like +49 30 1234567')))
      .optional(),
  ),

  /** Several nodes: the Redis that says which node runs each live conference; unset, this process runs them all. */
  REDIS_URL: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
      .optional(),
  ),
  /** This node's name in the cluster (unique per running node; default: host name and process id). */
  NODE_ID: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dot, underscore and dash, at most 64')
      .optional(),
  ),
  /** Where browsers reach this very node (not the load balancer): its conferences' sockets are sent there. */
  NODE_PUBLIC_URL: z.preprocess(emptyAsUnset, z.url().optional()),
  /**
   * Where the other nodes send the audio of the callers they answered for this node's conferences
   * (a host name or address of this node on the nodes' own network); default: the media address
   * (RTC_ANNOUNCED_IP, else RTC_LISTEN_IP).
   */
  NODE_MEDIA_HOST: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .regex(/^[A-Za-z0-9.:-]{1,253}$/, 'a host name or an IP address')
      .optional(),
  ),
  /** Where the nodes are reached, for the pages' content security policy: origins, or host patterns like https://*.konferenz.example.org. */
  NODE_ORIGINS: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .transform((value) =>
        value
          .split(',')
          .map((entry) => entry.trim().replace(/\/$/, ''))
          .filter(Boolean),
      )
      .pipe(
        z
          .array(
            z
              .string()
              .regex(
                /^https?:\/\/(\*\.)?[A-Za-z0-9.-]+(:(\d{1,5}|\*))?$/,
                'each entry must be an origin such as https://node-1.example.org or https://*.example.org',
              ),
          )
          .min(1),
      )
      .optional(),
  ),
  /** How long a node's claim on a live conference lasts without renewal: a dead node's rooms move after this long. */
  ROOM_LEASE_SECONDS: z.coerce.number().int().min(1).max(300).default(10),
  /** Several nodes: at a stop, how long the calls this node answered stay up (bridged to wherever their conferences moved) before they are hung up. */
  SIP_DRAIN_SECONDS: z.coerce.number().int().min(0).max(86_400).default(600),

  TURN_URLS: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .transform((value) =>
        value
          .split(',')
          .map((url) => url.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.string().regex(/^turns?:/, 'each URL must start with turn: or turns:')).min(1))
      .optional(),
  ),
  TURN_SECRET: z.preprocess(emptyAsUnset, z.string().min(16, 'must be at least 16 characters').optional()),
  TURN_CREDENTIAL_TTL_MINUTES: positiveInt.default(60),
});
export type ServerEnv = z.infer<typeof serverEnvSchema>;
