import { Injectable } from '@nestjs/common';

export type PartState = { up: true } | { up: false; reason: string };
/** Answers whether one part of the server works; it is given CHECK_TIMEOUT_MS to say so. */
export type ReadinessCheck = () => Promise<PartState>;

export interface Readiness {
  ready: boolean;
  /** 'up', or 'down: <reason>', per part. */
  parts: Record<string, string>;
}

/** A part that hangs (a stalled database) must not hang the answer: a monitor wants it fast. */
export const CHECK_TIMEOUT_MS = 1_000;

export const up = (): PartState => ({ up: true });
export const down = (reason: string): PartState => ({ up: false, reason });

/** Runs a check within its time limit; a check that throws or takes too long reports the part down. */
async function bounded(check: ReadinessCheck): Promise<PartState> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<PartState>((resolve) => {
    timer = setTimeout(() => resolve(down(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([check().catch((error: Error) => down(error.message)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The parts whose health decides readiness (database, mail, media, phone): each registers its own
 * check, so the health endpoints need not know the parts and the parts need not know the endpoints.
 */
@Injectable()
export class ReadinessRegistry {
  readonly #checks = new Map<string, ReadinessCheck>();

  register(part: string, check: ReadinessCheck): void {
    if (this.#checks.has(part)) throw new Error(`Readiness check "${part}" registered twice`);
    this.#checks.set(part, check);
  }

  /** All checks at once, so the answer takes as long as the slowest one, at most CHECK_TIMEOUT_MS. */
  async check(): Promise<Readiness> {
    const states = await Promise.all([...this.#checks].map(async ([part, check]) => [part, await bounded(check)] as const));
    return {
      ready: states.every(([, state]) => state.up),
      parts: Object.fromEntries(states.map(([part, state]) => [part, state.up ? 'up' : `down: ${state.reason}`])),
    };
  }
}
