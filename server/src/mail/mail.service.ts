import { Injectable, Logger } from '@nestjs/common';
import { OutboxDelivery } from './outbox/outbox-delivery';
import type { RenderedMail } from './templates/layout';

/**
 * Sends rendered mails over SMTP (the embedded catcher unless SMTP_URL is set) through a
 * persisted outbox: a mail that cannot be delivered now is retried, also after a restart.
 */
@Injectable()
export class MailService {
  readonly #logger = new Logger(MailService.name);

  constructor(private readonly delivery: OutboxDelivery) {}

  /** Resolves once the mail is safely queued; delivery follows at once and is retried until it succeeds. */
  send(to: string, mail: RenderedMail): Promise<void> {
    return this.delivery.enqueue(to, mail);
  }

  /**
   * For mails that must not slow down or fail the request (and must not reveal by their timing
   * which branch was taken): not even the queueing is waited for; a failure is logged.
   */
  sendInBackground(to: string, mail: RenderedMail): void {
    this.send(to, mail).catch((error: Error) => this.#logger.error(`Mail to ${to} could not be queued: ${error.message}`));
  }
}
