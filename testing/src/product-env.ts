import { join } from 'node:path';

/** Where one instance of the product listens, all on 127.0.0.1. */
export interface ProductPorts {
  http: number;
  /** The embedded FerretDB. */
  db: number;
  /** The embedded MailDev: SMTP, and its web inbox with the REST API. */
  smtp: number;
  mailWeb: number;
  /** The mediasoup worker's WebRtcServer (UDP and TCP). */
  rtc: number;
  /** The phone gateway (UDP and TCP); 0 turns it off. */
  sip: number;
}

/** MEDIASOUP_WORKER_BIN, else the worker sfu/scripts/build-worker.sh links into mediasoup's package. */
export function mediasoupWorkerBin(repoRoot: string): string {
  return process.env.MEDIASOUP_WORKER_BIN ?? join(repoRoot, 'node_modules/mediasoup/worker/out/Release/mediasoup-worker');
}

/**
 * The environment of `node server/dist/main.js` started as a user starts it: no MONGODB_URI and
 * no SMTP_URL, so the server runs its embedded FerretDB and MailDev with their data in `dataDir`;
 * everything on 127.0.0.1 at `ports`. Callers add their own limits and log level.
 */
export function productEnv({ ports, dataDir, workerBin }: { ports: ProductPorts; dataDir: string; workerBin: string }): Record<string, string> {
  return {
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    PORT: String(ports.http),
    PUBLIC_URL: `http://127.0.0.1:${ports.http}`,
    DATA_DIR: dataDir,
    EMBEDDED_DB_PORT: String(ports.db),
    MAIL_CATCHER_SMTP_PORT: String(ports.smtp),
    MAIL_CATCHER_WEB_PORT: String(ports.mailWeb),
    RTC_LISTEN_IP: '127.0.0.1',
    RTC_PORT: String(ports.rtc),
    SIP_PORT: String(ports.sip),
    MEDIASOUP_WORKER_BIN: workerBin,
    // The embedded services must never be replaced by a developer's real ones.
    MONGODB_URI: '',
    SMTP_URL: '',
  };
}
