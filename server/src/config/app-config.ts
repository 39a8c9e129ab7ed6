import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { ferretdbBinaryPath } from '../database/embedded-database';
import { serverEnvSchema, type ServerEnv } from './server-env';

/** The repository root: server/dist/config -> ../../.. */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..');

export interface AppConfig {
  env: ServerEnv['NODE_ENV'];
  host: string;
  port: number;
  publicUrl: string;
  dataDir: string;
  logLevel: ServerEnv['LOG_LEVEL'];
  trustProxy: ServerEnv['TRUST_PROXY'];
  database: { uri?: string; embeddedPort: number; ferretdbBinary: string; operationTimeoutMs: number };
  mail: {
    smtpUrl?: string;
    from: string;
    catcherSmtpPort: number;
    catcherWebPort: number;
    outbox: { pollMs: number; retryMinMs: number; retryMaxMs: number; giveUpAfterMs: number };
  };
  secrets: { session: string; pinEncryptionKey: Buffer };
  session: { maxAgeMs: number; sweepMs: number; secureCookie: boolean };
  emailVerificationTtlMs: number;
  passwordReset: { ttlMs: number; perIpPerHour: number; perAccountPerHour: number };
  limits: {
    loginFailuresPerAccount: number;
    loginFailuresPerIp: number;
    loginLockoutMs: number;
    registrationsPerIpPerHour: number;
  };
  pinLimits: { failuresPerSource: number; lockoutMs: number; roomBackoffAfter: number };
  conference: { tokenTtlMs: number; moderatorGraceMs: number; socketEventsPerSecond: number; socketEventBurst: number; videoLastN: number };
  media: { workers?: number; listenIp: string; announcedIp?: string; rtcPort: number; routerMaxConsumers: number };
  /** Phone dial-in; `port` 0 turns the SIP gateway off. */
  sip: {
    port: number;
    host: string;
    publicHost: string;
    rtpHost: string;
    /** Where the callers' RTP ports come from; null: any free port. */
    rtpPorts: { min: number; max: number } | null;
    dialInNumbers: string[];
    maxCalls: number;
    /** New calls per minute one caller id (the unverified From number) and one network source may place. */
    callLimits: { perCallerPerMinute: number; perSourcePerMinute: number };
    /** Calls one network source may hold at once (trusted trunks excepted). */
    maxCallsPerSource: number;
    /** Addresses and CIDR subnets of SIP trunks whose caller identity is trusted. */
    trustedTrunks: string[];
    mediaTimeoutMs: number;
    /** Worker threads for the rooms' phone mixes; 0 mixes on the main thread. */
    mixThreads: number;
    /** Several nodes: how long a stopping node keeps its calls up (0 with one node: there is nowhere for them to go). */
    drainMs: number;
    /** Server / User-Agent header value; empty sends none. */
    serverName: string;
    dropScanners: boolean;
  };
  /** Several nodes on one Redis; null runs every conference in this process. */
  /** `nodeOrigins`: where pages may open sockets besides their own origin (the other nodes). */
  cluster: {
    redisUrl: string;
    nodeId: string;
    nodeUrl: string;
    nodeOrigins: string[];
    leaseMs: number;
    /** Where other nodes send linked callers' audio to this node's plain transports; null: the transports' own address. */
    mediaHost: string | null;
  } | null;
  /** TURN with time-limited credentials (coturn's use-auth-secret); null when not configured. */
  turn: { urls: string[]; secret: string; ttlMs: number } | null;
  clientDir: string;
}

export class ConfigError extends Error {}

/** The file stands in for SESSION_SECRET and PIN_ENCRYPTION_KEY, so their rules apply to it. */
const secretsFileSchema = z.object({
  session: serverEnvSchema.shape.SESSION_SECRET.nonoptional('missing'),
  pinEncryptionKey: serverEnvSchema.shape.PIN_ENCRYPTION_KEY.nonoptional('missing'),
});

function readSecretsFile(file: string): z.infer<typeof secretsFileSchema> {
  let problems: string[];
  try {
    const parsed = secretsFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (parsed.success) return parsed.data;
    problems = parsed.error.issues.map((issue) => [...issue.path, issue.message].join(': '));
  } catch (error) {
    problems = [(error as Error).message];
  }
  // Deleting the file would silently make every stored participant PIN unreadable: the operator decides.
  throw new ConfigError(`Invalid configuration:\n${problems.map((problem) => `  ${file}: ${problem}`).join('\n')}`);
}

