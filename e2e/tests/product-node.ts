import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { mediasoupWorkerBin } from '@konferenz/testing/product-env';
import { expect } from './conference-fixtures';

/**
 * Another server process beside the product under test, on loopback, sharing its database, mail
 * catcher and secrets: a node of several (cluster.e2e.ts) or a node configured differently
 * (large-room.e2e.ts). Each test file keeps one `ProductNodes` and stops them after each test.
 */
const REPO_ROOT = resolve(__dirname, '..', '..');

export interface ProductNode {
  name: string;
  url: string;
  process: ChildProcess;
  log: string[];
}

/** The product under test's own secrets and services (playwright.config.ts), which every node shares. */
function sharedEnvironment(): Record<string, string> {
  const secrets = JSON.parse(readFileSync(join(process.env.KONFERENZ_E2E_DATA_DIR!, 'secrets.json'), 'utf8')) as { session: string; pinEncryptionKey: string };
  return {
    MONGODB_URI: `mongodb://127.0.0.1:${process.env.E2E_DB_PORT ?? 27318}/konferenz`,
    SMTP_URL: `smtp://127.0.0.1:${process.env.E2E_MAIL_SMTP_PORT ?? 1325}`,
    SESSION_SECRET: secrets.session,
    PIN_ENCRYPTION_KEY: secrets.pinEncryptionKey,
  };
}

export class ProductNodes {
  readonly #running: ProductNode[] = [];
  readonly #dataDirs: string[] = [];

  /** Starts `server/dist/main.js` on 127.0.0.1:`port` with media on `rtcPort` and no phones; `env` adds to or overrides that. */
  async start(name: string, port: number, rtcPort: number, env: Record<string, string> = {}): Promise<ProductNode> {
    const url = `http://127.0.0.1:${port}`;
    const dataDir = mkdtempSync(join(tmpdir(), `konferenz-${name}-`));
    this.#dataDirs.push(dataDir);
    const child = spawn(process.execPath, [join(REPO_ROOT, 'server/dist/main.js')], {
      env: {
        ...process.env,
        ...sharedEnvironment(),
        NODE_ENV: 'development',
        HOST: '127.0.0.1',
        PORT: String(port),
        // Each node is also the front door of the pages it serves.
        PUBLIC_URL: url,
        DATA_DIR: dataDir,
        MEDIA_WORKERS: '1',
        RTC_LISTEN_IP: '127.0.0.1',
        RTC_PORT: String(rtcPort),
        SIP_PORT: '0',
        MEDIASOUP_WORKER_BIN: mediasoupWorkerBin(REPO_ROOT),
        LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const node: ProductNode = { name, url, process: child, log: [] };
    child.stdout!.on('data', (chunk: Buffer) => node.log.push(chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => node.log.push(chunk.toString()));
    this.#running.push(node);
    await expect
      .poll(async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.status, { message: `${name} ready:\n${node.log.join('')}`, timeout: 60_000 })
      .toBe(200);
    return node;
  }

  async stop(node: ProductNode): Promise<void> {
    this.#running.splice(this.#running.indexOf(node), 1);
    if (node.process.exitCode !== null || node.process.signalCode !== null) return;
    const exited = new Promise((done) => node.process.once('exit', done));
    node.process.kill('SIGTERM');
    await exited;
  }

  async stopAll(): Promise<void> {
    for (const node of [...this.#running]) await this.stop(node);
  }

  removeDataDirs(): void {
    for (const dir of this.#dataDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}
