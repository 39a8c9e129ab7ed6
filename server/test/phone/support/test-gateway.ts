import { Logger } from '@nestjs/common';
import { RtpSession } from '@konferenz/sfu';
import { PLACEHOLDER_MEDIA } from '../../../src/phone/placeholder-media';
import {
  acceptSdpAnswer,
  DTMF_DIGITS,
  createSdpOffer,
  negotiateSdp,
  SipUserAgentServer,
  type CallEndReason,
  type DtmfDigit,
  type LocalMedia,
  type NegotiatedAudio,
  type SipCall,
  type SipUserAgentServerOptions,
} from '@konferenz/sip';

export interface CallRecord {
  call: SipCall;
  digits: DtmfDigit[];
  rtpDigits: DtmfDigit[];
  ended?: CallEndReason;
  confirmed: boolean;
  reoffers: Array<{ hold: boolean }>;
  rtp?: RtpSession<NegotiatedAudio>;
}

/**
 * The gateway as the tests drive it: a SipUserAgentServer on 127.0.0.1 whose calls are handled
 * by the Request-URI user: `ring` rings and never answers (for CANCEL), `busy` is rejected 486,
 * anything else is answered with an RTP session on a free port (PCMU, PCMA, telephone-events).
 */
export class TestGateway {
  readonly records: CallRecord[] = [];
  #waiters: Array<() => void> = [];

  private constructor(readonly server: SipUserAgentServer) {
    server.on('call', (call) => void this.#handle(call));
  }

  static async start(options: Partial<SipUserAgentServerOptions> = {}): Promise<TestGateway> {
    // Hundreds of deliberately malformed messages would each log a debug line.
    Logger.overrideLogger(['error', 'warn']);
    // Port 0 picks a free UDP port; TCP then needs the same number, which is free almost always.
    for (let attempt = 0; ; attempt++) {
      try {
        return new TestGateway(await SipUserAgentServer.start({ host: '127.0.0.1', port: 0, logger: new Logger('Sip'), ...options }));
      } catch (error) {
        if (attempt >= 5) throw error;
      }
    }
  }

  get port(): number {
    return this.server.port;
  }

  async stop(): Promise<void> {
    for (const record of this.records) record.rtp?.close();
    await this.server.stop();
  }

  /** Resolves when `predicate` holds, checking after every call event. */
  async until(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the gateway');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  #changed(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  async #handle(call: SipCall): Promise<void> {
    const record: CallRecord = { call, digits: [], rtpDigits: [], confirmed: false, reoffers: [] };
    this.records.push(record);
    call.on('dtmf', (digit) => {
      record.digits.push(digit);
      this.#changed();
    });
    call.on('ended', (reason) => {
      record.ended = reason;
      record.rtp?.close();
      this.#changed();
    });
    call.on('confirmed', (answer) => {
      record.confirmed = true;
      if (answer && record.rtp) {
        const accepted = acceptSdpAnswer(answer, this.#local(record.rtp.localPort, 1));
        if (accepted.ok) record.rtp.update(accepted.audio);
      }
      this.#changed();
    });
    const user = /^sips?:([^@;]+)@/.exec(call.requestUri)?.[1];
    if (user === 'ring') {
      call.ring();
      this.#changed();
      return;
    }
    if (user === 'busy') {
      call.reject(486);
      return;
    }
    call.ring();
    const rtp = await RtpSession.open<NegotiatedAudio>('127.0.0.1', 0, PLACEHOLDER_MEDIA);
    record.rtp = rtp;
    rtp.on('key', (event) => {
      record.rtpDigits.push(DTMF_DIGITS[event]!);
      this.#changed();
    });
    let version = 1;
    if (call.offer) {
      const negotiated = negotiateSdp(call.offer, this.#local(rtp.localPort, version));
      if (!negotiated.ok) {
        call.reject(488);
        return;
      }
      rtp.update(negotiated.audio);
      call.answer(negotiated.answer);
    } else {
      call.answer(createSdpOffer(this.#local(rtp.localPort, version)));
    }
    call.on('reoffer', (reoffer) => {
      version++;
      if (!reoffer.sdp) {
        reoffer.accept(createSdpOffer(this.#local(rtp.localPort, version)));
        return;
      }
      const negotiated = negotiateSdp(reoffer.sdp, this.#local(rtp.localPort, version));
      if (!negotiated.ok) {
        reoffer.reject(488);
        return;
      }
      record.reoffers.push({ hold: negotiated.audio.onHold });
      rtp.update(negotiated.audio);
      reoffer.accept(negotiated.answer);
      this.#changed();
    });
    this.#changed();
  }

  #local(port: number, version: number): LocalMedia {
    return { address: '127.0.0.1', port, codecs: ['PCMU', 'PCMA'], sessionId: '4711', sessionVersion: version };
  }
}
