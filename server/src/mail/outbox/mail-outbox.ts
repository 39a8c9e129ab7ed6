import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, Types } from 'mongoose';
import type { RenderedMail } from '../templates/layout';
import { OutboxClaim, OutboxMail } from './outbox-mail.schema';

const DUPLICATE_KEY = 11000;
/** Due mails looked at per claim; more than one, so mails claimed by another process are skipped. */
const CANDIDATES = 10;

/** A mail this process may make one delivery attempt for, until it reports the outcome. */
export interface ClaimedMail {
  id: Types.ObjectId;
  /** Null for a mail its own sender delivers right after queueing it (nobody else sees it before its due time). */
  claim: string | null;
  to: string;
  mail: RenderedMail;
  queuedAt: Date;
  failures: number;
}

type StoredMail = OutboxMail & { _id: Types.ObjectId };

function claimed(document: StoredMail, claim: string | null): ClaimedMail {
  const { _id, to, subject, text, html, queuedAt, failures } = document;
  return { id: _id, claim, to, mail: { subject, text, html }, queuedAt, failures };
}

/** The `mail_outbox` collection: queue, claim, and settle mails. Every write is acknowledged. */
@Injectable()
export class MailOutbox {
  constructor(
    @InjectModel(OutboxMail.name) private readonly mails: Model<OutboxMail>,
    @InjectModel(OutboxClaim.name) private readonly claims: Model<OutboxClaim>,
  ) {}

  /**
   * Stores a mail for its sender to deliver right away: it falls due for everyone else only after
   * `leaseMs`, which covers the sender's first attempt or its crash.
   */
  async queue(to: string, mail: RenderedMail, leaseMs: number, now = new Date()): Promise<ClaimedMail> {
    const document = await this.mails.create({ to, ...mail, queuedAt: now, dueAt: new Date(now.getTime() + leaseMs) });
    return claimed(document.toObject(), null);
  }

  /** Claims the most overdue mail that no other process is attempting; null when there is none. */
  async claimDue(leaseMs: number, now = new Date()): Promise<ClaimedMail | null> {
    await this.claims.deleteMany({ expiresAt: { $lte: now } });
    const candidates = await this.mails
      .find({ dueAt: { $lte: now } })
      .sort({ dueAt: 1 })
      .limit(CANDIDATES)
      .lean<StoredMail[]>();
    for (const candidate of candidates) {
      const claim = `${candidate._id.toString()}:${candidate.failures}`;
      try {
        await this.claims.create({ _id: claim, expiresAt: new Date(now.getTime() + leaseMs) });
      } catch (error) {
        if ((error as { code?: number }).code === DUPLICATE_KEY) continue;
        throw error;
      }
      // The key may have been freed just now by a holder that settled this very attempt (the mail
      // is then gone or counts one more failure): only a mail still as it was read is ours.
      const current = await this.mails.findOne({ _id: candidate._id, failures: candidate.failures }).lean<StoredMail>();
      if (current) return claimed(current, claim);
      await this.claims.deleteOne({ _id: claim });
    }
    return null;
  }

  /** Delivered (or given up): the mail and its personal data go. */
  async remove(mail: ClaimedMail): Promise<void> {
    await this.mails.deleteOne({ _id: mail.id });
    await this.#release(mail);
  }

  async reschedule(mail: ClaimedMail, dueAt: Date, error: string): Promise<void> {
    await this.mails.updateOne({ _id: mail.id, failures: mail.failures }, { $set: { dueAt, lastError: error }, $inc: { failures: 1 } });
    await this.#release(mail);
  }

  /** The SMTP server is back: what waits for a retry need not wait out its backoff. */
  async expediteRetries(now = new Date()): Promise<void> {
    await this.mails.updateMany({ failures: { $gt: 0 }, dueAt: { $gt: now } }, { $set: { dueAt: now } });
  }

  /** Mails that failed at least once and still wait for another attempt. */
  backlog(): Promise<number> {
    return this.mails.countDocuments({ failures: { $gt: 0 } });
  }

  /** Only after the mail is settled: whoever takes the key next then sees the outcome. */
  async #release(mail: ClaimedMail): Promise<void> {
    if (mail.claim) await this.claims.deleteOne({ _id: mail.claim });
  }
}
