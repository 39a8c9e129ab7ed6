import { Logger, type LoggerService } from '@nestjs/common';

/** Replaces Nest's logger with one that keeps the warnings (the lines fail2ban would read). */
export function captureWarnings(): string[] {
  const warnings: string[] = [];
  const ignore = () => undefined;
  const capture: LoggerService = { log: ignore, error: ignore, debug: ignore, verbose: ignore, warn: (message: unknown) => warnings.push(String(message)) };
  Logger.overrideLogger(capture);
  return warnings;
}
