import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';

export const SCENARIOS = join(__dirname, '..', 'scenarios');

/** The phone tests need sipp (Debian package sip-tester); CI installs it, so its absence is an error, not a skip. */
export function requireSipp(): void {
  const probe = spawnSync('sipp', ['-v'], { encoding: 'utf8' });
  if (probe.error || !/SIPp v3/.test(`${probe.stdout}${probe.stderr}`)) {
    throw new Error('sipp is not installed: apt-get install sip-tester (the SIP tests drive the gateway with it)');
  }
}

export interface SippRun {
  code: number | null;
  output: string;
  errors: string;
  messages: string;
}

export interface SippOptions {
  /** A scenario file in test/sip/scenarios (or an absolute path), or a built-in one as `builtin:uac`. */
  scenario: string;
  port: number;
  transport?: 'udp' | 'tcp';
  /** Request-URI user (-s): the test gateway reads it to decide how to treat the call. */
  service?: string;
  calls?: number;
  /** Extra sipp arguments. */
  args?: string[];
  timeoutSeconds?: number;
  /** The caller's address (SIP and RTP): another 127.0.0.0/8 address is another network source. Default 127.0.0.1. */
  localAddress?: string;
  /** Where sipp sends (a proxy in front of the gateway): default 127.0.0.1:`port`. */
  remoteAddress?: string;
  /** Runs sipp on another network namespace (a virtual host of `@konferenz/testing/virtual-hosts`). */
  host?: { command(command: string, args: string[]): [string, string[]] };
}

/**
 * Runs one sipp client against the gateway on 127.0.0.1 and waits for it. sipp's exit code is 0
 * when every call followed the scenario; its message trace and unexpected-message log are kept
 * for the assertion messages.
 */
export async function runSipp(options: SippOptions): Promise<SippRun> {
  const dir = mkdtempSync(join(tmpdir(), 'konferenz-sipp-'));
  const scenario = options.scenario.startsWith('builtin:')
    ? ['-sn', options.scenario.slice('builtin:'.length)]
    : ['-sf', isAbsolute(options.scenario) ? options.scenario : join(SCENARIOS, options.scenario)];
  const args = [
    `${options.remoteAddress ?? '127.0.0.1'}:${options.port}`,
    ...scenario,
    '-i',
    options.localAddress ?? '127.0.0.1',
    '-p',
    '0',
    '-t',
    options.transport === 'tcp' ? 't1' : 'u1',
    '-s',
    options.service ?? 'conference',
    '-m',
    String(options.calls ?? 1),
    '-l',
    String(options.calls ?? 1),
    '-nostdin',
    '-timeout',
    `${options.timeoutSeconds ?? 15}s`,
    '-timeout_error',
    '-trace_msg',
    '-trace_err',
    ...(options.args ?? []),
  ];
  const [program, programArgs] = options.host ? options.host.command('sipp', args) : ['sipp', args];
  const child = spawn(program, programArgs, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const read = (suffix: string) =>
    readdirSync(dir)
      .filter((file) => file.endsWith(suffix))
      .map((file) => readFileSync(join(dir, file), 'utf8'))
      .join('\n');
  const run = { code, output: output.slice(-4000), errors: read('_errors.log'), messages: read('_messages.log') };
  rmSync(dir, { recursive: true, force: true });
  return run;
}

/** A readable failure message: the tail of sipp's screen, its unexpected messages and the trace. */
export function describe(run: SippRun): string {
  return `sipp exited ${run.code}\n--- errors ---\n${run.errors.slice(-3000)}\n--- messages ---\n${run.messages.slice(-6000)}`;
}
