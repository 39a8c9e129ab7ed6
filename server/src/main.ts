import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig, loggerLevels } from './config/app-config';
import { createApp } from './create-app';
import { startEmbeddedServices } from './embedded/embedded-services';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78);
    }
    throw error;
  }
  // Before the embedded services start, so their output obeys LOG_LEVEL too.
  Logger.overrideLogger(loggerLevels(config.logLevel));
  const logger = new Logger('Konferenz');
  const embedded = await startEmbeddedServices(config);
  const app = await createApp(embedded.config);
  await app.listen(config.port, config.host);

  logger.log(`Konferenz is running at ${config.publicUrl}`);
  if (!config.database.uri) logger.log(`Embedded database (FerretDB): ${embedded.config.database.uri}`);
  if (embedded.mailInboxUrl) logger.log(`Mail catcher inbox (MailDev): ${embedded.mailInboxUrl}`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received, stopping`);
    await app.close();
    await embedded.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
