import { CSRF_HEADER, ROUTES } from '@konferenz/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * The shared route list against the running server, with its middleware and mounting as in
 * production (a global prefix or a moved mount point would show here, not in the unit spec):
 * every route reaches a handler, which may still refuse the empty, anonymous request.
 */
describe('the shared routes on the running server', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  async function ask(method: string, path: string): Promise<{ status: number; code?: string }> {
    const response = await fetch(`${app.url}${path}`, {
      method,
      headers: { Accept: 'application/json', [CSRF_HEADER]: '1', ...(method === 'GET' ? {} : { 'Content-Type': 'application/json' }) },
      body: method === 'GET' ? undefined : '{}',
    });
    const body = (await response.json().catch(() => ({}))) as { code?: string };
    return { status: response.status, code: body.code };
  }

  it('answers a path that is not in the list with 404', async () => {
    expect(await ask('POST', '/api/no-such-route')).toEqual({ status: 404, code: 'NOT_FOUND' });
  });

  for (const [name, route] of Object.entries(ROUTES)) {
    it(`reaches a handler for ${name} (${route.method} ${route.path})`, async () => {
      expect((await ask(route.method, route.path)).status).not.toBe(404);
    });
  }
});
