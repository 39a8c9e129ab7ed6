import type { RegisterRequest } from '@konferenz/shared';
import { describe, expect, it, vi } from 'vitest';
import { InMemoryUsersRepository } from '../../test/support/in-memory-users-repository';
import { mailbox, openLimiter, plainHasher, unitConfig } from '../../test/support/service-fakes';
import { RoomsService } from '../rooms/rooms.service';
import type { AttemptLimiter } from '../security/attempt-limiter.service';
import { AccountLinks } from './account-links';
import { RegistrationService } from './registration.service';

const MINUTE = 60_000;

function setUp(limiter: AttemptLimiter = openLimiter) {
  const users = new InMemoryUsersRepository();
  const rooms = new RoomsService(plainHasher, unitConfig);
  const { mail, sent } = mailbox();
  const registration = new RegistrationService(users, unitConfig, rooms, plainHasher, limiter, mail, new AccountLinks(unitConfig));
  return { users, rooms, mail, sent, registration };
}

let serial = 0;
function request(fields: Partial<RegisterRequest> = {}): RegisterRequest {
  serial++;
  return {
    username: `Anna${serial}`,
    email: `Anna${serial}@Example.org`,
    password: 'a long enough passphrase',
    firstName: 'Anna',
    lastName: 'Muster',
    address: { street: 'Hauptstraße', houseNumber: '1', postalCode: '10115', city: 'Berlin', country: 'DE' },
    language: 'de',
    company: undefined,
    phone: undefined,
    ...fields,
  };
}

const tokenIn = (text: string) => /token=([0-9a-f]{64})/.exec(text)![1]!;

