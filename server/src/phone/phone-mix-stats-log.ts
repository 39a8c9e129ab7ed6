import type { Logger } from '@nestjs/common';
import type { RoomAudioMix } from '@konferenz/sfu';

/** How often a room's mix reports its frame timings. */
const INTERVAL_MS = 10_000;

interface Watch {
  roomNumber: string;
  logger: Logger;
  callers: number;
  timer: NodeJS.Timeout;
}

// One line per room mix however many of its callers watch it.
const watched = new Map<RoomAudioMix, Watch>();

/**
 * Logs a room's phone mix every 10 s at debug level while it has callers, in the one-line format
 * the benchmark parses: `phone-mix-stats {"room":…,"callers":…,"streams":…,"frames":…,"p50Ms":…,
 * "p99Ms":…,"maxMs":…,"decodesPerFrame":…,"thread":…}` (thread: the worker_threads id that mixed it), each window since the previous line. Returns the
 * caller's way out; the room's last caller stops the timer.
 */
export function watchPhoneMix(mix: RoomAudioMix, roomNumber: string, logger: Logger): () => void {
  let watch = watched.get(mix);
  if (!watch) {
    // The first window starts now (a mix whose thread is gone has nothing to report).
    mix.takeStats().catch(() => undefined);
    const timer = setInterval(() => void logMix(mix, watch!), INTERVAL_MS).unref();
    watch = { roomNumber, logger, callers: 0, timer };
    watched.set(mix, watch);
  }
  watch.callers++;
  let unwatched = false;
  return () => {
    if (unwatched) return;
    unwatched = true;
    if (--watch.callers > 0) return;
    clearInterval(watch.timer);
    watched.delete(mix);
  };
}

async function logMix(mix: RoomAudioMix, watch: Watch): Promise<void> {
  const stats = await mix.takeStats().catch(() => undefined);
  if (!stats) return;
  const line = {
    room: watch.roomNumber,
    callers: stats.listeners,
    streams: stats.streams,
    frames: stats.frames,
    p50Ms: round(stats.p50Ms),
    p99Ms: round(stats.p99Ms),
    maxMs: round(stats.maxMs),
    decodesPerFrame: round(stats.decodesPerFrame),
    thread: stats.threadId,
  };
  watch.logger.debug(`phone-mix-stats ${JSON.stringify(line)}`);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