/**
 * Development keeps generated secrets in the data folder so sessions and stored participant PINs
 * survive a restart; production must bring its own, because a key that lives beside the data
 * protects nothing.
 */
function developmentSecrets(dataDir: string): { session: string; pinEncryptionKey: string } {
  const file = join(dataDir, 'secrets.json');
  if (existsSync(file)) return readSecretsFile(file);
  const secrets = {
    session: randomBytes(32).toString('base64'),
    pinEncryptionKey: randomBytes(32).toString('base64'),
  };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 });
  return secrets;
}

export function loadConfig(environment: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = serverEnvSchema.safeParse(environment);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const env = parsed.data;
  const production = env.NODE_ENV === 'production';
  if (production) {
    const missing = (['SESSION_SECRET', 'PIN_ENCRYPTION_KEY', 'PUBLIC_URL'] as const).filter((name) => !env[name]);
    if (missing.length) {
      throw new ConfigError(`Invalid configuration:\n${missing.map((name) => `  ${name}: required in production`).join('\n')}`);
    }
  }
  if (env.TURN_URLS && !env.TURN_SECRET) {
    throw new ConfigError('Invalid configuration:\n  TURN_SECRET: required when TURN_URLS is set');
  }
  const sipPublicHost = env.SIP_PUBLIC_HOST ?? env.SIP_HOST;
  if (env.SIP_PORT > 0 && (sipPublicHost === '0.0.0.0' || sipPublicHost === '::')) {
    throw new ConfigError('Invalid configuration:\n  SIP_PUBLIC_HOST: required when SIP_HOST binds all addresses (phones must be told where to send)');
  }
  if (env.SIP_MAX_CALLS_PER_SOURCE !== undefined && env.SIP_MAX_CALLS > 1 && env.SIP_MAX_CALLS_PER_SOURCE >= env.SIP_MAX_CALLS) {
    throw new ConfigError(
      'Invalid configuration:\n  SIP_MAX_CALLS_PER_SOURCE: must be below SIP_MAX_CALLS, or one source can take every phone line (trusted trunks are exempt anyway)',
    );
  }
  if (env.REDIS_URL) {
    // Every node must verify the others' join tokens and read the participant PINs they stored.
    const missing = (['SESSION_SECRET', 'PIN_ENCRYPTION_KEY', 'NODE_PUBLIC_URL', 'NODE_ORIGINS', 'MONGODB_URI'] as const).filter((name) => !env[name]);
    if (missing.length) {
      throw new ConfigError(`Invalid configuration:\n${missing.map((name) => `  ${name}: required when REDIS_URL is set (several nodes)`).join('\n')}`);
    }
  }
  const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, '');
  const secureCookie = env.COOKIE_SECURE ?? production;
  if (production && secureCookie && publicUrl.startsWith('http:')) {
    throw new ConfigError(
      'Invalid configuration:\n  COOKIE_SECURE: the session cookie is HTTPS-only but PUBLIC_URL is http://, so no login would ever stick; use an https:// PUBLIC_URL or set COOKIE_SECURE=false',
    );
  }
  const dataDir = isAbsolute(env.DATA_DIR) ? env.DATA_DIR : resolve(REPO_ROOT, env.DATA_DIR);
  const generated = production ? undefined : developmentSecrets(dataDir);
  const sessionSecret = env.SESSION_SECRET ?? generated!.session;
  const pinKey = env.PIN_ENCRYPTION_KEY ?? generated!.pinEncryptionKey;

  return {
    env: env.NODE_ENV,
    host: env.HOST,
    port: env.PORT,
    publicUrl,
    dataDir,
    logLevel: env.LOG_LEVEL,
    trustProxy: env.TRUST_PROXY,
    database: {
      uri: env.MONGODB_URI,
      embeddedPort: env.EMBEDDED_DB_PORT,
      ferretdbBinary: env.FERRETDB_BIN ?? ferretdbBinaryPath(REPO_ROOT),
      operationTimeoutMs: env.DB_OPERATION_TIMEOUT_MS,
    },
    mail: {
      smtpUrl: env.SMTP_URL,
      from: env.MAIL_FROM,
      catcherSmtpPort: env.MAIL_CATCHER_SMTP_PORT,
      catcherWebPort: env.MAIL_CATCHER_WEB_PORT,
      outbox: {
        pollMs: env.MAIL_OUTBOX_POLL_SECONDS * 1000,
        retryMinMs: env.MAIL_RETRY_MIN_SECONDS * 1000,
        retryMaxMs: env.MAIL_RETRY_MAX_SECONDS * 1000,
        giveUpAfterMs: env.MAIL_GIVE_UP_HOURS * 3_600_000,
      },
    },
    secrets: { session: sessionSecret, pinEncryptionKey: Buffer.from(pinKey, 'base64') },
    session: {
      maxAgeMs: env.SESSION_MAX_AGE_HOURS * 3_600_000,
      sweepMs: env.SESSION_SWEEP_SECONDS * 1000,
      secureCookie,
    },
    emailVerificationTtlMs: env.EMAIL_VERIFICATION_TTL_HOURS * 3_600_000,
    passwordReset: {
      ttlMs: env.PASSWORD_RESET_TTL_MINUTES * 60_000,
      perIpPerHour: env.PASSWORD_RESETS_PER_IP_PER_HOUR,
      perAccountPerHour: env.PASSWORD_RESETS_PER_ACCOUNT_PER_HOUR,
    },
    limits: {
      loginFailuresPerAccount: env.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      loginFailuresPerIp: env.LOGIN_MAX_FAILURES_PER_IP,
      loginLockoutMs: env.LOGIN_LOCKOUT_MINUTES * 60_000,
      registrationsPerIpPerHour: env.REGISTRATIONS_PER_IP_PER_HOUR,
    },
    pinLimits: {
      failuresPerSource: env.PIN_MAX_FAILURES_PER_SOURCE,
      lockoutMs: env.PIN_LOCKOUT_MINUTES * 60_000,
      roomBackoffAfter: env.PIN_ROOM_BACKOFF_AFTER,
    },
    conference: {
      tokenTtlMs: env.CONFERENCE_TOKEN_TTL_MINUTES * 60_000,
      moderatorGraceMs: env.MODERATOR_GRACE_SECONDS * 1000,
      socketEventsPerSecond: env.SOCKET_EVENTS_PER_SECOND,
      socketEventBurst: env.SOCKET_EVENT_BURST,
      videoLastN: env.VIDEO_LAST_N,
    },
    media: {
      workers: env.MEDIA_WORKERS,
      listenIp: env.RTC_LISTEN_IP,
      announcedIp: env.RTC_ANNOUNCED_IP,
      rtcPort: env.RTC_PORT,
      routerMaxConsumers: env.MEDIA_ROUTER_MAX_CONSUMERS,
    },
    sip: {
      port: env.SIP_PORT,
      host: env.SIP_HOST,
      publicHost: sipPublicHost,
      rtpHost: env.SIP_RTP_HOST,
      rtpPorts: env.SIP_RTP_PORTS ?? null,
      dialInNumbers: env.DIAL_IN_NUMBERS ?? [],
      maxCalls: env.SIP_MAX_CALLS,
      callLimits: { perCallerPerMinute: env.SIP_CALLS_PER_CALLER_PER_MINUTE, perSourcePerMinute: env.SIP_CALLS_PER_SOURCE_PER_MINUTE },
      maxCallsPerSource: env.SIP_MAX_CALLS_PER_SOURCE ?? Math.max(1, Math.min(10, env.SIP_MAX_CALLS - 1)),
      trustedTrunks: env.SIP_TRUSTED_TRUNKS ?? [],
      mediaTimeoutMs: env.SIP_MEDIA_TIMEOUT_SECONDS * 1000,
      mixThreads: env.PHONE_MIX_THREADS,
      drainMs: env.REDIS_URL ? env.SIP_DRAIN_SECONDS * 1000 : 0,
      serverName: env.SIP_SERVER_NAME,
      dropScanners: env.SIP_DROP_SCANNERS,
    },
    cluster: env.REDIS_URL
      ? {
          redisUrl: env.REDIS_URL,
          nodeId: env.NODE_ID ?? `${hostname()}-${process.pid}`,
          nodeUrl: env.NODE_PUBLIC_URL!.replace(/\/$/, ''),
          nodeOrigins: env.NODE_ORIGINS!,
          leaseMs: env.ROOM_LEASE_SECONDS * 1000,
          mediaHost: env.NODE_MEDIA_HOST ?? null,
        }
      : null,
    turn: env.TURN_URLS && env.TURN_SECRET ? { urls: env.TURN_URLS, secret: env.TURN_SECRET, ttlMs: env.TURN_CREDENTIAL_TTL_MINUTES * 60_000 } : null,
    clientDir: join(REPO_ROOT, 'client', 'build'),
  };
}

/** LOG_LEVEL names the least important level still printed. */
export function loggerLevels(level: AppConfig['logLevel']) {
  const levels = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
  return levels.slice(0, levels.indexOf(level) + 1);
}
