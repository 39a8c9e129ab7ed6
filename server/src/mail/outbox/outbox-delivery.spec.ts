import { Logger } from '@nestjs/common';
import { Types } from 'mongoose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '../../config/app-config';
import type { ClaimedMail, MailOutbox } from './mail-outbox';
import { OutboxDelivery } from './outbox-delivery';

/** Nothing listens on port 1: every delivery fails at once with ECONNREFUSED. */
const UNREACHABLE_SMTP = 'smtp://127.0.0.1:1';

function fakeOutbox() {
  const queued: ClaimedMail = {
    id: new Types.ObjectId(),
    claim: null,
    to: 'erika@example.org',
    mail: { subject: 'Hallo', text: 'Text', html: '<p>Text</p>' },
    queuedAt: new Date(),
    failures: 0,
  };
  return {
    queued,
    outbox: {
      queue: vi.fn(async () => queued),
      claimDue: vi.fn(async () => null),
      remove: vi.fn(async () => undefined),
      reschedule: vi.fn(async () => undefined),
      expediteRetries: vi.fn(async () => undefined),
      backlog: vi.fn(async () => 1),
    },
  };
}

function delivery(outbox: ReturnType<typeof fakeOutbox>['outbox'], giveUpAfterMs: number): OutboxDelivery {
  const config = {
    mail: { smtpUrl: UNREACHABLE_SMTP, from: 'Konferenz <no-reply@example.org>', outbox: { pollMs: 60_000, retryMinMs: 5_000, retryMaxMs: 60_000, giveUpAfterMs } },
  } as unknown as AppConfig;
  return new OutboxDelivery(config, outbox as unknown as MailOutbox);
}

async function settled(outbox: ReturnType<typeof fakeOutbox>['outbox']): Promise<void> {
  await vi.waitFor(() => expect(outbox.reschedule.mock.calls.length + outbox.remove.mock.calls.length).toBe(1));
}

describe('OutboxDelivery', () => {
  afterEach(() => vi.restoreAllMocks());

  it('keeps a mail it could not deliver, for a retry after the minimum delay, and reports the failure as not ready', async () => {
    const { outbox, queued } = fakeOutbox();
    const subject = delivery(outbox, 48 * 3_600_000);
    vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const before = Date.now();
    await subject.enqueue(queued.to, queued.mail);
    await settled(outbox);
    const [mail, dueAt, error] = outbox.reschedule.mock.calls[0] as unknown as [ClaimedMail, Date, string];
    expect(mail).toBe(queued);
    expect(dueAt.getTime()).toBeGreaterThanOrEqual(before + 5_000);
    expect(error).toMatch(/ECONNREFUSED/);
    expect(outbox.remove).not.toHaveBeenCalled();
    const health = await subject.health();
    expect(health.ok).toBe(false);
    expect(health.detail).toMatch(/ECONNREFUSED.*1 mail\(s\) waiting/);
    await subject.onModuleDestroy();
  });

  it('gives a mail up with an error line once its time is over', async () => {
    const { outbox, queued } = fakeOutbox();
    const subject = delivery(outbox, 1_000);
    const errors = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    await subject.enqueue(queued.to, queued.mail);
    await settled(outbox);
    expect(outbox.remove).toHaveBeenCalledWith(queued);
    expect(outbox.reschedule).not.toHaveBeenCalled();
    expect(errors).toHaveBeenCalledWith(expect.stringMatching(/^Mail "Hallo" to erika@example.org given up after 1 attempts/));
    await subject.onModuleDestroy();
  });

  it('is ready while nothing failed', async () => {
    const { outbox } = fakeOutbox();
    outbox.backlog.mockResolvedValue(0);
    const subject = delivery(outbox, 1_000);
    expect(await subject.health()).toEqual({ ok: true });
    await subject.onModuleDestroy();
  });
});
