import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freeSipPort } from '@konferenz/testing/free-sip-port';
import { readWav, type Recording } from '@konferenz/testing/wav';
import type { InteropCell } from '../interop-cells';
import { waitFor } from './client-process';
import type { DialTarget, InteropCall, InteropClient } from './interop-client';

const MODULE_PATH = ['/usr/lib/baresip/modules', '/usr/lib/x86_64-linux-gnu/baresip/modules'].find((dir) => existsSync(dir)) ?? '/usr/lib/baresip/modules';

/**
 * baresip 1.0 (Debian) headless, as e2e/tests/softphone.ts found it: `ausine` is the microphone
 * (48 kHz stereo only), `sndfile` records what it decodes (`dump-*-dec.wav`, 8 kHz, into a short
 * path: it builds file names in 128 bytes), `stdio` + `menu` take keys on stdin (each digit an
 * RFC 4733 event, `b` hangs up, `q` quits). One codec per call; `;transport=tcp` in the dialled
 * URI picks TCP.
 */
export const baresipClient: InteropClient = {
  echoes: false,
  async dial(cell: InteropCell, target: DialTarget, toneHz: number): Promise<InteropCall> {
    if (cell.dtmf !== 'rfc4733') throw new Error('baresip 1.0 sends keys as RFC 4733 only');
    const records = mkdtempSync(join(tmpdir(), 'kz-bs-'));
    const port = await freeSipPort();
    const codec = cell.codec === 'opus' ? 'opus' : cell.codec;
    writeFileSync(
      join(target.dir, 'config'),
      [
        'poll_method epoll',
        'net_interface 127.0.0.1',
        `sip_listen 127.0.0.1:${port}`,
        `audio_source ausine,${toneHz}`,
        'audio_player',
        'ausrc_srate 48000',
        'ausrc_channels 2',
        `module_path ${MODULE_PATH}`,
        'module stdio.so',
        codec === 'opus' ? 'module opus.so' : 'module g711.so',
        'module ausine.so',
        'module sndfile.so',
        'module_app account.so',
        'module_app menu.so',
        `snd_path ${records}`,
        '',
      ].join('\n'),
    );
    writeFileSync(join(target.dir, 'accounts'), `<sip:${target.caller}@127.0.0.1:${port}>;regint=0;audio_codecs=${codec}\n`);
    writeFileSync(join(target.dir, 'contacts'), '');
    const uri = `sip:${target.dialled}@${target.address}:${target.port}${cell.transport === 'tcp' ? ';transport=tcp' : ''}`;
    const child: ChildProcess = spawn('baresip', ['-f', target.dir, '-t', '300', '-e', `/dial ${uri}`], { cwd: target.dir, stdio: ['pipe', 'pipe', 'pipe'] });
    let log = '';
    const onData = (chunk: Buffer) => (log += chunk.toString('utf8').replace(/\x1b\[[0-9;]*m/g, ''));
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const logShows = (pattern: RegExp, timeoutMs: number) =>
      waitFor(
        () => pattern.test(log),
        timeoutMs,
        () => `baresip did not print ${pattern}:\n${log.slice(-3000)}`,
      );
    const close = () => {
      child.kill('SIGKILL');
      rmSync(records, { recursive: true, force: true });
    };
    try {
      await logShows(/Call established/, 20_000);
      await sleep(1500);
      for (const key of target.keys) {
        child.stdin!.write(key);
        await sleep(250);
      }
    } catch (error) {
      close();
      throw error;
    }
    const quit = async () => {
      child.stdin!.write('q');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    };
    return {
      heard(): Recording | null {
        const name = existsSync(records) ? readdirSync(records).find((entry) => entry.endsWith('-dec.wav')) : undefined;
        return name ? readWav(join(records, name)) : null;
      },
      async hangUp() {
        child.stdin!.write('b');
        await logShows(/terminated/i, 10_000);
        await quit();
      },
      async hungUpByServer() {
        await logShows(/terminated/i, 20_000);
        await quit();
      },
      close,
      log: () => log,
    };
  },
};
