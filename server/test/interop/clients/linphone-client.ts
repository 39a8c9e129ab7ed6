import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freeSipPort } from '@konferenz/testing/free-sip-port';
import { readWav, writeWav, type Recording } from '@konferenz/testing/wav';
import type { InteropCell } from '../interop-cells';
import { waitFor } from './client-process';
import type { DialTarget, InteropCall, InteropClient } from './interop-client';

/** The tone file it plays: long enough for any call of the matrix (linphone's file player does not loop by itself). */
const TONE_SECONDS = 120;
/** Between two SIP INFO keys: linphonec has read the line and answered its SIP traffic. */
const KEY_SPACING_INFO_MS = 1500;
/** linphonec's names of the matrix's codecs in `codec list`. */
const CODEC_NAMES: Record<InteropCell['codec'], string> = { PCMU: 'PCMU', PCMA: 'PCMA', opus: 'opus' };

/**
 * linphonec (Debian's `linphone-cli`, liblinphone 5.1) headless: commands on stdin, a config file
 * of its own (`-c`). `soundcard use files` replaces the sound card by WAV files: `play` is its
 * microphone, `record` what it hears. Keys typed as a command line during a call are sent as
 * DTMF, by RFC 4733 or SIP INFO as the config says (`use_rfc2833`, `use_info`). One codec is
 * left enabled. Only UDP: `ports sip` opens a UDP port alone, and linphonec has no command for a
 * TCP one (see README "Interop matrix").
 */
export const linphoneClient: InteropClient = {
  echoes: false,
  async dial(cell: InteropCell, target: DialTarget, toneHz: number): Promise<InteropCall> {
    if (cell.transport !== 'udp') throw new Error('linphonec opens a UDP SIP port only');
    const port = await freeSipPort();
    const info = cell.dtmf === 'sip-info';
    const config = join(target.dir, 'linphonerc');
    writeFileSync(
      config,
      [
        '[sip]',
        `use_info=${info ? 1 : 0}`,
        `use_rfc2833=${info ? 0 : 1}`,
        `contact=<sip:${target.caller}@127.0.0.1>`,
        'ipv6_enabled=0',
        '[rtp]',
        `audio_rtp_port=${port + 2}`,
        '[sound]',
        'echocancellation=0',
        '',
      ].join('\n'),
    );
    const tone = join(target.dir, 'tone.wav');
    const samples = new Int16Array(8000 * TONE_SECONDS);
    for (let index = 0; index < samples.length; index++) samples[index] = Math.round(8000 * Math.sin((2 * Math.PI * toneHz * index) / 8000));
    writeWav(tone, 8000, samples);
    const recording = join(target.dir, 'heard.wav');
    const child: ChildProcess = spawn('linphonec', ['-c', config, '-d', '0'], {
      cwd: target.dir,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, HOME: target.dir },
    });
    let log = '';
    const onData = (chunk: Buffer) => (log += chunk.toString('utf8'));
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const command = (line: string) => child.stdin!.write(`${line}\n`);
    const logShows = (pattern: RegExp, timeoutMs: number, from = 0) =>
      waitFor(
        () => pattern.test(log.slice(from)),
        timeoutMs,
        () => `linphonec did not print ${pattern}:\n${log.slice(-3000)}`,
      );
    const close = () => child.kill('SIGKILL');
    try {
      // linphonec 5.1 opens no SIP port from the config's sip_port here ("sip port = 0"); the command does.
      command(`ports sip ${port}`);
      command('codec list');
      await logShows(/\d+: opus/, 10_000);
      for (const [, index, name] of log.matchAll(/^\s*(\d+): (\S+) \(\d+\) (?:enabled|disabled)/gm)) {
        command(`codec ${name === CODEC_NAMES[cell.codec] ? 'enable' : 'disable'} ${index}`);
      }
      command('soundcard use files');
      command(`play ${tone}`);
      command(`record ${recording}`);
      command(`call sip:${target.dialled}@${target.address}:${target.port}`);
      await logShows(/connected/i, 20_000);
      await sleep(1500);
      // One key per command line, spaced out: each is one key press. linphonec runs its SIP stack
      // only while no command line is waiting (about one line a second): SIP INFO keys typed faster
      // sat unanswered behind the later lines, 7 s for a PIN, past the menu's wait for the next key.
      for (const key of target.keys) {
        command(key);
        await sleep(info ? KEY_SPACING_INFO_MS : 300);
      }
    } catch (error) {
      close();
      throw error;
    }
    // linphonec writes the recording's WAV header when the call ends: it is read after the hang-up.
    const quit = async () => {
      command('quit');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    };
    return {
      heard(): Recording | null {
        return existsSync(recording) ? readWav(recording) : null;
      },
      async hangUp() {
        const from = log.length;
        command('terminate');
        await logShows(/ended|terminated/i, 10_000, from);
        await quit();
      },
      async hungUpByServer() {
        await logShows(/ended|terminated/i, 20_000);
        await quit();
      },
      close,
      log: () => log,
    };
  },
};
