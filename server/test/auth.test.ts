import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registration } from '@konferenz/testing/registration';
import { waitForMail } from './support/mail-inbox';
import { startTestApp, type TestApp } from './support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '3' });
});
afterAll(() => app?.close());

async function registered() {
  const form = registration();
  await app.client().post('/api/accounts', form);
  await waitForMail(form.email);
  return form;
}

describe('login', () => {
  it('accepts the username or the email, in any case, and sets an httpOnly SameSite session cookie', async () => {
    const form = await registered();
    for (const login of [form.username, form.username.toUpperCase(), form.email, form.email.toUpperCase()]) {
      const client = app.client();
      const response = await client.post('/api/auth/login', { login, password: form.password });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ authenticated: true, username: form.username, pinsSet: false, language: 'de' });
      const cookie = response.headers.get('set-cookie')!;
      expect(cookie).toMatch(/^konferenz\.sid=/);
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Lax/i);
      expect((await client.get('/api/auth/session')).body.authenticated).toBe(true);
    }
  });

  it('keeps its answers out of every cache, errors included', async () => {
    const form = await registered();
    const client = app.client();
    const answers = [
      await client.post('/api/auth/login', { login: form.username, password: form.password }),
      await client.get('/api/auth/session'),
      await app.client().post('/api/auth/login', { login: form.username, password: 'falsch-falsch-falsch' }),
      await app.client().get('/api/no-such-thing'),
    ];
    expect(answers.map((answer) => answer.headers.get('cache-control'))).toEqual(['no-store', 'no-store', 'no-store', 'no-store']);
  });

  it('gives the same answer for a wrong password and an unknown user', async () => {
    const form = await registered();
    const wrong = await app.client().post('/api/auth/login', { login: form.username, password: 'falsch-falsch-falsch' });
    const unknown = await app.client().post('/api/auth/login', { login: 'nobody-here', password: 'falsch-falsch-falsch' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
  });

  it('locks an account after repeated failures, even for the right password, without touching other accounts', async () => {
    const form = await registered();
    const other = await registered();
    for (let i = 0; i < 3; i++) {
      expect((await app.client().post('/api/auth/login', { login: form.username, password: 'falsch-falsch-falsch' })).status).toBe(401);
    }
    const locked = await app.client().post('/api/auth/login', { login: form.username, password: form.password });
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('TOO_MANY_REQUESTS');
    expect((await app.client().post('/api/auth/login', { login: other.username, password: other.password })).status).toBe(200);
  });

  it('rejects injection objects and missing fields before any lookup', async () => {
    for (const body of [{ login: { $gt: '' }, password: { $gt: '' } }, { login: 'x' }, {}, { login: ['a'], password: 'b' }]) {
      const response = await app.client().post('/api/auth/login', body);
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    }
  });

  it('ends the session on logout', async () => {
    const form = await registered();
    const client = app.client();
    await client.post('/api/auth/login', { login: form.username, password: form.password });
    const sessionCookie = client.cookie;
    const logout = await client.post('/api/auth/logout');
    expect(logout.status).toBe(204);
    // The browser drops the cookie instead of sending a dead session id until it expires.
    expect(logout.headers.get('set-cookie')).toMatch(/^konferenz\.sid=;.*Expires=Thu, 01 Jan 1970 00:00:00 GMT/i);
    expect((await client.get('/api/auth/session')).body).toEqual({ authenticated: false });
    const replay = await client.request('GET', '/api/account', undefined, { headers: { cookie: sessionCookie! } });
    expect(replay.status).toBe(401);
  });
});

describe('request protection', () => {
  it('refuses mutations without the CSRF header or from another origin', async () => {
    const form = registration();
    const noHeader = await fetch(`${app.url}/api/accounts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(form) });
    expect(noHeader.status).toBe(403);
    expect(((await noHeader.json()) as { code: string }).code).toBe('CSRF_REJECTED');
    const foreign = await app.client().request('POST', '/api/accounts', form, { headers: { origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);
    expect(await app.users.countDocuments({ usernameKey: form.username.toLowerCase() })).toBe(0);
  });

  it('accepts the origin the browser used only outside production; production accepts PUBLIC_URL only', async () => {
    const requestOrigin = new URL(app.url).origin;
    expect((await app.client().request('POST', '/api/accounts', registration(), { headers: { origin: requestOrigin } })).status).toBe(202);
    const production = await startTestApp({
      NODE_ENV: 'production',
      PUBLIC_URL: 'https://konferenz.example.org',
      SESSION_SECRET: 'production-test-session-secret-0123456789',
      PIN_ENCRYPTION_KEY: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
    });
    try {
      const post = (origin: string) => production.client().request('POST', '/api/accounts', registration(), { headers: { origin } });
      const refused = await post(new URL(production.url).origin);
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('CSRF_REJECTED');
      expect((await post('https://konferenz.example.org')).status).toBe(202);
    } finally {
      await production.close();
    }
  });

  it('keeps customer routes private', async () => {
    for (const [method, path] of [
      ['GET', '/api/account'],
      ['PUT', '/api/account/pins/participant'],
      ['POST', '/api/account/deletion'],
    ] as const) {
      const response = await app.client().request(method, path, method === 'GET' ? undefined : {});
      expect(response.status).toBe(401);
      expect(response.body.code).toBe('UNAUTHENTICATED');
    }
  });

  it('answers unknown API routes with the common error shape', async () => {
    const response = await app.client().get('/api/nothing-here');
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ code: 'NOT_FOUND', message: 'Nicht gefunden.', fieldErrors: [] });
  });
});
