import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { serializeRtpPacket } from '@konferenz/sfu';
import { sipMessage, sleep, UdpClient } from './raw-sip';

/** An RTP socket of a test caller: counts what arrives, sends PCMU frames from its own port. */
export class RtpPeer {
  packets = 0;
  #closed = false;

  private constructor(readonly socket: Socket) {
    socket.on('message', () => this.packets++);
    socket.on('error', () => undefined);
  }

  static async open(): Promise<RtpPeer> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new RtpPeer(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** One 20 ms PCMU frame of silence (or another payload type) to the gateway's RTP port. */
  send(port: number, payloadType = 0, sequenceNumber = 1): void {
    this.socket.send(
      serializeRtpPacket({ marker: false, payloadType, sequenceNumber, timestamp: sequenceNumber * 160, ssrc: 4242, payload: Buffer.alloc(160, 0xff) }),
      port,
      '127.0.0.1',
    );
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.socket.close();
  }
}

/**
 * A SIP caller made of raw UDP messages: INVITE with an SDP naming any RTP address, ACK, and a
 * 200 for the gateway's BYE (whose arrival it records). For tests of what the gateway sends where.
 */
export class RawCaller {
  readonly callId = `${randomBytes(6).toString('hex')}@127.0.0.1`;
  readonly #fromTag = randomBytes(4).toString('hex');
  byeAt?: number;
  /** The gateway's RTP port from its SDP answer. */
  gatewayRtpPort = 0;
  #to = '';
  #cseq = 1;

  private constructor(
    readonly sip: UdpClient,
    readonly gatewayPort: number,
  ) {}

  /** A caller signalling from `bindAddress` (another 127.0.0.0/8 address is another network source). */
  static async open(gatewayPort: number, bindAddress = '127.0.0.1'): Promise<RawCaller> {
    return new RawCaller(await UdpClient.open(gatewayPort, bindAddress), gatewayPort);
  }

  /** INVITE whose SDP says media go to `mediaPort` on 127.0.0.1, then ACK the 200. */
  async call(mediaPort: number, from = '+4930123456', headers: Record<string, string> = {}): Promise<void> {
    this.#from = `<sip:${from}@127.0.0.1:${this.sip.port}>;tag=${this.#fromTag}`;
    await this.#invite(mediaPort, 'sendrecv', headers);
    void this.#answerBye();
  }

  /** A re-INVITE inside the call, e.g. `sendonly` to put the gateway on hold. */
  async reinvite(mediaPort: number, direction: 'sendrecv' | 'sendonly' | 'inactive'): Promise<void> {
    await this.#invite(mediaPort, direction);
  }

  #from = '';

  /** Keys by SIP INFO (application/dtmf-relay), one request per key, each answered before the next. */
  async key(keys: string): Promise<void> {
    for (const key of keys) {
      const cseq = this.#cseq++;
      const body = `Signal=${key}\r\nDuration=100\r\n`;
      const before = this.sip.received.length;
      this.sip.send(
        sipMessage({
          method: 'INFO',
          port: this.gatewayPort,
          localPort: this.sip.port,
          callId: this.callId,
          user: 'dial-in',
          body,
          headers: { From: this.#from, To: this.#to, CSeq: `${cseq} INFO`, 'Content-Type': 'application/dtmf-relay' },
        }),
      );
      await this.#waitFor((text) => new RegExp(`^CSeq: ${cseq} INFO\r?$`, 'm').test(text), 5000, before);
    }
  }

  async #invite(mediaPort: number, direction: string, extraHeaders: Record<string, string> = {}): Promise<void> {
    const sdp = [
      'v=0',
      `o=caller 1 ${this.#cseq} IN IP4 127.0.0.1`,
      's=-',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      `m=audio ${mediaPort} RTP/AVP 0 101`,
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:101 telephone-event/8000',
      `a=${direction}`,
      '',
    ].join('\r\n');
    const cseq = this.#cseq++;
    const common = { port: this.gatewayPort, localPort: this.sip.port, callId: this.callId, user: 'dial-in' };
    const headers: Record<string, string> = { From: this.#from, CSeq: `${cseq} INVITE`, ...extraHeaders };
    if (this.#to) headers.To = this.#to;
    const before = this.sip.received.length;
    this.sip.send(sipMessage({ ...common, method: 'INVITE', body: sdp, headers }));
    const final = await this.#waitFor((text) => /^SIP\/2\.0 [2-6]\d\d/.test(text) && new RegExp(`^CSeq: ${cseq} INVITE\r?$`, 'm').test(text), 10_000, before);
    if (!final.startsWith('SIP/2.0 200'))
      throw new Error(
        `INVITE answered ${final
          .split('\r\n')
          .filter((line) => /^(SIP|Retry-After|Warning)/i.test(line))
          .join(' | ')}`,
      );
    const ok = final;
    this.gatewayRtpPort = Number(/^m=audio (\d+)/m.exec(ok)![1]);
    this.#to = /^To: (.*)\r?$/m.exec(ok)![1]!.trim();
    this.sip.send(sipMessage({ ...common, method: 'ACK', headers: { From: this.#from, To: this.#to, CSeq: `${cseq} ACK` } }));
  }

  /** The caller's BYE; resolves when the gateway answers it. */
  async hangup(): Promise<void> {
    if (this.byeAt !== undefined) return;
    const cseq = this.#cseq++;
    const before = this.sip.received.length;
    this.sip.send(
      sipMessage({
        method: 'BYE',
        port: this.gatewayPort,
        localPort: this.sip.port,
        callId: this.callId,
        user: 'dial-in',
        headers: { From: this.#from, To: this.#to, CSeq: `${cseq} BYE` },
      }),
    );
    await this.#waitFor((text) => new RegExp(`^CSeq: ${cseq} BYE\r?$`, 'm').test(text), 5000, before);
  }

  async #answerBye(): Promise<void> {
    const bye = await this.#waitFor((text) => text.startsWith('BYE '), 120_000).catch(() => undefined);
    if (!bye) return;
    this.byeAt = Date.now();
    const copy = (name: string) =>
      bye
        .split('\r\n')
        .filter((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`))
        .join('\r\n');
    this.sip.send(['SIP/2.0 200 OK', copy('Via'), copy('From'), copy('To'), copy('Call-ID'), copy('CSeq'), 'Content-Length: 0', '', ''].join('\r\n'));
  }

  async #waitFor(match: (text: string) => boolean, timeoutMs = 10_000, from = 0): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let seen = from;
    while (Date.now() < deadline) {
      for (; seen < this.sip.received.length; seen++) {
        const text = this.sip.received[seen]!.text;
        if (match(text)) return text;
      }
      await sleep(20);
    }
    throw new Error('the gateway did not send the expected message');
  }

  close(): void {
    this.sip.close();
  }
}
