import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CONFIG = join(__dirname, 'carrier-trunk.cfg');

/** Kamailio's `kamailio` binary (Debian package `kamailio`): the trunk tests need it, so its absence is an error, not a skip. */
export function requireKamailio(): void {
  try {
    execFileSync('kamailio', ['-v'], { stdio: 'ignore' });
  } catch {
    throw new Error('kamailio is not installed: apt-get install kamailio (the trunk tests route calls through it)');
  }
}

/** Where Kamailio runs: a virtual host (`@konferenz/testing/virtual-hosts`), or `loopbackHost`. */
export interface TrunkHost {
  address: string;
  spawn(command: string, args: string[], options: SpawnOptions): ChildProcess;
  command(command: string, args: string[]): [string, string[]];
}

/** Another loopback address of this namespace (127.0.0.0/8 is all ours) as the trunk's host. */
export const loopbackHost = (address: string): TrunkHost => ({
  address,
  spawn: (command, args, options) => spawn(command, args, options),
  command: (command, args) => [command, args],
});

/**
 * A carrier's trunk (carrier-trunk.cfg) on `host`, port 5060 UDP and TCP, routing every call to
 * `product` (`sip:<address>:<port>`). Resolves once it listens; `stop()` ends it.
 */
export async function startCarrierTrunk(host: TrunkHost, product: string): Promise<{ stop(): void; log(): string }> {
  const runtime = mkdtempSync(join(tmpdir(), 'konferenz-kamailio-'));
  const child: ChildProcess = host.spawn('kamailio', ['-f', CONFIG, '-DD', '-E', '-Y', runtime, '-A', `LISTEN=${host.address}`, '-A', `PRODUCT="${product}"`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const stop = () => {
    child.kill('SIGTERM');
    rmSync(runtime, { recursive: true, force: true });
  };
  const [program, args] = host.command('ss', ['-Hlnu', 'src', `${host.address}:5060`]);
  for (let tries = 0; ; tries++) {
    if (child.exitCode !== null) throw new Error(`kamailio exited ${child.exitCode}:\n${log.slice(-3000)}`);
    if (execFileSync(program, args).toString().includes(':5060')) break;
    if (tries > 100) {
      stop();
      throw new Error(`kamailio did not listen on ${host.address}:5060:\n${log.slice(-3000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { stop, log: () => log };
}
