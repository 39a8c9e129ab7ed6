import { randomBytes, randomInt } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { OpusFrameDecoder, OpusFrameEncoder, RtpParseError, parseRtpPacket, serializeRtpPacket, type RtpPacket } from '@konferenz/sfu';
import { DTMF_DIGITS, isDtmfDigit } from '@konferenz/sip';
import { expect, vi } from 'vitest';
import { sipMessage, UdpClient } from './raw-sip';
import { goertzelPower } from '@konferenz/testing/tone-power';

const OPUS_PAYLOAD_TYPE = 96;
const TELEPHONE_EVENT_PAYLOAD_TYPE = 102;
const TICKS_PER_FRAME = 960;
/** A key press: five 20 ms updates (100 ms), then the end packet three times, then 100 ms of audio. */
const PRESS_UPDATES = 5;
const RELEASE_FRAMES = 5;
/** A −16 dBFS tone: loud enough to be among the mix's loudest, far from clipping. */
const TONE_AMPLITUDE = 5000;

export interface ReceivedPacket extends RtpPacket {
  at: number;
}

/**
 * A softphone that speaks Opus: a hand-written UAC over UDP that INVITEs with Opus (and PCMU as a
 * fallback it should not get) and RFC 4733 telephone-events at 48 kHz, then sends a 20 ms Opus
 * frame every 20 ms (silence, or a tone), keys as telephone-events on the same stream, and
 * records every RTP packet it receives.
 */
export class OpusPhone {
  readonly received: ReceivedPacket[] = [];
  /** The gateway's 200 OK to the INVITE. */
  answer = '';
  toneHz = 0;
  readonly #ssrc = randomInt(1, 2 ** 32 - 1);
  #sequence = randomInt(0, 2 ** 16);
  #timestamp = randomInt(0, 2 ** 32 - 1);
  #phase = 0;
  readonly #encoder = new OpusFrameEncoder({ sampleRate: 48000 });
  /** Telephone-event payloads that replace the next frames' audio (null: a frame of audio between presses). */
  readonly #events: Array<{ payload: Buffer; first: boolean } | null> = [];
  /** All packets of one press carry the timestamp of its first (RFC 4733 §2.5.1). */
  #eventStart = 0;
  #timer?: NodeJS.Timeout;
  #remote?: { address: string; port: number };
  readonly #callId = `${randomBytes(6).toString('hex')}@127.0.0.1`;
  readonly #fromTag = randomBytes(4).toString('hex');
  #to = '';
  #contact = '';

  private constructor(
    readonly sip: UdpClient,
    private readonly rtp: Socket,
    private readonly sipPort: number,
    private readonly caller: string,
    /**
     * The telephone-event clock it offers: 48000 (as the codec's), or 8000 beside Opus alone and
     * no G.711 (baresip with only its Opus module does that).
     */
    private readonly eventClock: 8000 | 48000,
  ) {
    rtp.on('message', (data) => {
      try {
        this.received.push({ ...parseRtpPacket(data), at: performance.now() });
      } catch (error) {
        if (!(error instanceof RtpParseError)) throw error;
      }
    });
  }

  static async open(sipPort: number, caller: string, { eventClock = 48000 }: { eventClock?: 8000 | 48000 } = {}): Promise<OpusPhone> {
    const rtp = createSocket('udp4');
    await new Promise<void>((resolve) => rtp.bind(0, '127.0.0.1', resolve));
    return new OpusPhone(await UdpClient.open(sipPort), rtp, sipPort, caller, eventClock);
  }

  get offer(): string {
    return [
      'v=0',
      `o=opus-phone 1 1 IN IP4 127.0.0.1`,
      's=-',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      ...(this.eventClock === 48000
        ? [`m=audio ${this.rtp.address().port} RTP/AVP 0 ${OPUS_PAYLOAD_TYPE} ${TELEPHONE_EVENT_PAYLOAD_TYPE}`, 'a=rtpmap:0 PCMU/8000']
        : [`m=audio ${this.rtp.address().port} RTP/AVP ${OPUS_PAYLOAD_TYPE} ${TELEPHONE_EVENT_PAYLOAD_TYPE}`]),
      `a=rtpmap:${OPUS_PAYLOAD_TYPE} opus/48000/2`,
      `a=fmtp:${OPUS_PAYLOAD_TYPE} useinbandfec=1`,
      `a=rtpmap:${TELEPHONE_EVENT_PAYLOAD_TYPE} telephone-event/${this.eventClock}`,
      `a=fmtp:${TELEPHONE_EVENT_PAYLOAD_TYPE} 0-15`,
      'a=ptime:20',
      'a=sendrecv',
      '',
    ].join('\r\n');
  }

