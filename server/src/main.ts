import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig, loggerLevels } from './config/app-config';
import { closeApp } from './app-shutdown';
import { createApp } from './create-app';
import { startEmbeddedServices } from './embedded-services';

/** The stop normally takes about a second; after this long the process exits regardless. */
const STOP_LIMIT_MS = 10_000;

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

  logger.log(`Konferenz is running at ${config.publicUrl} (Node ${process.version})`);
  if (!config.database.uri) logger.log(`Embedded database (FerretDB): ${embedded.config.database.uri}`);
  if (embedded.mailInboxUrl) logger.log(`Mail catcher inbox (MailDev): ${embedded.mailInboxUrl}`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    // Ctrl-C under `npm start` arrives twice (terminal and scripts/start.mjs): one stop is enough.
    if (stopping) return;
    stopping = true;
    const started = Date.now();
    logger.log(`${signal} received, stopping`);
    // A safety net: whatever hangs, the process is gone soon after.
    // (Several nodes: the calls that stay up for SIP_DRAIN_SECONDS come on top.)
    const limitMs = STOP_LIMIT_MS + config.sip.drainMs;
    setTimeout(() => {
      logger.error(`Stopping took longer than ${limitMs / 1000} s, exiting anyway`);
      process.exit(1);
    }, limitMs).unref();
    // Browsers and callers hear first, then their connections close, then the embedded services stop.
    await closeApp(app);
    await embedded.stop();
    logger.log(`Stopped in ${Date.now() - started} ms`);
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
