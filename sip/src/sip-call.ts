import { randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { DtmfDigit } from './dtmf';
import { parseSdp } from './sdp-negotiation';
import { parseSipInfoDtmf } from './sip-info-dtmf';
import { SIP_BRANCH_MAGIC_COOKIE } from './sip-grammar';
import { SIP_ALLOWED_METHODS } from './sip-limits';
import { buildRequest, buildResponse, headerTokens, headerValue, userPartOf, type SipRequest } from './sip-message';
import type { SipNameAddr } from './sip-request-schema';
import type { ServerTransaction, SipTimers } from './sip-transactions';
import type { SipPeer } from './sip-transport';

export type CallState = 'incoming' | 'answered' | 'confirmed' | 'ended';

export type CallEndReason = 'remote-bye' | 'cancelled' | 'local-hangup' | 'rejected' | 'unanswered' | 'ack-timeout' | 'session-expired' | 'server-stopped';

/** A new offer inside the call (re-INVITE): hold, unhold, a codec or address change. */
export interface ReOffer {
  /** The caller's SDP, already checked for syntax; null when the re-INVITE came without one (then accept() carries an offer). */
  readonly sdp: string | null;
  /** Sends 200 OK with the gateway's SDP; `onAnswer` gets the caller's answer from the ACK when the re-INVITE had no offer. */
  accept(localSdp: string, onAnswer?: (answerSdp: string | null) => void): void;
  reject(status?: number): void;
}

export interface SipCallEvents {
  /** The caller's ACK arrived; it carries the SDP answer when the INVITE had no offer. */
  confirmed: [answerSdp: string | null];
  dtmf: [digit: DtmfDigit, source: 'sip-info'];
  reoffer: [offer: ReOffer];
  ended: [reason: CallEndReason];
}

/** What a call needs from the server that received it. */
export interface CallContext {
  readonly timers: SipTimers;
  send(peer: SipPeer, message: string): boolean;
  reliable(peer: SipPeer): boolean;
  /** Contact and Via host:port for requests and responses in this call. */
  contactHost(): string;
  port(): number;
  /** Server / User-Agent header value; empty for none. */
  readonly serverName: string;
  sendBye(call: SipCall, message: string, branch: string): void;
  ended(call: SipCall): void;
  log(level: 'debug' | 'warn', message: string): void;
}

/** Who placed the call, as far as the gateway can tell. */
export interface CallerOrigin {
  /** The INVITE came from a configured trusted trunk (SIP_TRUSTED_TRUNKS). */
  trustedTrunk: boolean;
  /** The caller's number as the limits count it: P-Asserted-Identity from a trusted trunk, else From's user part. */
  user?: string;
  /** The caller asked for its identity to be withheld (RFC 3323 `Privacy: id`, `user` or `header`): it is never shown. */
  withheld: boolean;
}

/** Privacy values (RFC 3323, RFC 3325) under which the caller's number must not be shown to anyone. */
const WITHHOLDING_PRIVACY = new Set(['id', 'user', 'header']);

export function identityWithheld(request: { raw: Record<string, string[]> }): boolean {
  return headerTokens(request, 'privacy')
    .flatMap((token) => token.split(';'))
    .some((value) => WITHHOLDING_PRIVACY.has(value.trim()));
}

export interface SessionTimer {
  /** Seconds (RFC 4028 Session-Expires); the caller refreshes, the gateway ends the call if it does not. */
  interval: number;
}

const ALLOW = SIP_ALLOWED_METHODS.join(', ');

/** A 2xx to an INVITE that waits for its ACK. */
interface Pending2xx {
  cseq: number;
  timer?: NodeJS.Timeout;
  deadline: NodeJS.Timeout;
  onAck: (sdp: string | null) => void;
}

function tag(): string {
  return randomBytes(8).toString('hex');
}

/**
 * One inbound call: the dialog the caller's INVITE created (RFC 3261 §12–15). The gateway only
 * answers: it can ring, answer, reject and hang up, and it answers what the caller sends inside
 * the call (re-INVITE, INFO, BYE). It never sends an INVITE of its own.
 */
export class SipCall extends EventEmitter<SipCallEvents> {
  readonly id = randomUUID();
  readonly callId: string;
  readonly localTag = tag();
  readonly remoteTag: string;
  /** The caller as From shows it (unverified: anyone can write any From). */
  readonly from: { uri: string; displayName?: string; user?: string };
  readonly requestUri: string;
  /** The request URI's user part: what the caller dialled (`sip:<this>@host`), when there is one. */
  readonly dialledUser: string | undefined;
  readonly remote: SipPeer;
  /** The caller's SDP offer, syntax-checked; null for an INVITE without SDP (the offer then goes in the 200). */
  readonly offer: string | null;
  readonly sessionTimer: SessionTimer | null;
  readonly origin: CallerOrigin;
  state: CallState = 'incoming';

  readonly #context: CallContext;
  readonly #invite: ServerTransaction;
  readonly #remoteTarget: string;
  readonly #routeSet: string[];
  readonly #localAddr: SipNameAddr;
  readonly #remoteAddr: SipNameAddr;
  #remoteCSeq: number;
  #localCSeq = 1;
  /** The 2xx waiting for its ACK (initial INVITE or re-INVITE), retransmitted over UDP. */
  #pending2xx?: Pending2xx;
  #reinvite?: ServerTransaction;
  #hangupAfterAck = false;
  #sessionTimer?: NodeJS.Timeout;
  #answerTimer?: NodeJS.Timeout;

  constructor(
    context: CallContext,
    invite: ServerTransaction,
    offer: string | null,
    sessionTimer: SessionTimer | null,
    answerTimeoutMs: number,
    origin: CallerOrigin = { trustedTrunk: false, user: userPartOf(invite.request.headers.from.uri), withheld: identityWithheld(invite.request) },
  ) {
    super();
    const request = invite.request;
    this.#context = context;
    this.#invite = invite;
    this.callId = request.headers['call-id'];
    this.remoteTag = request.headers.from.params.tag!;
    this.from = {
      uri: request.headers.from.uri,
      displayName: request.headers.from.name?.replace(/^"|"$/g, '') || undefined,
      user: userPartOf(request.headers.from.uri),
    };
    this.requestUri = request.uri;
    this.dialledUser = userPartOf(request.uri);
    this.remote = invite.peer;
    this.offer = offer;
    this.sessionTimer = sessionTimer;
    this.origin = origin;
    const contact = request.headers.contact;
    this.#remoteTarget = Array.isArray(contact) && contact[0] ? contact[0].uri : request.headers.from.uri;
    this.#routeSet = request.raw['record-route'] ?? [];
    this.#localAddr = { ...request.headers.to, params: { ...request.headers.to.params, tag: this.localTag } };
    this.#remoteAddr = request.headers.from;
    this.#remoteCSeq = request.headers.cseq.seq;
    this.#answerTimer = setTimeout(() => {
      if (this.state === 'incoming') {
        context.log('warn', `call ${this.callId} not answered in time`);
        this.#finalReject(480, 'unanswered');
      }
    }, answerTimeoutMs);
  }

  /** Dialog key: Call-ID with both tags. */
  get dialogKey(): string {
    return dialogKey(this.callId, this.localTag, this.remoteTag);
  }

  #respond(transaction: ServerTransaction, status: number, options: Parameters<typeof buildResponse>[2] = {}): string {
    const message = buildResponse(transaction.request, status, {
      toTag: this.localTag,
      source: transaction.peer,
      serverName: this.#context.serverName,
      ...options,
    });
    transaction.respond(status, message);
    return message;
  }

  #contact(): string {
    const transport = this.remote.transport === 'TCP' ? ';transport=tcp' : '';
    return `<sip:gateway@${this.#context.contactHost()}:${this.#context.port()}${transport}>`;
  }

  #dialogHeaders(): Record<string, string> {
    const headers: Record<string, string> = { contact: this.#contact(), allow: ALLOW, supported: 'timer' };
    if (this.sessionTimer) {
      headers['session-expires'] = `${this.sessionTimer.interval};refresher=uac`;
      headers.require = 'timer';
    }
    return headers;
  }

  /** 180 Ringing. */
  ring(): void {
    if (this.state !== 'incoming') return;
    this.#respond(this.#invite, 180, { headers: { contact: this.#contact() } });
  }

  /** 200 OK with the gateway's SDP: the answer to the caller's offer, or an offer when the INVITE had none. */
  answer(localSdp: string): void {
    if (this.state !== 'incoming') throw new Error(`cannot answer a call in state ${this.state}`);
    clearTimeout(this.#answerTimer);
    this.state = 'answered';
    const headers = this.#dialogHeaders();
    // RFC 3261 §12.1.1: the Record-Route set goes back in the 2xx, in the same order.
    if (this.#routeSet.length) headers['record-route'] = this.#routeSet.join(', ');
    const message = this.#respond(this.#invite, 200, { headers, content: localSdp });
    this.#await2xxAck(this.#invite.request.headers.cseq.seq, message, (sdp) => {
      this.state = 'confirmed';
      this.emit('confirmed', this.offer === null ? sdp : null);
      if (this.#hangupAfterAck) this.hangup();
    });
    this.#armSessionTimer();
  }

  /** A final error response (4xx–6xx); the call ends. */
  reject(status = 486, reason?: string): void {
    if (!Number.isInteger(status) || status < 400 || status > 699) throw new RangeError(`not a rejection status: ${status}`);
    if (this.state !== 'incoming') return;
    this.#finalReject(status, 'rejected', reason);
  }

  #finalReject(status: number, why: CallEndReason, reason?: string): void {
    clearTimeout(this.#answerTimer);
    this.#respond(this.#invite, status, { ...(reason ? { reason } : {}), headers: this.#rejectionHeaders(status) });
    this.#end(why);
  }

  /**
   * A 488 says why (RFC 3261 §20.43, Warning 305 "Incompatible media format"): the offer had no
   * codec or transport the gateway takes, and a caller that can offer something else knows to.
   */
  #rejectionHeaders(status: number): Record<string, string> {
    return status === 488 ? { warning: `305 ${this.#context.contactHost()} "Incompatible media format"` } : {};
  }

  /** Ends the call from the gateway's side: a rejection before the answer, a BYE after it. */
  hangup(): void {
    switch (this.state) {
      case 'incoming':
        this.#finalReject(480, 'local-hangup');
        return;
      case 'answered':
        // RFC 3261 §15: no BYE before the ACK; it goes out when the ACK arrives (or times out).
        this.#hangupAfterAck = true;
        return;
      case 'confirmed':
        this.#sendBye();
        this.#end('local-hangup');
        return;
      case 'ended':
        return;
    }
  }

  #sendBye(): void {
    const branch = `${SIP_BRANCH_MAGIC_COOKIE}${randomBytes(10).toString('hex')}`;
    const message = buildRequest({
      method: 'BYE',
      uri: this.#remoteTarget,
      via: { transport: this.remote.transport, host: this.#context.contactHost(), port: this.#context.port(), branch },
      from: this.#localAddr,
      to: this.#remoteAddr,
      callId: this.callId,
      cseq: this.#localCSeq++,
      route: this.#routeSet,
      serverName: this.#context.serverName,
    });
    this.#context.sendBye(this, message, branch);
  }

  #await2xxAck(cseq: number, message: string, onAck: (sdp: string | null) => void): void {
    const { t1, t2 } = this.#context.timers;
    const pending: Pending2xx = {
      cseq,
      onAck,
      deadline: setTimeout(() => this.#ackTimedOut(), 64 * t1),
    };
    this.#pending2xx = pending;
    if (!this.#context.reliable(this.remote)) {
      const retransmit = (interval: number) => {
        pending.timer = setTimeout(() => {
          this.#context.send(this.remote, message);
          retransmit(Math.min(interval * 2, t2));
        }, interval);
      };
      retransmit(t1);
    }
  }

  #clearPending2xx(): void {
    if (!this.#pending2xx) return;
    clearTimeout(this.#pending2xx.timer);
    clearTimeout(this.#pending2xx.deadline);
    this.#pending2xx = undefined;
  }

  #ackTimedOut(): void {
    this.#context.log('warn', `call ${this.callId}: no ACK for the 200 OK`);
    this.#clearPending2xx();
    // RFC 3261 §13.3.1.4: the UAS then ends the dialog with a BYE.
    this.#sendBye();
    this.#end('ack-timeout');
  }

  /** An ACK inside the dialog (for a 2xx). */
  acknowledged(ack: SipRequest): void {
    const pending = this.#pending2xx;
    if (!pending || ack.headers.cseq.seq !== pending.cseq) return;
    this.#clearPending2xx();
    let sdp = ack.content.length > 0 ? ack.content : null;
    if (sdp !== null && !parseSdp(sdp).ok) {
      this.#context.log('warn', `call ${this.callId}: malformed SDP in ACK`);
      sdp = null;
    }
    pending.onAck(sdp);
  }

  /** Checks the CSeq of a request inside the dialog (RFC 3261 §12.2.2); answers 500 when it goes backwards. */
  acceptsCSeq(transaction: ServerTransaction): boolean {
    const seq = transaction.request.headers.cseq.seq;
    if (seq <= this.#remoteCSeq) {
      this.#respond(transaction, 500, { reason: 'CSeq Out Of Order' });
      return false;
    }
    this.#remoteCSeq = seq;
    return true;
  }

  /** A CANCEL for the INVITE arrived (the server already answered the CANCEL itself). */
  cancelled(): void {
    if (this.state !== 'incoming') return;
    this.#finalReject(487, 'cancelled');
  }

  /** BYE from the caller. */
  bye(transaction: ServerTransaction): void {
    this.#respond(transaction, 200);
    if (this.state === 'incoming') {
      this.#finalReject(487, 'remote-bye');
      return;
    }
    this.#end('remote-bye');
  }

  info(transaction: ServerTransaction): void {
    const request = transaction.request;
    if (request.content.length === 0) {
      this.#respond(transaction, 200);
      return;
    }
    const contentType = headerValue(request, 'content-type');
    const type = contentType?.split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/dtmf-relay' && type !== 'application/dtmf') {
      this.#respond(transaction, 415, { headers: { accept: 'application/dtmf-relay, application/dtmf' } });
      return;
    }
    const dtmf = parseSipInfoDtmf(contentType, request.content);
    if (!dtmf) {
      this.#respond(transaction, 400, { reason: 'Bad DTMF Body' });
      return;
    }
    this.#respond(transaction, 200);
    if (this.state === 'confirmed' || this.state === 'answered') this.emit('dtmf', dtmf.digit, 'sip-info');
  }

  /** A re-INVITE: a new offer (hold, unhold, new address) or a session refresh. */
  reinvite(transaction: ServerTransaction, sessionInterval: number | null): void {
    if (this.state !== 'confirmed' || this.#pending2xx) {
      this.#respond(transaction, 491);
      return;
    }
    if (this.#reinvite && !this.#reinvite.finalSent) {
      this.#respond(transaction, 500, { headers: { 'retry-after': String(Math.floor(Math.random() * 10)) } });
      return;
    }
    const request = transaction.request;
    const sdp = request.content.length > 0 ? request.content : null;
    if (sdp !== null && !parseSdp(sdp).ok) {
      this.#respond(transaction, 488, { reason: 'Malformed SDP' });
      return;
    }
    this.#reinvite = transaction;
    if (this.sessionTimer && sessionInterval !== null) (this as { sessionTimer: SessionTimer }).sessionTimer = { interval: sessionInterval };
    let settled = false;
    const timeout = setTimeout(() => {
      if (!settled) reoffer.reject(500);
    }, 8_000);
    const reoffer: ReOffer = {
      sdp,
      accept: (localSdp: string, onAnswer?: (answerSdp: string | null) => void) => {
        if (settled || this.state !== 'confirmed') return;
        settled = true;
        clearTimeout(timeout);
        const message = this.#respond(transaction, 200, { headers: this.#dialogHeaders(), content: localSdp });
        this.#await2xxAck(request.headers.cseq.seq, message, (answerSdp) => onAnswer?.(sdp === null ? answerSdp : null));
        this.#armSessionTimer();
      },
      reject: (status = 488) => {
        if (settled) return;
        settled = true;
        clearTimeout(timeout);
        const final = status >= 400 && status <= 699 ? status : 488;
        this.#respond(transaction, final, { headers: this.#rejectionHeaders(final) });
      },
    };
    if (this.listenerCount('reoffer') === 0) {
      reoffer.reject(488);
      return;
    }
    this.emit('reoffer', reoffer);
  }

  /** Answer to an OPTIONS inside the dialog. */
  options(transaction: ServerTransaction): void {
    this.#respond(transaction, 200, { headers: { allow: ALLOW, accept: 'application/sdp', supported: 'timer' } });
  }

  #armSessionTimer(): void {
    clearTimeout(this.#sessionTimer);
    if (!this.sessionTimer) return;
    const interval = this.sessionTimer.interval;
    // RFC 4028 §10: without a refresh, the non-refresher sends BYE shortly before the session expires.
    const after = (interval - Math.min(32, interval / 3)) * 1000;
    this.#sessionTimer = setTimeout(() => {
      if (this.state !== 'confirmed') return;
      this.#context.log('warn', `call ${this.callId}: session expired without refresh`);
      this.#sendBye();
      this.#end('session-expired');
    }, after);
  }

  /** The server is stopping: hang up what can be hung up. */
  shutdown(): void {
    if (this.state === 'incoming') this.#finalReject(503, 'server-stopped');
    else if (this.state === 'confirmed') {
      this.#sendBye();
      this.#end('server-stopped');
    } else if (this.state === 'answered') {
      this.#clearPending2xx();
      this.#end('server-stopped');
    }
  }

  #end(reason: CallEndReason): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    clearTimeout(this.#answerTimer);
    clearTimeout(this.#sessionTimer);
    this.#clearPending2xx();
    this.#context.ended(this);
    this.emit('ended', reason);
  }
}

/** `+49%2030…` → `+49 30…`; a malformed escape leaves the user part as it came. */
export function dialogKey(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}|${localTag}|${remoteTag}`;
}
