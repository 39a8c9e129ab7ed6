import { Logger, type LoggerService } from '@nestjs/common';

export interface CapturedLogs {
  /** The warnings: the lines fail2ban would read. */
  warn: string[];
  error: string[];
}

/** Replaces Nest's logger with one that keeps the warnings and errors (and prints nothing). */
export function captureLogs(): CapturedLogs {
  const logs: CapturedLogs = { warn: [], error: [] };
  const ignore = () => undefined;
  const capture: LoggerService = {
    log: ignore,
    debug: ignore,
    verbose: ignore,
    warn: (message: unknown) => logs.warn.push(String(message)),
    error: (message: unknown) => logs.error.push(String(message)),
  };
  Logger.overrideLogger(capture);
  return logs;
}
