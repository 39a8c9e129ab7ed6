import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { assertedCallerUser, callerId } from './caller-name';
import { networkSource } from './network-source';
import { parseSdp } from './sdp-negotiation';
import type { SipCallAdmission } from './sip-call-admission';
import { formatSipRefusal, RefusalLogBudget, type SipRefusalReason } from './sip-refusal-log';
import { isScannerUserAgent } from './sip-scanners';
import { SIP_ALLOWED_METHODS, SIP_MIN_SESSION_EXPIRES, SIP_REFUSED_METHODS, SIP_SUPPORTED_EXTENSIONS } from './sip-limits';
import { dialogKey, identityWithheld, SipCall, type CallContext, type CallerOrigin, type SessionTimer } from './sip-call';
import { buildResponse, headerTokens, headerValue, parseSipMessage, userPartOf, type ResponseOptions, type SipRequest, type SipResponse } from './sip-message';
import { ClientTransaction, RFC3261_TIMERS, ServerTransaction, serverTransactionKey, type SipTimers } from './sip-transactions';
import { SipTransport, type SipPeer } from './sip-transport';
import { TrustedTrunks } from './trusted-trunks';

export interface SipUserAgentServerOptions {
  /** Address to bind, e.g. 127.0.0.1 or 0.0.0.0. */
  host: string;
  /** Where the server's warnings (refused requests, in the format fail2ban reads) and failures go. */
  logger: SipLogger;
  /** UDP and TCP port; 0 picks a free one. */
  port: number;
  udp?: boolean;
  tcp?: boolean;
  /** Host written into Contact and Via: the address phones reach the gateway at. Defaults to `host` (required when binding 0.0.0.0). */
  publicHost?: string;
  /** Concurrent calls; more are answered 503. */
  maxCalls?: number;
  /** Concurrent calls per network source (IPv4 address, IPv6 /64), trusted trunks excepted; more are answered 480. Default: maxCalls − 1. */
  maxCallsPerSource?: number;
  /** SIP trunks whose asserted caller identity is trusted and whose calls skip the per-source limits. */
  trustedTrunks?: readonly string[];
  /** Server and User-Agent header value; empty sends none. */
  serverName?: string;
  /** Requests from known scanner user agents get no answer (they are logged). */
  dropScanners?: boolean;
  /** TCP connections per remote address, and how long one without a call may stay idle. */
  tcpConnectionsPerAddress?: number;
  tcpIdleTimeoutMs?: number;
  /** Rate limits on new calls per caller id and per source; none when left out. */
  admission?: SipCallAdmission;
  /** Time the application has to answer or reject a new call (then 480). */
  answerTimeoutMs?: number;
  /** Session interval proposed to callers that support session timers (RFC 4028), seconds. */
  sessionExpires?: number;
  timers?: Partial<SipTimers>;
  /** Server transactions alive at once; beyond it new requests get 503 (flood protection). */
  maxTransactions?: number;
  /** Server transactions one network source may hold (trusted trunks excepted), so one source cannot fill the table. Default: a quarter of maxTransactions. */
  maxTransactionsPerSource?: number;
}

