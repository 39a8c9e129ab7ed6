import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { MailOutbox, type ClaimedMail } from './mail-outbox';
import { nextAttemptAt, type RetryPolicy } from './retry-schedule';

/**
 * How long a claim holds. Longer than one SMTP attempt can take with the timeouts below, so a
 * mail is never delivered twice by two processes; a process that dies leaves it due again after this.
 */
const LEASE_MS = 2 * 60_000;
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };
/** Shutdown waits this long at most for deliveries under way; an unfinished one is retried after its lease. */
const SHUTDOWN_WAIT_MS = 2_000;
/**
 * Well inside the readiness check's 1 s: with the database down, mail still reports its own
 * state (the backlog unreadable) instead of a timeout that would blame the SMTP server.
 */
const BACKLOG_QUERY_TIMEOUT_MS = 500;

export interface MailHealth {
  ok: boolean;
  detail?: string;
}

/**
 * Delivers what the outbox holds: a mail at once when it is queued, everything due on every poll
 * (including what a previous or another process left behind), failures again with growing delays.
 */
@Injectable()
export class OutboxDelivery implements OnModuleInit, OnModuleDestroy {
  readonly #logger = new Logger('MailOutbox');
  readonly #transport: Transporter;
  readonly #from: string;
  readonly #pollMs: number;
  readonly #policy: RetryPolicy;
  readonly #inFlight = new Set<Promise<unknown>>();
  #poller: NodeJS.Timeout | undefined;
  #polling = false;
  /** A database outage is logged when it starts and when it ends, not on every poll. */
  #pollFailed = false;
  #stopped = false;
  /** This process's last SMTP failure, until a delivery succeeds again. */
  #failing: { at: Date; message: string } | null = null;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly outbox: MailOutbox,
  ) {
    if (!config.mail.smtpUrl) throw new Error('No SMTP server configured (SMTP_URL) and no embedded mail catcher started');
    this.#transport = createTransport({ url: config.mail.smtpUrl, ...SMTP_TIMEOUTS });
    this.#from = config.mail.from;
    const { pollMs, ...policy } = config.mail.outbox;
    this.#pollMs = pollMs;
    this.#policy = policy;
  }

  onModuleInit(): void {
    this.#poller = setInterval(() => this.#track(this.poll()), this.#pollMs);
    this.#poller.unref();
    // Whatever an earlier run left undelivered goes out now rather than after the first interval.
    this.#track(this.poll());
  }

  /** Queues the mail (acknowledged by the database) and starts its delivery without waiting for it. */
  async enqueue(to: string, mail: ClaimedMail['mail']): Promise<void> {
    const queued = await this.outbox.queue(to, mail, LEASE_MS);
    this.#track(this.#deliver(queued));
  }

  /**
   * Delivers the due mails one after the other. The first SMTP failure ends the round: the server
   * is down, and the remaining mails would only fail the same way. While it is down, each round
   * only asks whether it answers again, and when it does, everything waiting goes out at once.
   */
  async poll(): Promise<void> {
    if (this.#polling || this.#stopped) return;
    this.#polling = true;
    try {
      if (this.#failing && !(await this.#smtpAnswers())) return;
      while (!this.#stopped) {
        const mail = await this.outbox.claimDue(LEASE_MS);
        if (!mail || !(await this.#deliver(mail))) break;
      }
      if (this.#pollFailed) this.#logger.log('Outbox readable again');
      this.#pollFailed = false;
    } catch (error) {
      if (!this.#pollFailed) this.#logger.warn(`Outbox poll failed (retried every poll, logged again when it works): ${(error as Error).message}`);
      this.#pollFailed = true;
    } finally {
      this.#polling = false;
    }
  }

  /** For the readiness endpoint: not ok while this process's deliveries fail. */
  async health(): Promise<MailHealth> {
    const backlog = await Promise.race([
      this.outbox.backlog(),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), BACKLOG_QUERY_TIMEOUT_MS).unref()),
    ]).catch(() => null);
    const waiting = backlog === null ? 'outbox unreadable' : `${backlog} mail(s) waiting for a retry`;
    if (this.#failing) return { ok: false, detail: `SMTP delivery failing since ${this.#failing.at.toISOString()} (${this.#failing.message}); ${waiting}` };
    return backlog ? { ok: true, detail: waiting } : { ok: true };
  }

  async onModuleDestroy(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#poller);
    await Promise.race([Promise.allSettled([...this.#inFlight]), new Promise((resolve) => setTimeout(resolve, SHUTDOWN_WAIT_MS).unref())]);
    this.#transport.close();
  }

  /** False when the SMTP server is down (or unreachable); a refusal of this one mail does not count. */
  async #deliver(mail: ClaimedMail): Promise<boolean> {
    try {
      await this.#transport.sendMail({ from: this.#from, to: mail.to, ...mail.mail });
    } catch (error) {
      return this.#failed(mail, error as Error & { responseCode?: number });
    }
    await this.outbox.remove(mail);
    if (this.#failing) {
      await this.#recovered();
      this.#track(this.poll());
    }
    return true;
  }

  async #smtpAnswers(): Promise<boolean> {
    try {
      await this.#transport.verify();
    } catch (error) {
      if (this.#failing) this.#failing.message = (error as Error).message;
      return false;
    }
    await this.#recovered();
    return true;
  }

  async #recovered(): Promise<void> {
    const failing = this.#failing;
    // A delivery under way may have noticed first.
    if (!failing) return;
    this.#failing = null;
    this.#logger.log(`SMTP delivery works again after failing since ${failing.at.toISOString()}`);
    await this.outbox.expediteRetries();
  }

  /** Keeps the mail for a retry, or gives it up; returns whether the server itself still works. */
  async #failed(mail: ClaimedMail, error: Error & { responseCode?: number }, now = new Date()): Promise<boolean> {
    const { message } = error;
    // A permanent refusal (5xx) concerns this mail (e.g. an unknown mailbox), not the server.
    const serverWorks = error.responseCode !== undefined && error.responseCode >= 500;
    try {
      const failures = mail.failures + 1;
      const dueAt = nextAttemptAt(mail.queuedAt, failures, this.#policy, now);
      if (!dueAt) {
        this.#logger.error(`Mail "${mail.mail.subject}" to ${mail.to} given up after ${failures} attempts since ${mail.queuedAt.toISOString()}: ${message}`);
        await this.outbox.remove(mail);
      } else {
        this.#logger.warn(`Mail to ${mail.to} not delivered (attempt ${failures}, next at ${dueAt.toISOString()}): ${message}`);
        await this.outbox.reschedule(mail, dueAt, message);
      }
    } finally {
      // Only once the mail is stored as waiting: readiness then never reports the failure with
      // a backlog that does not count this mail yet.
      if (!serverWorks) {
        this.#failing ??= { at: now, message };
        this.#failing.message = message;
      }
    }
    return serverWorks;
  }

  #track(work: Promise<unknown>): void {
    const tracked = work.catch((error: Error) => this.#logger.error(`Mail delivery: ${error.message}`)).finally(() => this.#inFlight.delete(tracked));
    this.#inFlight.add(tracked);
  }
}
