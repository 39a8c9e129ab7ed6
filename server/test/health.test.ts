import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { registration } from '@konferenz/testing/registration';
import { freePort } from '../src/embedded/free-port';
import { startTestApp, type TestApp } from './support/test-app';

interface Answer {
  status: number;
  body: any;
  cacheControl: string | null;
  contentType: string | null;
}

/** As a monitor asks: no cookie, no CSRF header. */
async function ask(app: TestApp, path: string): Promise<Answer> {
  const response = await fetch(`${app.url}${path}`);
  const contentType = response.headers.get('content-type');
  const text = await response.text();
  return {
    status: response.status,
    body: contentType?.startsWith('application/json') ? JSON.parse(text) : text,
    cacheControl: response.headers.get('cache-control'),
    contentType,
  };
}

async function until<T>(attempt: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await attempt();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Item 2 of the hardening issue: liveness and readiness at the root, public and uncached;
 * readiness names each part and says which one is down.
 */
describe('health endpoints', () => {
  const apps: TestApp[] = [];
  const blockers: Server[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await Promise.all(blockers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });

  async function app(environment: Record<string, string> = {}): Promise<TestApp> {
    const started = await startTestApp(environment);
    apps.push(started);
    return started;
  }

  it('answers liveness with ok, as JSON that no cache keeps', async () => {
    const answer = await ask(await app(), '/healthz');
    expect(answer).toEqual({ status: 200, body: { status: 'ok' }, cacheControl: 'no-store', contentType: expect.stringMatching(/^application\/json/) });
  });

  it('answers readiness with every part up', async () => {
    const answer = await ask(await app(), '/readyz');
    expect(answer.status).toBe(200);
    expect(answer.cacheControl).toBe('no-store');
    expect(answer.body).toEqual({ status: 'ready', parts: { database: 'up', mail: 'up', media: 'up' } });
  });

  it('includes the phone gateway when it is enabled', async () => {
    const answer = await ask(await app({ SIP_PORT: String(await freePort()) }), '/readyz');
    expect(answer.body).toEqual({ status: 'ready', parts: { database: 'up', mail: 'up', media: 'up', sip: 'up' } });
  });

  it('says the phone gateway is down when its port was taken', async () => {
    const port = await freePort();
    const blocker = createServer();
    blockers.push(blocker);
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    const answer = await ask(await app({ SIP_PORT: String(port), SIP_HOST: '127.0.0.1' }), '/readyz');
    expect(answer.status).toBe(503);
    expect(answer.cacheControl).toBe('no-store');
    expect(answer.body).toEqual({
      status: 'unavailable',
      parts: { database: 'up', mail: 'up', media: 'up', sip: expect.stringMatching(/^down: not listening/) },
    });
  });

  it('says mail is down while deliveries fail, and the rest is up', async () => {
    // Nothing listens there: the welcome mail's delivery is refused.
    const server = await app({ SMTP_URL: `smtp://127.0.0.1:${await freePort()}` });
    expect((await server.client().post('/api/accounts', registration())).status).toBe(202);
    const answer = await until(
      () => ask(server, '/readyz'),
      (value) => value.status === 503,
    );
    expect(answer.status).toBe(503);
    expect(answer.body).toEqual({
      status: 'unavailable',
      parts: { database: 'up', mail: expect.stringMatching(/^down: SMTP delivery failing since .*ECONNREFUSED.*1 mail\(s\) waiting for a retry/), media: 'up' },
    });
    // Liveness is not readiness: the process itself is fine.
    expect((await ask(server, '/healthz')).status).toBe(200);
  });
});