/** What the server logs through: Nest's Logger fits, as does any console-like object. */
export interface SipLogger {
  error(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

export interface SipUserAgentServerEvents {
  call: [call: SipCall];
}

export interface SipStatistics {
  received: number;
  rejectedMalformed: number;
  dropped: number;
  /** Calls refused by the call-rate limits. */
  refusedByRate: number;
}

type Settings = Required<
  Omit<SipUserAgentServerOptions, 'logger' | 'timers' | 'publicHost' | 'admission' | 'trustedTrunks' | 'tcpConnectionsPerAddress' | 'tcpIdleTimeoutMs'>
> & {
  publicHost: string;
  admission?: SipCallAdmission;
  trustedTrunks: TrustedTrunks;
};

const ALLOW = SIP_ALLOWED_METHODS.join(', ');
/** What the gateway calls itself in Server and User-Agent: nothing that names the product to a scanner. */
export const DEFAULT_SERVER_NAME = 'SIP Gateway';
const SESSION_EXPIRES = /^(\d{1,9})(?:[ \t]*;[ \t]*(.*))?$/;

/**
 * The gateway's SIP user agent server: answers calls and the requests inside them, refuses
 * everything else. It never originates a call and never forwards a request (no registrar, no
 * proxy, no REFER), so there is no path for toll fraud; the only request it sends is the BYE
 * that ends a call it answered. Malformed messages are answered 400 when they can be, dropped
 * otherwise, and never throw.
 *
 * Listen for 'call': each SipCall is ringing until the application answers or rejects it.
 */
export class SipUserAgentServer extends EventEmitter<SipUserAgentServerEvents> {
  readonly #logger: SipLogger;
  readonly #transport: SipTransport;
  readonly #options: Settings;
  readonly #timers: SipTimers;
  readonly #transactions = new Map<string, ServerTransaction>();
  readonly #clients = new Map<string, ClientTransaction>();
  readonly #calls = new Map<string, SipCall>();
  /** Initial INVITEs by Call-ID, From tag and CSeq, to spot a request that arrives twice by different paths (RFC 3261 §8.2.2.2). */
  readonly #pendingInvites = new Map<string, string>();
  readonly #refusalLog = new RefusalLogBudget();
  /** Server transactions alive per network source, for maxTransactionsPerSource. */
  readonly #transactionsPerSource = new Map<string, number>();
  /** Calls alive per network source, for maxCallsPerSource. */
  readonly #callsPerSource = new Map<string, number>();
  readonly #statistics: SipStatistics = { received: 0, rejectedMalformed: 0, dropped: 0, refusedByRate: 0 };
  #stopping = false;
  /** Takes no new call; the calls up go on (a node handing its work to others before it stops). */
  #draining = false;

  private constructor(transport: SipTransport, options: Settings, timers: SipTimers, logger: SipLogger) {
    super();
    this.#logger = logger;
    this.#transport = transport;
    this.#options = options;
    this.#timers = timers;
    transport.on('message', (bytes, peer, framing) => {
      try {
        this.#receive(bytes, peer, framing);
      } catch (error) {
        // The last line of defence: a bug in a handler must not take the process down.
        this.#logger.error(`SIP handler failed: ${(error as Error).stack ?? error}`);
      }
    });
    transport.on('error', (error) => this.#logger.warn(`SIP socket: ${error.message}`));
    transport.on('refused', (peer) => this.#logRefusal('tcp-connection-limit', peer));
  }

  static async start(options: SipUserAgentServerOptions): Promise<SipUserAgentServer> {
    const publicHost = options.publicHost ?? options.host;
    if (publicHost === '0.0.0.0' || publicHost === '::') throw new Error('SIP: publicHost is required when binding all addresses');
    // Assigned once the transport listens; the transport may ask before that, hence the guard.
    // eslint-disable-next-line prefer-const
    let server: SipUserAgentServer | undefined;
    const transport = await SipTransport.listen({
      carriesCall: (peer) => (server ? server.#carriesCall(peer) : false),
      host: options.host,
      port: options.port,
      udp: options.udp,
      tcp: options.tcp,
      maxConnectionsPerAddress: options.tcpConnectionsPerAddress,
      idleTimeoutMs: options.tcpIdleTimeoutMs,
    });
    const maxCalls = options.maxCalls ?? 100;
    const settings: Settings = {
      host: options.host,
      port: transport.port,
      udp: options.udp ?? true,
      tcp: options.tcp ?? true,
      publicHost,
      maxCalls,
      maxCallsPerSource: options.maxCallsPerSource ?? Math.max(1, maxCalls - 1),
      trustedTrunks: new TrustedTrunks(options.trustedTrunks ?? []),
      serverName: options.serverName ?? DEFAULT_SERVER_NAME,
      dropScanners: options.dropScanners ?? true,
      answerTimeoutMs: options.answerTimeoutMs ?? 30_000,
      sessionExpires: options.sessionExpires ?? 1800,
      maxTransactions: options.maxTransactions ?? 5000,
      maxTransactionsPerSource: options.maxTransactionsPerSource ?? Math.max(1, Math.floor((options.maxTransactions ?? 5000) / 4)),
      admission: options.admission,
    };
    server = new SipUserAgentServer(transport, settings, { ...RFC3261_TIMERS, ...options.timers }, options.logger);
    return server;
  }

  /** Whether a call's dialog runs over this TCP connection (then it may stay idle). */
  #carriesCall(peer: SipPeer): boolean {
    for (const call of this.#calls.values()) {
      if (call.remote.transport === peer.transport && call.remote.address === peer.address && call.remote.port === peer.port) return true;
    }
    return false;
  }

  get port(): number {
    return this.#transport.port;
  }

  get host(): string {
    return this.#transport.host;
  }

  get calls(): SipCall[] {
    return [...this.#calls.values()];
  }

  get statistics(): Readonly<SipStatistics> {
    return { ...this.#statistics };
  }

  /**
   * New calls are answered 503 with Retry-After (a proxy or trunk in front tries another node at
   * once); the calls up go on until they end or stop() hangs them up.
   */
  drain(): void {
    this.#draining = true;
  }

  /** Hangs up every call (BYE or 503), then closes the sockets. */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    for (const call of this.#calls.values()) call.shutdown();
    // Let the BYEs and final responses leave before the sockets close.
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (const transaction of this.#transactions.values()) transaction.terminate();
    for (const client of this.#clients.values()) client.cancel();
    this.#clients.clear();
    await this.#transport.close();
  }

  #receive(bytes: Buffer, peer: SipPeer, framing: { stream: boolean; error?: string }): void {
    this.#statistics.received++;
    const result = parseSipMessage(bytes, { stream: framing.stream });
    switch (result.kind) {
      case 'keepalive':
        return;
      case 'drop':
        this.#statistics.dropped++;
        this.#logger.debug(
          `dropped a message from ${peer.address}:${peer.port}: ${result.reason} (${JSON.stringify(bytes.subarray(0, 80).toString('latin1'))})`,
        );
        break;
      case 'reject':
        this.#statistics.rejectedMalformed++;
        this.#logger.debug(`malformed message from ${peer.address}:${peer.port}: ${result.reason}`);
        this.#logRefusal('malformed', peer, { method: result.request.headers.cseq.method });
        if (result.request.headers.cseq.method !== 'ACK') {
          this.#transport.send(
            peer,
            buildResponse(result.request, result.status, { reason: result.reason, toTag: randomTag(), source: peer, serverName: this.#options.serverName }),
          );
        }
        break;
      case 'response':
        this.#response(result.response);
        break;
      case 'request':
        if (this.#dropsScanner(result.request, peer)) break;
        this.#request(result.request, peer);
        break;
    }
    if (framing.error) this.#transport.endConnection(peer);
  }

  #response(response: SipResponse): void {
    const branch = response.headers.via[0]?.params.branch;
    const client = branch ? this.#clients.get(`${branch}|${response.headers.cseq.method}`) : undefined;
    client?.received(response);
  }

  /** A reply outside any transaction (ACK-less errors, early refusals). */
  #reply(request: SipRequest, peer: SipPeer, status: number, options: ResponseOptions = {}): void {
    this.#transport.send(peer, buildResponse(request, status, { toTag: randomTag(), source: peer, serverName: this.#options.serverName, ...options }));
  }

  /** A known scanner's request: logged, and with dropScanners not answered at all. */
  #dropsScanner(request: SipRequest, peer: SipPeer): boolean {
    if (!this.#options.dropScanners || !isScannerUserAgent(headerValue(request, 'user-agent'))) return false;
    this.#statistics.dropped++;
    this.#logRefusal('scanner', peer, request);
    return true;
  }

  #logRefusal(reason: SipRefusalReason, peer: Pick<SipPeer, 'address' | 'port'>, request?: SipRequest | { method: string }): void {
    const budget = this.#refusalLog.take(networkSource(peer.address));
    if (!budget.log) return;
    this.#logger.warn(
      formatSipRefusal({
        reason,
        address: peer.address,
        port: peer.port,
        method: request?.method,
        userAgent: request && 'raw' in request ? headerValue(request, 'user-agent') : undefined,
        suppressed: budget.suppressed,
      }),
    );
  }

  #request(request: SipRequest, peer: SipPeer): void {
    if (request.method === 'ACK') {
      this.#ack(request);
      return;
    }
    const key = serverTransactionKey(request);
    const existing = this.#transactions.get(key);
    if (existing) {
      existing.retransmitted();
      return;
    }
    let origin: CallerOrigin | undefined;
    if (request.method === 'INVITE' && !request.headers.to.params.tag && !this.#stopping) {
      origin = this.#admitCall(request, peer);
      if (!origin) return;
    }
    // A transaction lives on for 32 s after its answer (UDP retransmissions): a flood of OPTIONS,
    // REGISTERs or in-dialog requests from one source must not fill the table for everyone.
    const source = networkSource(peer.address);
    const sourceFull =
      (this.#transactionsPerSource.get(source) ?? 0) >= this.#options.maxTransactionsPerSource && !this.#options.trustedTrunks.includes(peer.address);
    if (this.#transactions.size >= this.#options.maxTransactions || sourceFull || this.#stopping) {
      if (!this.#stopping) this.#logRefusal('transaction-limit', peer, request);
      this.#reply(request, peer, 503, { headers: { 'retry-after': '5' } });
      return;
    }
    const maxForwards = headerValue(request, 'max-forwards');
    if (maxForwards !== undefined && Number(maxForwards) === 0 && request.method !== 'OPTIONS') {
      this.#reply(request, peer, 483);
      return;
    }
    if (request.method !== 'CANCEL') {
      const unsupported = headerTokens(request, 'require').filter((option) => !(SIP_SUPPORTED_EXTENSIONS as readonly string[]).includes(option));
      if (unsupported.length > 0) {
        this.#reply(request, peer, 420, { headers: { unsupported: unsupported.join(', ') } });
        return;
      }
    }
    const transaction = new ServerTransaction(
      key,
      request,
      peer,
      (message) => this.#transport.send(peer, message),
      this.#transport.isReliable(peer),
      this.#timers,
      (ended) => {
        if (this.#transactions.get(ended.key) !== ended) return;
        this.#transactions.delete(ended.key);
        const left = (this.#transactionsPerSource.get(source) ?? 1) - 1;
        if (left > 0) this.#transactionsPerSource.set(source, left);
        else this.#transactionsPerSource.delete(source);
      },
    );
    this.#transactions.set(key, transaction);
    this.#transactionsPerSource.set(source, (this.#transactionsPerSource.get(source) ?? 0) + 1);
    const respond = (status: number, options: ResponseOptions = {}) =>
      transaction.respond(status, buildResponse(request, status, { toTag: randomTag(), source: peer, serverName: this.#options.serverName, ...options }));

    try {
      this.#dispatch(transaction, respond, origin);
    } catch (error) {
      this.#logger.error(`SIP ${request.method} handler failed: ${(error as Error).stack ?? error}`);
      if (!transaction.finalSent) respond(500);
    }
  }

  #dispatch(transaction: ServerTransaction, respond: (status: number, options?: ResponseOptions) => void, origin?: CallerOrigin): void {
    const request = transaction.request;
    const toTag = request.headers.to.params.tag;
    const call = toTag ? this.#calls.get(dialogKey(request.headers['call-id'], toTag, request.headers.from.params.tag!)) : undefined;
    switch (request.method) {
      case 'INVITE':
        if (!toTag) return this.#invite(transaction, respond, origin!);
        if (!call) return respond(481);
        if (!call.acceptsCSeq(transaction)) return;
        return call.reinvite(transaction, this.#sessionInterval(request, respond) ?? null);
      case 'CANCEL':
        return this.#cancel(request, respond);
      case 'BYE':
        if (!call) return respond(481);
        if (!call.acceptsCSeq(transaction)) return;
        return call.bye(transaction);
      case 'INFO':
        if (!call) return respond(481);
        if (!call.acceptsCSeq(transaction)) return;
        return call.info(transaction);
      case 'OPTIONS':
        if (call) return call.options(transaction);
        if (toTag) return respond(481);
        return respond(200, { headers: { allow: ALLOW, accept: 'application/sdp', supported: SIP_SUPPORTED_EXTENSIONS.join(', ') } });
      default:
        // svwar/svcrack probe extensions and passwords by REGISTER: every refusal is a log line for fail2ban.
        this.#logRefusal('method-not-allowed', transaction.peer, request);
        if ((SIP_REFUSED_METHODS as readonly string[]).includes(request.method)) return respond(405, { headers: { allow: ALLOW } });
        return respond(501, { headers: { allow: ALLOW } });
    }
  }

  #ack(ack: SipRequest): void {
    // The ACK for a non-2xx final response belongs to the INVITE transaction…
    const transaction = this.#transactions.get(serverTransactionKey(ack, 'ACK'));
    if (transaction && transaction.state === 'completed') {
      transaction.acknowledged();
      return;
    }
    // …the ACK for a 2xx is a request of its own inside the dialog.
    const toTag = ack.headers.to.params.tag;
    if (!toTag) return;
    this.#calls.get(dialogKey(ack.headers['call-id'], toTag, ack.headers.from.params.tag!))?.acknowledged(ack);
  }

  #cancel(cancel: SipRequest, respond: (status: number, options?: ResponseOptions) => void): void {
    const invite = this.#transactions.get(serverTransactionKey(cancel, 'INVITE'));
    if (!invite) {
      respond(481);
      return;
    }
    respond(200);
    const call = [...this.#calls.values()].find(
      (candidate) => candidate.state === 'incoming' && candidate.callId === cancel.headers['call-id'] && candidate.remoteTag === cancel.headers.from.params.tag,
    );
    if (call) call.cancelled();
    else if (!invite.finalSent)
      invite.respond(487, buildResponse(invite.request, 487, { toTag: randomTag(), source: invite.peer, serverName: this.#options.serverName }));
  }

  /**
   * RFC 4028 for a UAS that never refreshes: with `Supported: timer` the caller refreshes
   * (refresher=uac); a too-short interval gets 422. Returns the interval, null for none, or
   * undefined when the request was already answered.
   */
  #sessionInterval(request: SipRequest, respond: (status: number, options?: ResponseOptions) => void): number | null | undefined {
    const value = headerValue(request, 'session-expires');
    const callerSupportsTimer = headerTokens(request, 'supported').includes('timer') || headerTokens(request, 'require').includes('timer');
    const minSe = Math.max(SIP_MIN_SESSION_EXPIRES, Number(/^\d{1,9}/.exec(headerValue(request, 'min-se') ?? '')?.[0] ?? 0));
    if (value === undefined) return callerSupportsTimer ? Math.max(this.#options.sessionExpires, minSe) : null;
    const match = SESSION_EXPIRES.exec(value);
    if (!match) {
      respond(400, { reason: 'Bad Session-Expires' });
      return undefined;
    }
    const interval = Number(match[1]);
    if (interval < minSe) {
      respond(422, { headers: { 'Min-SE': String(minSe) } });
      return undefined;
    }
    // A caller without timer support cannot refresh, and this gateway does not: no session timer then.
    return callerSupportsTimer ? interval : null;
  }

  /**
   * The cheap refusals of a new call, before any transaction, port, menu or SDP work exists:
   * answered statelessly (RFC 3261 §8.2.7), so a flood of INVITEs leaves nothing behind (a
   * retransmission is simply judged again). Returns who calls when the call may go on.
   */
  #admitCall(request: SipRequest, peer: SipPeer): CallerOrigin | undefined {
    const mergeKey = `${request.headers['call-id']}|${request.headers.from.params.tag}|${request.headers.cseq.seq}`;
    const trustedTrunk = this.#options.trustedTrunks.includes(peer.address);
    const fromUser = userPartOf(request.headers.from.uri);
    const user = trustedTrunk ? (assertedCallerUser(headerValue(request, 'p-asserted-identity')) ?? fromUser) : fromUser;
    const withheld = identityWithheld(request);
    // The same INVITE by another path: #invite answers it 482, and it must not count twice.
    if (this.#pendingInvites.has(mergeKey)) return { trustedTrunk, user, withheld };
    if (this.#draining) {
      // Not a refusal of the caller (no fail2ban line): this node is going away.
      this.#reply(request, peer, 503, { headers: { 'retry-after': '5' } });
      return undefined;
    }
    if (this.#calls.size >= this.#options.maxCalls) {
      this.#logRefusal('server-busy', peer, request);
      this.#reply(request, peer, 503, { headers: { 'retry-after': '30' } });
      return undefined;
    }
    if (!trustedTrunk && (this.#callsPerSource.get(networkSource(peer.address)) ?? 0) >= this.#options.maxCallsPerSource) {
      this.#logRefusal('source-busy', peer, request);
      // 480 rather than 503: a 503 tells proxies in front of us the whole server is down.
      this.#reply(request, peer, 480, { headers: { 'retry-after': '30' } });
      return undefined;
    }
    const admission = this.#options.admission?.admit(callerId(user), peer.address, trustedTrunk);
    if (admission && !admission.admitted) {
      this.#statistics.refusedByRate++;
      this.#logRefusal(admission.reason === 'caller' ? 'rate-limited-caller' : 'rate-limited-source', peer, request);
      this.#reply(request, peer, 480, { headers: { 'retry-after': String(admission.retryAfterSeconds) } });
      return undefined;
    }
    return { trustedTrunk, user, withheld };
  }

  #invite(transaction: ServerTransaction, respond: (status: number, options?: ResponseOptions) => void, origin: CallerOrigin): void {
    const request = transaction.request;
    const mergeKey = `${request.headers['call-id']}|${request.headers.from.params.tag}|${request.headers.cseq.seq}`;
    const seenBranch = this.#pendingInvites.get(mergeKey);
    if (seenBranch && seenBranch !== transaction.key) return respond(482);
    const contact = request.headers.contact;
    if (!Array.isArray(contact) || contact.length !== 1) return respond(400, { reason: 'Contact Required' });
    const encoding = headerValue(request, 'content-encoding');
    if (encoding && encoding.toLowerCase() !== 'identity') return respond(415, { headers: { 'accept-encoding': 'identity' } });
    let offer: string | null = null;
    if (request.content.length > 0) {
      const type = headerValue(request, 'content-type')?.split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/sdp') return respond(415, { headers: { accept: 'application/sdp' } });
      const parsed = parseSdp(request.content);
      if (!parsed.ok) return respond(400, { reason: 'Malformed SDP' });
      offer = request.content;
    }
    const interval = this.#sessionInterval(request, respond);
    if (interval === undefined) return;
    const session: SessionTimer | null = interval === null ? null : { interval };

    this.#pendingInvites.set(mergeKey, transaction.key);
    setTimeout(() => this.#pendingInvites.delete(mergeKey), 64 * this.#timers.t1).unref();
    transaction.respond(100, buildResponse(request, 100, { source: transaction.peer, serverName: this.#options.serverName }));
    const call = new SipCall(this.#callContext(), transaction, offer, session, this.#options.answerTimeoutMs, origin);
    this.#calls.set(call.dialogKey, call);
    const source = networkSource(transaction.peer.address);
    this.#callsPerSource.set(source, (this.#callsPerSource.get(source) ?? 0) + 1);
    if (this.listenerCount('call') === 0) {
      call.reject(480);
      return;
    }
    this.emit('call', call);
  }

  #callContext(): CallContext {
    return {
      timers: this.#timers,
      send: (peer, message) => this.#transport.send(peer, message),
      reliable: (peer) => this.#transport.isReliable(peer),
      contactHost: () => this.#options.publicHost,
      serverName: this.#options.serverName,
      port: () => this.#transport.port,
      sendBye: (call, message, branch) => {
        const key = `${branch}|BYE`;
        const client = new ClientTransaction(
          branch,
          'BYE',
          message,
          (bytes) => this.#transport.send(call.remote, bytes),
          this.#transport.isReliable(call.remote),
          this.#timers,
          (_done, outcome) => {
            this.#clients.delete(key);
            if (outcome === 'timeout') this.#logger.debug(`BYE for ${call.callId} not answered`);
          },
        );
        this.#clients.set(key, client);
        client.start();
      },
      ended: (call) => {
        if (!this.#calls.delete(call.dialogKey)) return;
        const source = networkSource(call.remote.address);
        const left = (this.#callsPerSource.get(source) ?? 1) - 1;
        if (left > 0) this.#callsPerSource.set(source, left);
        else this.#callsPerSource.delete(source);
      },
      log: (level, message) => (level === 'warn' ? this.#logger.warn(message) : this.#logger.debug(message)),
    };
  }
}

function randomTag(): string {
  return randomBytes(8).toString('hex');
}
