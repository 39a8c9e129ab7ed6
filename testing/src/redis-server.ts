/** A real Redis (Debian's redis-server) of a test's own: started, stopped and killed like production would see it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';

async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface TestRedisOptions {
  /** The address it listens on (default 127.0.0.1) and the port (default a free one). */
  host?: string;
  port?: number;
  /** How to run a command where Redis should run (a virtual host's `command`); default here. */
  launch?: (command: string, args: string[]) => [string, string[]];
}

/**
 * One redis-server on a loopback port (or a virtual host's address), without persistence (a
 * restart comes back empty, the case the product must survive). `stop()` and `start()` again keep
 * the port, so clients reconnect.
 */
export class TestRedis {
  readonly port: number;
  readonly host: string;
  readonly #launch: (command: string, args: string[]) => [string, string[]];
  #process: ChildProcess | null = null;

  // No parameter property: the benchmarks import this file with Node's type stripping.
  private constructor(host: string, port: number, launch: (command: string, args: string[]) => [string, string[]]) {
    this.host = host;
    this.port = port;
    this.#launch = launch;
  }

  static async start(options: TestRedisOptions = {}): Promise<TestRedis> {
    const redis = new TestRedis(
      options.host ?? '127.0.0.1',
      options.port ?? (await freeLoopbackPort()),
      options.launch ?? ((command, args) => [command, args]),
    );
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://${this.host}:${this.port}`;
  }

  get pid(): number | undefined {
    return this.#process?.pid;
  }

  /** Starts (again) on the same port; resolves once Redis accepts connections. */
  async start(): Promise<void> {
    if (this.#process) throw new Error('redis-server is already running');
    // Protected mode would refuse every client but loopback ones, also on a test's own virtual hosts.
    const [command, args] = this.#launch('redis-server', [
      ...['--port', String(this.port), '--bind', this.host, '--protected-mode', this.host === '127.0.0.1' ? 'yes' : 'no'],
      ...['--save', '', '--appendonly', 'no', '--loglevel', 'warning'],
    ]);
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#process = child;
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 10_000;
    while (!(await this.#answersPing())) {
      if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}): ${output}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not answer PING within 10 s: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Redis speaks plain text on its port: PING is answered +PONG once it accepts commands. */
  #answersPing(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = connect(this.port, this.host);
      let reply = '';
      const done = (ok: boolean) => {
        socket.destroy();
        resolve(ok);
      };
      socket.setTimeout(1_000, () => done(false));
      socket.once('error', () => done(false));
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.on('data', (chunk) => {
        reply += chunk.toString();
        if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
      });
    });
  }

  /** Stops the process with `signal` (SIGTERM: a clean stop, SIGKILL: a crash) and waits for it to go. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.#process;
    if (!child) return;
    this.#process = null;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
}
