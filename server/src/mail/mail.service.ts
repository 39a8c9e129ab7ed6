import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import type { RenderedMail } from './templates/layout';

/** Sends rendered mails over SMTP; the SMTP server is the embedded catcher unless SMTP_URL is set. */
@Injectable()
export class MailService implements OnModuleDestroy {
  readonly #logger = new Logger(MailService.name);
  readonly #transport: Transporter;
  readonly #from: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    if (!config.mail.smtpUrl) throw new Error('No SMTP server configured (SMTP_URL) and no embedded mail catcher started');
    this.#transport = createTransport(config.mail.smtpUrl);
    this.#from = config.mail.from;
  }

  async send(to: string, mail: RenderedMail): Promise<void> {
    await this.#transport.sendMail({ from: this.#from, to, subject: mail.subject, text: mail.text, html: mail.html });
  }

  /**
   * For mails that must not slow down or fail the request (and must not reveal by their timing
   * which branch was taken): delivery problems are logged, the caller carries on.
   */
  sendInBackground(to: string, mail: RenderedMail): void {
    this.send(to, mail).catch((error: Error) => this.#logger.error(`Mail to ${to} failed: ${error.message}`));
  }

  onModuleDestroy(): void {
    this.#transport.close();
  }
}
