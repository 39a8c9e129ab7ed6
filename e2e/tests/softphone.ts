import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freeSipPort } from '@konferenz/testing/free-sip-port';
import { readWav, writeWav, type Recording } from '@konferenz/testing/wav';
import { goertzelPower } from '@konferenz/testing/tone-power';

/**
 * A real softphone for the phone tests (phone.e2e.ts): baresip 1.0 (Debian's `baresip` package),
 * headless, one process and one config folder per call.
 *
 * What baresip 1.0 offers here, as found on this machine (modules in /usr/lib/baresip/modules):
 * - `ausine` is the microphone: a sine tone, `audio_source ausine,<Hz>` (10–20000 Hz); it only runs
 *   at 48 kHz stereo (`ausrc_srate 48000`, `ausrc_channels 2`), baresip resamples to PCMU's 8 kHz.
 * - `sndfile` is the recorder: an audio *filter* that writes `dump-<time>-enc.wav` (what the
 *   phone sends) and `dump-<time>-dec.wav` (what it received and decoded: the far end's audio) to
 *   `snd_path`, 8 kHz mono 16-bit, as the packets arrive. It records the far end without any
 *   audio player module loaded. The WAV header's sizes are only filled in when the call ends, so
 *   the file is read while the call runs with the data size taken from the file length.
 *   sndfile builds the file name in a 128-byte buffer: a longer `snd_path` gives "could not open"
 *   and no recording, so the recordings go to a short temporary folder first.
 *   (`aufile` in 1.0 is a source only, it cannot play to a file.)
 * - `stdio` + `menu`: with stdin a pipe, a digit `0-9*#` during a call is sent as an RFC 4733
 *   telephone-event ("send DTMF digit"); `b` hangs up, `q` quits. `-e "/dial <uri>"` dials.
 * - `sip_listen` also opens SIP/TLS on the next port (port + 1): both must be free.
 * - In a network namespace with only loopback, baresip finds no "local network address" unless
 *   `net_interface 127.0.0.1` is set (the interface name `lo` does not work).
 */

export interface SoftphoneOptions {
  /** Config folder (created); the log lands in it, and the recordings after stop(). */
  dir: string;
  /** The caller's number: the From user, e.g. '+4930555000111'. */
  user: string;
  /** The frequency of the phone's "microphone" (ausine). */
  toneHz: number;
  /**
   * The codecs it offers: PCMU alone (the default), Opus alone (baresip's opus module; it offers
   * telephone-event at 8 kHz only, beside opus/48000), G.722 alone (baresip's g722 module, an HD
   * desk phone), or G.722 first and PCMU after it.
   */
  codec?: SoftphoneCodecs;
  /**
   * A host of its own (virtual-hosts.ts): baresip runs there (`spawn`) with its SIP and RTP on
   * `address`. Default: this namespace, on 127.0.0.1.
   */
  host?: { address: string; spawn: (command: string, args: string[], options: SpawnOptions) => ChildProcess };
}

export type SoftphoneCodecs = 'PCMU' | 'opus' | 'G722' | 'G722,PCMU';

/** Per offer: baresip's codec modules, and its `audio_codecs` list (G.722's entry is `G722/16000/1`). */
const CODECS: Record<SoftphoneCodecs, { modules: string[]; list: string }> = {
  PCMU: { modules: ['g711.so'], list: 'PCMU' },
  opus: { modules: ['opus.so'], list: 'opus' },
  G722: { modules: ['g722.so'], list: 'G722/16000/1' },
  'G722,PCMU': { modules: ['g722.so', 'g711.so'], list: 'G722/16000/1,PCMU' },
};

/** baresip's SIP port on a host of its own (nothing else listens there). */
const HOST_SIP_PORT = 5070;

const BARESIP = process.env.BARESIP_PATH ?? '/usr/bin/baresip';
/** baresip quits by itself after this long. */
const MAX_CALL_SECONDS = 300;
const MODULE_PATH = ['/usr/lib/baresip/modules', '/usr/lib/x86_64-linux-gnu/baresip/modules'].find((dir) => existsSync(dir)) ?? '/usr/lib/baresip/modules';

export class Softphone {
  readonly #process: ChildProcess;
  readonly #logFile: string;
  readonly #recordDir: string;
  readonly #keepDir: string;
  #log = '';
  #exited = false;
  readonly #exit: Promise<void>;

