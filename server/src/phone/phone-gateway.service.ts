import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { evenPortCount, PhoneMixThreads } from '@konferenz/sfu';
import { SipCallAdmission, SipUserAgentServer } from '@konferenz/sip';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ConferenceService } from '../conference/conference.service';
import { JOIN_TOKENS } from '../conference/conference.tokens';
import type { JoinTokens } from '../conference/join-token';
import { RoomAccess } from '../rooms/room-access.service';
import { NodeLinkKey } from './link/node-link-key';
import { PhoneParticipant } from './phone-participant';
import { PromptLibrary } from './prompt-library';

/** See #relocateLimitMs. */
const RELOCATE_MARGIN_MS = 5_000;
/** How often a draining node looks whether its calls have ended. */
const DRAIN_POLL_MS = 200;

/**
 * Phone dial-in: the SIP user agent server on SIP_HOST:SIP_PORT (UDP and TCP), each call a
 * PhoneParticipant of the same ConferenceService the browsers use. SIP_PORT=0 turns it off; a
 * port that cannot be bound (taken by another SIP server, or privileged) logs a warning and
 * leaves the rest of the server running without phones.
 */
@Injectable()
export class PhoneGatewayService implements OnApplicationBootstrap, OnModuleDestroy {
  readonly #logger = new Logger('SipGateway');
  readonly #library = new PromptLibrary();
  readonly #linkKey: NodeLinkKey;
  #server?: SipUserAgentServer;
  #mixThreads?: PhoneMixThreads;
  #draining = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly conferences: ConferenceService,
    private readonly access: RoomAccess,
    @Inject(JOIN_TOKENS) private readonly tokens: JoinTokens,
  ) {
    this.#linkKey = new NodeLinkKey(config.secrets.session);
  }

  /** The bound SIP port, or null when the gateway is off. */
  get port(): number | null {
    return this.#server?.port ?? null;
  }

  get server(): SipUserAgentServer | undefined {
    return this.#server;
  }

  /** The node is stopping and keeps only the calls it has (drain). */
  get draining(): boolean {
    return this.#draining;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { port, host, publicHost, maxCalls, maxCallsPerSource, callLimits, trustedTrunks, serverName, dropScanners } = this.config.sip;
    if (port === 0) return;
    try {
      this.#server = await SipUserAgentServer.start({
        host,
        port,
        logger: new Logger('Sip'),
        publicHost,
        maxCalls,
        maxCallsPerSource,
        trustedTrunks,
        serverName,
        dropScanners,
        admission: new SipCallAdmission(callLimits),
      });
    } catch (error) {
      this.#logger.warn(`Phone dial-in is off: SIP port ${host}:${port} cannot be used (${(error as Error).message}); set SIP_PORT to a free port, or 0`);
      return;
    }
    const mixThreads = new PhoneMixThreads({ threads: this.config.sip.mixThreads });
    this.#mixThreads = mixThreads;
    this.#server.on('call', (call) => {
      const participant = new PhoneParticipant(call, {
        config: this.config.sip,
        conferences: this.conferences,
        access: this.access,
        tokens: this.tokens,
        linkKey: this.#linkKey,
        relocateLimitMs: this.#relocateLimitMs(),
        library: this.#library,
        mixThreads,
        logger: this.#logger,
      });
      void participant.start();
    });
    this.#logger.log(`Phone dial-in on sip:${publicHost}:${this.#server.port} (UDP and TCP)`);
    const { rtpPorts } = this.config.sip;
    const evenPorts = rtpPorts ? evenPortCount(rtpPorts) : Infinity;
    if (evenPorts < maxCalls) {
      this.#logger.warn(`SIP_RTP_PORTS holds ${evenPorts} RTP ports for SIP_MAX_CALLS ${maxCalls} calls: calls beyond ${evenPorts} are refused 503`);
    }
  }

  /** A moved conference is taken over within a lease (its node died) or at once (it stopped): a call waits for that, and some more. */
  #relocateLimitMs(): number {
    const { cluster } = this.config;
    return cluster ? 2 * cluster.leaseMs + RELOCATE_MARGIN_MS : 0;
  }

  /**
   * Several nodes, at a stop: the node takes no new call, and the calls it answered stay up,
   * their callers seated wherever their conferences moved, until they end or `limitMs` passes.
   */
  async drain(limitMs: number): Promise<void> {
    const server = this.#server;
    if (!server || limitMs <= 0) return;
    this.#draining = true;
    server.drain();
    const until = Date.now() + limitMs;
    if (server.calls.length > 0) this.#logger.log(`Stopping: ${server.calls.length} call(s) stay up until they end, at most ${Math.round(limitMs / 1000)} s`);
    while (server.calls.length > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
  }

  async onModuleDestroy(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    await server?.stop();
    // After the calls: their bridges are closed, nothing is mixing any more.
    await this.#mixThreads?.stop();
    this.#mixThreads = undefined;
  }
}
