import type { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import { ConferenceGateway } from './conference/conference.gateway';
import { ConferenceService } from './conference/conference.service';
import type { AppConfig } from './config/app-config';
import { APP_CONFIG } from './config/config.module';
import { PhoneGatewayService } from './phone/phone-gateway.service';

/** Requests in progress at a stop get this long to finish. */
const HTTP_DRAIN_MS = 1_000;

/**
 * Closes the app promptly. First the conferences learn that what follows is a stop, not people
 * leaving (callers hung up by the SIP gateway must not end a conference or lift its lock), and
 * the browsers hear that the server is going away (with several nodes: that their conference
 * moved, and the node's callers are seated again on the next node while their calls stay up here
 * until they end or SIP_DRAIN_SECONDS pass); then app.close() hangs up the callers (SIP
 * gateway), closes the sockets, then media and the database connection. HTTP connections
 * without a request in progress (keep-alive, a browser's preconnected socket) would otherwise
 * hold the close for minutes: idle ones go at once, the rest after a moment for answers still
 * going out.
 */
export async function closeApp(app: INestApplication, drainMs = HTTP_DRAIN_MS): Promise<void> {
  await app.get(ConferenceService, { strict: false }).stop();
  app.get(ConferenceGateway, { strict: false }).announceShutdown();
  // Several nodes: the calls this node answered stay up while their conferences run elsewhere.
  await app.get(PhoneGatewayService, { strict: false }).drain(app.get<AppConfig>(APP_CONFIG, { strict: false }).sip.drainMs);
  const http = app.getHttpServer() as Server;
  const cut = setTimeout(() => http.closeAllConnections(), drainMs);
  http.closeIdleConnections();
  try {
    await app.close();
  } finally {
    clearTimeout(cut);
  }
}
