import { createServer, type Server } from 'node:net';
import { Logger } from '@nestjs/common';
import { Types } from 'mongoose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '../src/config/app-config';
import type { ClaimedMail, MailOutbox } from '../src/mail/outbox/mail-outbox';
import { OutboxDelivery } from '../src/mail/outbox/outbox-delivery';

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
      claimDue: vi.fn(async (): Promise<ClaimedMail | null> => null),
      remove: vi.fn(async () => undefined),
      reschedule: vi.fn(async (_mail: ClaimedMail, _dueAt: Date, _error: string) => undefined),
      expediteRetries: vi.fn(async () => undefined),
      backlog: vi.fn(async () => 1),
    },
  };
}

/** An SMTP server that knows no mailbox: every recipient is refused with 550. */
async function refusingSmtpServer(): Promise<{ url: string; server: Server }> {
  const server = createServer((socket) => {
    socket.write('220 test ESMTP\r\n');
    socket.on('data', (data) => {
      for (const line of data.toString().split('\r\n').filter(Boolean)) {
        if (/^RCPT/i.test(line)) socket.write('550 5.1.1 No such mailbox\r\n');
        else if (/^QUIT/i.test(line)) socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `smtp://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

function delivery(outbox: ReturnType<typeof fakeOutbox>['outbox'], giveUpAfterMs: number, smtpUrl = UNREACHABLE_SMTP): OutboxDelivery {
  const config = {
    mail: { smtpUrl, from: 'Konferenz <no-reply@example.org>', outbox: { pollMs: 60_000, retryMinMs: 5_000, retryMaxMs: 60_000, giveUpAfterMs } },
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
    const [mail, dueAt, error] = outbox.reschedule.mock.calls[0]!;
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

  it('goes on with the other due mails when the server refuses one recipient, and stays ready', async () => {
    const { outbox, queued } = fakeOutbox();
    const second = { ...queued, id: new Types.ObjectId(), claim: 'second:0', to: 'max@example.org' };
    outbox.claimDue.mockResolvedValueOnce({ ...queued, claim: 'first:0' }).mockResolvedValueOnce(second);
    outbox.backlog.mockResolvedValue(2);
    const { url, server } = await refusingSmtpServer();
    vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const subject = delivery(outbox, 48 * 3_600_000, url);
    await subject.poll();
    expect(outbox.reschedule).toHaveBeenCalledTimes(2);
    expect(outbox.reschedule.mock.calls[1]![2]).toMatch(/550/);
    expect(outbox.claimDue).toHaveBeenCalledTimes(3);
    expect((await subject.health()).ok).toBe(true);
    await subject.onModuleDestroy();
    server.close();
  });

  it('is ready while nothing failed', async () => {
    const { outbox } = fakeOutbox();
    outbox.backlog.mockResolvedValue(0);
    const subject = delivery(outbox, 1_000);
    expect(await subject.health()).toEqual({ ok: true });
    await subject.onModuleDestroy();
  });
});
