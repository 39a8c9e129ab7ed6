import { Logger } from '@nestjs/common';
import { join } from 'node:path';
import { REPO_ROOT, type AppConfig } from './config/app-config';
import { EmbeddedDatabase } from './database/embedded-database';
import { EmbeddedMailCatcher } from './mail/embedded-mail-catcher';

export type ResolvedConfig = AppConfig & { database: { uri: string }; mail: { smtpUrl: string } };

export interface EmbeddedServices {
  config: ResolvedConfig;
  /** The mail catcher's web inbox, when the embedded one runs. */
  mailInboxUrl?: string;
  stop(): Promise<void>;
}

/**
 * Starts what the configuration leaves out: FerretDB when MONGODB_URI is unset, MailDev when
 * SMTP_URL is unset. `npm start` and the integration tests both come through here, so they run
 * on the same parts.
 */
export async function startEmbeddedServices(config: AppConfig): Promise<EmbeddedServices> {
  const logger = new Logger('Embedded');
  const started: Array<{ stop(): Promise<void> }> = [];
  const stop = async () => {
    await Promise.all(started.map((service) => service.stop()));
  };
  try {
    let uri = config.database.uri;
    if (!uri) {
      const database = await EmbeddedDatabase.start({
        dataDir: join(config.dataDir, 'db'),
        port: config.database.embeddedPort,
        binaryPath: config.database.ferretdbBinary,
        log: (line) => logger.debug(`ferretdb: ${line}`),
      });
      started.push(database);
      uri = database.uri;
    }
    let smtpUrl = config.mail.smtpUrl;
    let mailInboxUrl: string | undefined;
    if (!smtpUrl) {
      const catcher = await EmbeddedMailCatcher.start({
        repoRoot: REPO_ROOT,
        smtpPort: config.mail.catcherSmtpPort,
        webPort: config.mail.catcherWebPort,
        mailDir: join(config.dataDir, 'mail'),
        log: (line) => logger.debug(`maildev: ${line}`),
      });
      started.push(catcher);
      smtpUrl = catcher.smtpUrl;
      mailInboxUrl = catcher.webUrl;
    }
    return {
      config: { ...config, database: { ...config.database, uri }, mail: { ...config.mail, smtpUrl } },
      mailInboxUrl,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