  /** INVITE, wait for the 200, ACK it, and start sending RTP where the answer says. */
  async call(): Promise<void> {
    this.sip.send(this.#request('INVITE', 1, { body: this.offer }));
    const ok = await vi.waitFor(
      () => {
        const response = this.sip.received.find((entry) => entry.status === 200 && /CSeq: 1 INVITE/i.test(entry.text));
        if (!response) throw new Error('no 200 OK yet');
        return response.text;
      },
      { timeout: 10_000, interval: 20 },
    );
    this.answer = ok;
    this.#to = /^To: (.*)$/im.exec(ok)![1]!.trim();
    this.#contact = /^Contact: <([^>]+)>/im.exec(ok)![1]!;
    const address = /^c=IN IP4 (\S+)/m.exec(ok)![1]!;
    const port = Number(/^m=audio (\d+)/m.exec(ok)![1]);
    this.#remote = { address, port };
    this.sip.send(this.#request('ACK', 1, { requestUri: this.#contact }));
    this.#timer = setInterval(() => this.#tick(), 20);
  }

  /** Keys `keys` as RFC 4733 events (durations on the offered event clock); resolves once they are sent. */
  async press(keys: string): Promise<void> {
    const ticks = (TICKS_PER_FRAME * this.eventClock) / 48000;
    for (const key of keys) {
      if (!isDtmfDigit(key)) throw new Error(`no key ${key}`);
      const event = DTMF_DIGITS.indexOf(key);
      for (let update = 1; update <= PRESS_UPDATES; update++) this.#events.push({ payload: telephoneEvent(event, false, update * ticks), first: update === 1 });
      for (let copy = 0; copy < 3; copy++) this.#events.push({ payload: telephoneEvent(event, true, PRESS_UPDATES * ticks), first: false });
      for (let frame = 0; frame < RELEASE_FRAMES; frame++) this.#events.push(null);
    }
    await vi.waitFor(() => expect(this.#events).toHaveLength(0), { timeout: 30_000, interval: 20 });
  }

  /** Decodes the received packets (arrived after `since`) as an Opus phone would, at 48 kHz: the call is one stream. */
  decode(since = 0): Int16Array {
    const decoder = new OpusFrameDecoder(48000);
    const frames = this.received.filter((packet) => packet.at >= since).map((packet) => decoder.decode(packet.payload));
    const samples = new Int16Array(frames.length * TICKS_PER_FRAME);
    frames.forEach((frame, index) => samples.set(frame, index * TICKS_PER_FRAME));
    return samples;
  }

  /** BYE; resolves with the gateway's final status. */
  async hangUp(): Promise<number | undefined> {
    clearInterval(this.#timer);
    const before = this.sip.received.length;
    this.sip.send(this.#request('BYE', 2, { requestUri: this.#contact }));
    return vi.waitFor(
      () => {
        const status = this.sip.received.slice(before).find((entry) => /CSeq: 2 BYE/i.test(entry.text))?.status;
        if (!status) throw new Error('no answer to the BYE yet');
        return status;
      },
      { timeout: 5000, interval: 20 },
    );
  }

  close(): void {
    clearInterval(this.#timer);
    this.sip.close();
    this.rtp.close();
  }

  #request(method: string, cseq: number, options: { body?: string; requestUri?: string }): string {
    const port = this.sip.port;
    return sipMessage({
      method,
      port: this.sipPort,
      localPort: port,
      callId: this.#callId,
      body: options.body,
      startLine: options.requestUri ? `${method} ${options.requestUri} SIP/2.0` : undefined,
      headers: {
        From: `<sip:${this.caller}@127.0.0.1:${port}>;tag=${this.#fromTag}`,
        ...(this.#to ? { To: this.#to } : {}),
        CSeq: `${cseq} ${method}`,
      },
    });
  }

  #tick(): void {
    const event = this.#events.shift();
    if (event?.first) this.#eventStart = this.#timestamp;
    if (event) this.#send(TELEPHONE_EVENT_PAYLOAD_TYPE, this.#eventStart, event.payload);
    else this.#send(OPUS_PAYLOAD_TYPE, this.#timestamp, this.#encoder.encode(this.#toneFrame()));
    this.#timestamp = (this.#timestamp + TICKS_PER_FRAME) >>> 0;
  }

  #toneFrame(): Int16Array {
    const frame = new Int16Array(TICKS_PER_FRAME);
    if (!this.toneHz) return frame;
    const step = (2 * Math.PI * this.toneHz) / 48000;
    for (let i = 0; i < frame.length; i++) frame[i] = Math.round(TONE_AMPLITUDE * Math.sin((this.#phase += step)));
    return frame;
  }

  #send(payloadType: number, timestamp: number, payload: Buffer): void {
    if (!this.#remote) return;
    const packet = serializeRtpPacket({ marker: false, payloadType, sequenceNumber: this.#sequence, timestamp, ssrc: this.#ssrc, payload });
    this.#sequence = (this.#sequence + 1) & 0xffff;
    this.rtp.send(packet, this.#remote.port, this.#remote.address);
  }
}

function telephoneEvent(event: number, end: boolean, duration: number): Buffer {
  return Buffer.from([event, (end ? 0x80 : 0) | 10, duration >> 8, duration & 0xff]);
}

/** The strongest frequency in `samples` (48 kHz) between 100 Hz and 3.4 kHz, to 5 Hz. */
export function dominantFrequency(samples: Int16Array): number {
  let best = { hz: 0, power: -1 };
  for (let hz = 100; hz <= 3400; hz += 5) {
    const power = goertzelPower(samples, hz, 48000);
    if (power > best.power) best = { hz, power };
  }
  return best.hz;
}

/** RMS level in dBFS. */
export function levelDb(samples: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! ** 2;
  return 10 * Math.log10(sum / samples.length / 32768 ** 2);
}
