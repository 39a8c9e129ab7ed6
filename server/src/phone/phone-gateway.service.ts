import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { SipCallAdmission, SipUserAgentServer } from '@konferenz/sip';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ConferenceService } from '../conference/conference.service';
import { JOIN_TOKENS } from '../conference/conference.tokens';
import type { JoinTokens } from '../conference/join-token';
import { RoomAccess } from '../rooms/room-access.service';
import { PhoneParticipant } from './phone-participant';
import { PromptLibrary } from './prompt-library';

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
  #server?: SipUserAgentServer;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly conferences: ConferenceService,
    private readonly access: RoomAccess,
    @Inject(JOIN_TOKENS) private readonly tokens: JoinTokens,
  ) {}

  /** The bound SIP port, or null when the gateway is off. */
  get port(): number | null {
    return this.#server?.port ?? null;
  }

  get server(): SipUserAgentServer | undefined {
    return this.#server;
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
    this.#server.on('call', (call) => {
      const participant = new PhoneParticipant(call, {
        config: this.config.sip,
        conferences: this.conferences,
        access: this.access,
        tokens: this.tokens,
        library: this.#library,
        logger: this.#logger,
      });
      void participant.start();
    });
    this.#logger.log(`Phone dial-in on sip:${publicHost}:${this.#server.port} (UDP and TCP)`);
  }

  async onModuleDestroy(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    await server?.stop();
  }
}
