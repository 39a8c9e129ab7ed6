import { getModelToken } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registration } from '@konferenz/testing/registration';
import { PasswordReset } from '../src/auth/password-reset/password-reset.schema';
import { mailTo, waitForMail, type CaughtMail } from './support/mail-inbox';
import { startTestApp, type TestApp } from './support/test-app';

const NEW_PASSWORD = 'Segelboot-Mondschein-Tee';
const RESET_SUBJECT = { de: 'Konferenz – Passwort zurücksetzen', en: 'Konferenz – reset your password' };
const CHANGED_SUBJECT = { de: 'Konferenz – Ihr Passwort wurde geändert', en: 'Konferenz – your password was changed' };

let app: TestApp;
beforeAll(async () => {
  // Proxy headers from loopback count, so one test can speak from several source addresses.
  app = await startTestApp({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', TRUST_PROXY: 'loopback', PASSWORD_RESETS_PER_ACCOUNT_PER_HOUR: '3' });
});
afterAll(() => app?.close());

let sourceCounter = 0;
/** A fresh source address per request keeps the per-source budget out of tests about other things. */
function fromNewSource(): Record<string, string> {
  sourceCounter += 1;
  return { 'x-forwarded-for': `198.51.${Math.floor(sourceCounter / 250)}.${(sourceCounter % 250) + 1}` };
}

async function registered(overrides: Parameters<typeof registration>[0] = {}) {
  const form = registration(overrides);
  await app.client().post('/api/accounts', form);
  await waitForMail(form.email);
  return form;
}

function forgot(login: string, headers: Record<string, string> = fromNewSource()) {
  return app.client().request('POST', '/api/auth/forgot-password', { login }, { headers });
}

function reset(token: string, newPassword = NEW_PASSWORD) {
  return app.client().post('/api/auth/reset-password', { token, newPassword });
}

async function mailsWithSubject(address: string, subject: string, count = 1): Promise<CaughtMail[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const mails = (await mailTo(address)).filter((mail) => mail.subject === subject).sort((a, b) => a.time.localeCompare(b.time));
    if (mails.length >= count) return mails;
    if (Date.now() > deadline) throw new Error(`Expected ${count} mail(s) "${subject}" to ${address}, got ${mails.length}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function tokenFrom(mail: CaughtMail): string {
  return /\/reset-password\?token=([0-9a-f]{64})/.exec(mail.text)![1]!;
}

async function resetToken(address: string, count = 1, language: 'de' | 'en' = 'de'): Promise<string> {
  return tokenFrom((await mailsWithSubject(address, RESET_SUBJECT[language], count))[count - 1]!);
}

function login(login: string, password: string) {
  return app.client().post('/api/auth/login', { login, password });
}

describe('asking for a reset link', () => {
  it('answers the same for existing and unknown usernames and addresses, and mails a link only to an existing account', async () => {
    const form = await registered();
    const answers = await Promise.all([forgot(form.username), forgot('nobody-by-this-name'), forgot('nobody@example.org')]);
    for (const answer of answers) {
      expect(answer.status).toBe(202);
      expect(answer.body).toEqual({ status: 'check-your-mailbox' });
    }
    const [mail] = await mailsWithSubject(form.email, RESET_SUBJECT.de);
    expect(mail!.text).toContain('30 Minuten gültig');
    expect(tokenFrom(mail!)).toMatch(/^[0-9a-f]{64}$/);
    expect(await mailTo('nobody@example.org')).toEqual([]);
  });

  it('finds the account by its email address in any case, and writes in the account language', async () => {
    const form = await registered({ language: 'en' });
    expect((await forgot(form.email.toUpperCase())).status).toBe(202);
    const [mail] = await mailsWithSubject(form.email, RESET_SUBJECT.en);
    expect(mail!.text).toContain('valid for 30 minutes');
  });

  it('takes as long for an unknown name as for an existing one', async () => {
    const form = await registered();
    const timings: Record<'known' | 'unknown', number[]> = { known: [], unknown: [] };
    // Budgets allow three requests per account an hour: each round uses a new existing account.
    const accounts = [form, await registered(), await registered()];
    for (let round = 0; round < 9; round++) {
      for (const kind of ['known', 'unknown'] as const) {
        const name = kind === 'known' ? accounts[round % 3]!.username : `nobody-${round}`;
        const started = performance.now();
        expect((await forgot(name)).status).toBe(202);
        timings[kind].push(performance.now() - started);
        // Let the known branch's background work (link, mail) finish before the next measurement.
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const known = median(timings.known);
    const unknown = median(timings.unknown);
    console.log(`forgot-password median: existing account ${known.toFixed(1)} ms, unknown name ${unknown.toFixed(1)} ms`);
    // Generous: the branches do the same awaited work; this only catches an awaited mail or hash.
    expect(Math.abs(known - unknown)).toBeLessThan(Math.max(25, unknown));
  });

  it('refuses CSRF-less requests like every other public POST', async () => {
    const answer = await app.client().request('POST', '/api/auth/forgot-password', { login: 'x' }, { headers: { 'x-konferenz-csrf': '' } });
    expect(answer.status).toBe(403);
    expect(answer.body.code).toBe('CSRF_REJECTED');
  });

  it('limits requests per account, also for unknown names, whatever the source address', async () => {
    const form = await registered();
    for (const name of [form.username, 'nobody-limited']) {
      for (let i = 0; i < 3; i++) expect((await forgot(name)).status).toBe(202);
      const refused = await forgot(name);
      expect(refused.status).toBe(429);
      expect(refused.body.code).toBe('TOO_MANY_REQUESTS');
    }
    // The username and the address share the account's budget.
    expect((await forgot(form.email)).status).toBe(429);
    await mailsWithSubject(form.email, RESET_SUBJECT.de, 3);
  });

  it('limits requests per source address, for IPv6 per /64', async () => {
    const source = fromNewSource();
    for (let i = 0; i < 10; i++) expect((await forgot(`someone-${i}`, source)).status).toBe(202);
    expect((await forgot('someone-else', source)).status).toBe(429);
    expect((await forgot('someone-else')).status).toBe(202);
    for (let i = 0; i < 10; i++) {
      expect((await forgot(`someone-v6-${i}`, { 'x-forwarded-for': `2001:db8:7:8::${i + 1}` })).status).toBe(202);
    }
    expect((await forgot('someone-v6-else', { 'x-forwarded-for': '2001:db8:7:8:ffff::1' })).status).toBe(429);
    expect((await forgot('someone-v6-else', { 'x-forwarded-for': '2001:db8:7:9::1' })).status).toBe(202);
  });
});

describe('using a reset link', () => {
  it('sets the new password, ends every session of the account, and tells the owner', async () => {
    const form = await registered();
    const session = app.client();
    expect((await session.post('/api/auth/login', { login: form.username, password: form.password })).status).toBe(200);
    expect((await session.get('/api/account')).status).toBe(200);

    await forgot(form.username);
    const answer = await reset(await resetToken(form.email));
    expect(answer.status).toBe(204);

    expect((await session.get('/api/account')).status).toBe(401);
    expect((await session.get('/api/auth/session')).body).toEqual({ authenticated: false });
    expect((await login(form.username, form.password)).status).toBe(401);
    expect((await login(form.username, NEW_PASSWORD)).status).toBe(200);
    const [notice] = await mailsWithSubject(form.email, CHANGED_SUBJECT.de);
    expect(notice!.text).toContain(form.username);
  });

  it('works once', async () => {
    const form = await registered();
    await forgot(form.username);
    const token = await resetToken(form.email);
    const [first, second] = await Promise.all([reset(token), reset(token, 'Ganz-anderes-Passwort-42')]);
    expect([first.status, second.status].sort()).toEqual([204, 400]);
    expect([first, second].find((answer) => answer.status === 400)!.body.code).toBe('TOKEN_INVALID');
    expect((await reset(token, 'Noch-ein-anderes-Passwort-7')).body.code).toBe('TOKEN_INVALID');
  });

  it('is replaced by a newer link', async () => {
    const form = await registered();
    await forgot(form.username);
    const older = await resetToken(form.email, 1);
    await forgot(form.username);
    const newer = await resetToken(form.email, 2);
    expect((await reset(older)).body.code).toBe('TOKEN_INVALID');
    expect((await reset(newer)).status).toBe(204);
  });

  it('expires', async () => {
    const form = await registered();
    await forgot(form.username);
    const token = await resetToken(form.email);
    const resets = app.app.get<Model<PasswordReset>>(getModelToken(PasswordReset.name));
    await resets.updateMany({}, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await reset(token)).body.code).toBe('TOKEN_INVALID');
    expect((await login(form.username, form.password)).status).toBe(200);
  });

  it('keeps the password rules, and a refused password leaves the link valid', async () => {
    const form = await registered();
    await forgot(form.username);
    const token = await resetToken(form.email);
    const common = await reset(token, 'passwort123');
    expect(common.status).toBe(400);
    expect(common.body.fieldErrors).toEqual([expect.objectContaining({ field: 'newPassword', code: 'validation.password.common' })]);
    const identity = await reset(token, `mein-${form.username}-passwort`);
    expect(identity.body.fieldErrors).toEqual([expect.objectContaining({ field: 'newPassword', code: 'validation.password.containsIdentity' })]);
    expect((await reset(token)).status).toBe(204);
  });

  it('lifts the login lockout of the account', async () => {
    const form = await registered();
    for (let i = 0; i < 3; i++) expect((await login(form.username, 'falsch-falsch-falsch')).status).toBe(401);
    expect((await login(form.username, form.password)).status).toBe(429);
    await forgot(form.username);
    expect((await reset(await resetToken(form.email))).status).toBe(204);
    expect((await login(form.username, NEW_PASSWORD)).status).toBe(200);
  });

  it('refuses a malformed or unknown token', async () => {
    expect((await reset('not-a-token')).body.code).toBe('VALIDATION_FAILED');
    expect((await reset('0'.repeat(64))).body.code).toBe('TOKEN_INVALID');
  });
});