describe('RegistrationService', () => {
  it('creates the account with its room and lower-cased keys, and mails the welcome with the room number', async () => {
    const { users, sent, registration } = setUp();
    const form = request();
    await registration.register(form, '192.0.2.1');
    const [user] = users.stored;
    expect(user).toMatchObject({
      username: form.username,
      usernameKey: form.username.toLowerCase(),
      emailKey: form.email.toLowerCase(),
      emailVerifiedAt: null,
    });
    expect(user!.room).toMatchObject({ number: expect.stringMatching(/^[1-9]\d{7}$/), pinsSet: false });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.to).toBe(form.email);
    expect(sent[0]!.mail.text).toContain(user!.room.number);
  });

  it('removes the account again when its welcome mail cannot be queued, so registering again starts clean', async () => {
    const { users, mail, sent, registration } = setUp();
    const form = request();
    const queueing = vi.spyOn(mail, 'send').mockRejectedValueOnce(new Error('outbox write timed out'));
    await expect(registration.register(form, '192.0.2.1')).rejects.toThrow('outbox write timed out');
    expect(users.stored).toHaveLength(0);
    queueing.mockRestore();
    await registration.register(form, '192.0.2.1');
    expect(users.stored).toHaveLength(1);
    expect(sent[0]!.mail.text).toContain(users.stored[0]!.room.number);
  });

  it('tries the undo once more a moment later when the database was too busy for it too', async () => {
    vi.useFakeTimers();
    try {
      const { users, mail, registration } = setUp();
      vi.spyOn(mail, 'send').mockRejectedValueOnce(new Error('outbox write timed out'));
      const undo = vi.spyOn(users, 'removeUnannounced').mockRejectedValueOnce(new Error('pool wait timed out'));
      await expect(registration.register(request(), '192.0.2.1')).rejects.toThrow('outbox write timed out');
      expect(users.stored).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(undo).toHaveBeenCalledTimes(2);
      expect(users.stored).toHaveLength(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses a taken username, whatever its case', async () => {
    const { users, registration } = setUp();
    const first = request();
    await registration.register(first, '192.0.2.1');
    await expect(registration.register(request({ username: first.username.toUpperCase() }), '192.0.2.1')).rejects.toMatchObject({
      code: 'USERNAME_TAKEN',
    });
    expect(users.stored).toHaveLength(1);
  });

  it('answers a taken email like a new one and tells its owner by mail instead', async () => {
    const { users, sent, registration } = setUp();
    const first = request();
    await registration.register(first, '192.0.2.1');
    await registration.register(request({ email: first.email.toUpperCase() }), '192.0.2.1');
    expect(users.stored).toHaveLength(1);
    expect(sent.map((mail) => mail.to)).toEqual([first.email, first.email]);
    expect(sent[1]!.mail.text).toContain(first.username);
  });

  it('draws another room number when the first is taken', async () => {
    const { users, rooms, sent, registration } = setUp();
    const taken = users.add();
    const open = rooms.openPersonalRoom.bind(rooms);
    vi.spyOn(rooms, 'openPersonalRoom').mockImplementationOnce(async () => {
      const opened = await open();
      return { ...opened, room: { ...opened.room, number: taken.room.number } };
    });
    await registration.register(request(), '192.0.2.1');
    expect(users.stored).toHaveLength(2);
    expect(users.stored[1]!.room.number).not.toBe(taken.room.number);
    expect(sent[0]!.mail.text).toContain(users.stored[1]!.room.number);
  });

  it('verifies the email once with the mailed link', async () => {
    const { users, sent, registration } = setUp();
    await registration.register(request(), '192.0.2.1');
    const token = tokenIn(sent[0]!.mail.text);
    expect(await registration.verifyEmail(token)).toEqual({ status: 'verified' });
    expect(users.stored[0]!.emailVerifiedAt).toBeInstanceOf(Date);
    expect(users.stored[0]!.emailVerification).toBeNull();
    expect(await registration.verifyEmail(token)).toEqual({ status: 'already-verified' });
  });

  it('sends a new link at most once a minute, and keeps the old one when the new one cannot be mailed', async () => {
    const { users, mail, sent, registration } = setUp();
    const registered = new Date();
    await registration.register(request(), '192.0.2.1');
    const user = (await users.findActive(users.stored[0]!._id))!;
    await expect(registration.resendVerification(user, new Date(registered.getTime() + 30_000))).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    vi.spyOn(mail, 'send').mockRejectedValueOnce(new Error('SMTP server unreachable'));
    const first = users.stored[0]!.emailVerification!.tokenHash;
    await expect(registration.resendVerification(user, new Date(registered.getTime() + 2 * MINUTE))).rejects.toThrow('SMTP server unreachable');
    expect(users.stored[0]!.emailVerification!.tokenHash).toBe(first);
    await registration.resendVerification(user, new Date(registered.getTime() + 3 * MINUTE));
    expect(users.stored[0]!.emailVerification!.tokenHash).not.toBe(first);
    expect(sent).toHaveLength(2);
  });

  it('counts registrations per source address, and refuses one over the budget before creating or mailing anything', async () => {
    const consume = vi.fn(async (_key: string, _policy: { maxAttempts: number }) => false);
    const { users, sent, registration } = setUp({ ...openLimiter, consume } as unknown as AttemptLimiter);
    await expect(registration.register(request(), '192.0.2.1')).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    expect(consume).toHaveBeenCalledWith('register-ip:192.0.2.1', expect.objectContaining({ maxAttempts: unitConfig.limits.registrationsPerIpPerHour }));
    expect(users.stored).toHaveLength(0);
    expect(sent).toHaveLength(0);
  });

  it('stops after five taken room numbers in a row instead of drawing forever', async () => {
    const { users, rooms, sent, registration } = setUp();
    const taken = users.add();
    const open = rooms.openPersonalRoom.bind(rooms);
    vi.spyOn(rooms, 'openPersonalRoom').mockImplementation(async () => {
      const opened = await open();
      return { ...opened, room: { ...opened.room, number: taken.room.number } };
    });
    const renumber = vi.spyOn(rooms, 'renumber').mockImplementation((room) => room);
    await expect(registration.register(request(), '192.0.2.1')).rejects.toThrow('No free room number in 5 draws');
    expect(renumber).toHaveBeenCalledTimes(4);
    expect(users.stored).toHaveLength(1);
    expect(sent).toHaveLength(0);
  });

  it('refuses a verification link it never sent, and sends no new link to a verified address', async () => {
    const { users, sent, registration } = setUp();
    await expect(registration.verifyEmail('0'.repeat(64))).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    const verified = users.add({ emailVerifiedAt: new Date() });
    await registration.resendVerification(verified);
    expect(sent).toHaveLength(0);
  });
});