  private constructor(process: ChildProcess, logFile: string, recordDir: string, keepDir: string) {
    this.#process = process;
    this.#logFile = logFile;
    this.#recordDir = recordDir;
    this.#keepDir = keepDir;
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8').replace(/\x1b\[[0-9;]*m/g, '');
      this.#log += text;
      appendFileSync(logFile, text);
    };
    process.stdout!.on('data', onData);
    process.stderr!.on('data', onData);
    this.#exit = new Promise((resolve) =>
      process.once('exit', () => {
        this.#exited = true;
        resolve();
      }),
    );
  }

  /** Starts baresip with a fresh config in `options.dir` and dials `uri` at once. */
  static async dial(uri: string, options: SoftphoneOptions): Promise<Softphone> {
    const { dir, user, toneHz, host, codec = 'PCMU' } = options;
    mkdirSync(dir, { recursive: true });
    const recordDir = mkdtempSync(join(tmpdir(), 'kz-baresip-'));
    const address = host?.address ?? '127.0.0.1';
    const port = host ? HOST_SIP_PORT : await freeSipPort();
    writeFileSync(
      join(dir, 'config'),
      [
        'poll_method epoll',
        `net_interface ${address}`,
        `sip_listen ${address}:${port}`,
        `audio_source ausine,${toneHz}`,
        'audio_player',
        'ausrc_srate 48000',
        'ausrc_channels 2',
        `module_path ${MODULE_PATH}`,
        'module stdio.so',
        ...CODECS[codec].modules.map((module) => `module ${module}`),
        'module ausine.so',
        'module sndfile.so',
        'module_app account.so',
        'module_app menu.so',
        `snd_path ${recordDir}`,
        '',
      ].join('\n'),
    );
    // No registration (regint=0), only the chosen codecs.
    writeFileSync(join(dir, 'accounts'), `<sip:${user}@${address}:${port}>;regint=0;audio_codecs=${CODECS[codec].list}\n`);
    writeFileSync(join(dir, 'contacts'), '');
    // -t: a safety net, so that a baresip whose test process died does not linger.
    const child = (host?.spawn ?? spawn)(BARESIP, ['-f', dir, '-t', String(MAX_CALL_SECONDS), '-e', `/dial ${uri}`], {
      cwd: dir,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const phone = new Softphone(child, join(dir, 'baresip.log'), recordDir, join(dir, 'recordings'));
    await phone.waitForLog(/Call established/, 15_000);
    return phone;
  }

  get log(): string {
    return this.#log;
  }

  get logFile(): string {
    return this.#logFile;
  }

  /** Waits until baresip's output matches (event-driven: checked on every chunk of output). */
  async waitForLog(pattern: RegExp, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.#log)) {
      if (this.#exited) throw new Error(`baresip exited before ${pattern}:\n${this.#tail()}`);
      if (Date.now() > deadline) throw new Error(`baresip did not print ${pattern} within ${timeoutMs} ms:\n${this.#tail()}`);
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.#process.stdout!.off('data', done);
          this.#process.stderr!.off('data', done);
          this.#process.off('exit', done);
          resolve();
        };
        const timer = setTimeout(done, Math.max(deadline - Date.now(), 1));
        this.#process.stdout!.on('data', done);
        this.#process.stderr!.on('data', done);
        this.#process.once('exit', done);
      });
    }
  }

  /**
   * Presses keys: each character is one RFC 4733 key press. baresip's stdio module releases a key
   * after a short while, so the keys are spaced out to be distinct presses.
   */
  async press(keys: string, gapMs = 250): Promise<void> {
    for (const key of keys) {
      if (!/^[0-9*#]$/.test(key)) throw new Error(`not a phone key: ${key}`);
      this.#process.stdin!.write(key);
      await sleep(gapMs);
    }
  }

  /** The far end's audio as recorded so far (sndfile's `-dec.wav`), or null before it exists. */
  received(): Recording | null {
    const file = this.receivedFile();
    return file ? readWav(file) : null;
  }

  receivedFile(): string | null {
    return existsSync(this.#recordDir) ? this.#find(this.#recordDir) : null;
  }

  /**
   * Hangs up and quits (the recording's header is completed then; kills baresip if it hangs), and
   * moves the recordings into the config folder. Returns the received audio's file, if any.
   */
  async stop(): Promise<string | null> {
    if (!this.#exited) {
      this.#process.stdin!.write('b');
      await sleep(300);
      this.#process.stdin!.write('q');
      const killer = setTimeout(() => this.#process.kill('SIGKILL'), 5_000);
      await this.#exit;
      clearTimeout(killer);
    }
    if (!existsSync(this.#recordDir)) return existsSync(this.#keepDir) ? this.#find(this.#keepDir) : null;
    mkdirSync(this.#keepDir, { recursive: true });
    for (const name of readdirSync(this.#recordDir)) copyFileSync(join(this.#recordDir, name), join(this.#keepDir, name));
    rmSync(this.#recordDir, { recursive: true, force: true });
    return this.#find(this.#keepDir);
  }

  #find(dir: string): string | null {
    const name = readdirSync(dir).find((entry) => entry.endsWith('-dec.wav'));
    return name ? join(dir, name) : null;
  }

  #tail(): string {
    return this.#log
      .replace(/\[\d+:\d+:\d+\] audio=[^\n]*?\(bit\/s\)\s*/g, '')
      .split('\n')
      .slice(-30)
      .join('\n');
  }
}

// ---------------------------------------------------------------------------------------------
// The browser's tone, and the analysis of what the phone recorded.
// ---------------------------------------------------------------------------------------------

/**
 * A mono 16-bit WAV with a steady tone of `frequency`, gently amplitude-modulated (0.55–0.85 at
 * 2 Hz) so that the browser's noise suppression does not take it for stationary noise. The length
 * holds whole periods of both, so Chromium's looping of the file has no seam.
 */
export function writeToneWav(
  file: string,
  { frequency, sampleRate = 48_000, seconds = 10 }: { frequency: number; sampleRate?: number; seconds?: number },
): void {
  const samples = new Int16Array(sampleRate * seconds);
  for (let i = 0; i < samples.length; i++) {
    const t = i / sampleRate;
    const envelope = 0.7 + 0.15 * Math.sin(2 * Math.PI * 2 * t);
    samples[i] = Math.round(Math.sin(2 * Math.PI * frequency * t) * envelope * 16_000);
  }
  writeWav(file, sampleRate, samples);
}

export interface ToneAnalysis {
  /** Seconds of audio analysed. */
  seconds: number;
  /** RMS level in dBFS (a full-scale sine is −3 dBFS). */
  rmsDbfs: number;
  /** Power at the tone's frequency over the mean power at the neighbouring frequencies, in dB (all blocks summed). */
  toneOverNeighboursDb: number;
  /** Share of the 100 ms blocks in which the tone alone stands `blockThresholdDb` above its neighbours. */
  toneShare: number;
}

/** Neighbours of the tone for the comparison: ±150 and ±300 Hz. */
const NEIGHBOUR_OFFSETS_HZ = [-300, -150, 150, 300];

/**
 * RMS and a Goertzel filter at `frequency` against its neighbours, over 100 ms blocks (10 Hz bins
 * at 8 kHz: a tone fills its own bin and hardly leaks 150 Hz away). The summed ratio says whether
 * the tone is in there at all (a few loud blocks dominate it); the share of blocks in which it
 * stands out says whether it is there throughout.
 */
export function analyseTone(
  recording: Recording,
  frequency: number,
  { from = 0, to = recording.samples.length, blockThresholdDb = 15 }: { from?: number; to?: number; blockThresholdDb?: number } = {},
): ToneAnalysis {
  const fromSample = Math.max(0, from);
  const toSample = Math.min(recording.samples.length, to);
  const samples = recording.samples.subarray(fromSample, toSample);
  const rate = recording.sampleRate;
  let sumSquares = 0;
  for (const sample of samples) sumSquares += sample * sample;
  const rms = samples.length ? Math.sqrt(sumSquares / samples.length) : 0;
  const block = Math.round(rate / 10);
  const tiny = 1e-12;
  let tone = 0;
  let neighbours = 0;
  let blocks = 0;
  let toneBlocks = 0;
  for (let start = 0; start + block <= samples.length; start += block) {
    const slice = samples.subarray(start, start + block);
    const blockTone = blockPower(slice, frequency, rate);
    let blockNeighbours = 0;
    for (const offset of NEIGHBOUR_OFFSETS_HZ) blockNeighbours += blockPower(slice, frequency + offset, rate) / NEIGHBOUR_OFFSETS_HZ.length;
    tone += blockTone;
    neighbours += blockNeighbours;
    blocks++;
    if (10 * Math.log10((blockTone + tiny) / (blockNeighbours + tiny)) >= blockThresholdDb) toneBlocks++;
  }
  return {
    seconds: samples.length / rate,
    rmsDbfs: round1(20 * Math.log10(rms + tiny)),
    toneOverNeighboursDb: blocks ? round1(10 * Math.log10((tone + tiny) / (neighbours + tiny))) : 0,
    toneShare: blocks ? Math.round((toneBlocks / blocks) * 100) / 100 : 0,
  };
}

/** Normalised by the block length, so blocks of any size compare. */
function blockPower(samples: Float32Array, frequency: number, rate: number): number {
  return goertzelPower(samples, frequency, rate) / (samples.length * samples.length);
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
