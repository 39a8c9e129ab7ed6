import { afterEach, describe, expect, it, vi } from 'vitest';
import { CSRF_HEADER } from '@konferenz/shared';
import { api, ApiError, pinRefusedIn, wrongPasswordIn } from './api';
import { chooseLanguage } from './i18n.svelte';

function answer(status: number, body?: unknown, contentType = 'application/json') {
  return vi.fn(
    async (_path: string, _init?: RequestInit) =>
      new Response(body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body), {
        status,
        headers: { 'Content-Type': contentType },
      }),
  );
}

function headersOf(fetchMock: ReturnType<typeof answer>): Record<string, string> {
  return fetchMock.mock.calls[0][1]?.headers as Record<string, string>;
}

afterEach(() => {
  vi.unstubAllGlobals();
  chooseLanguage('de');
});

describe('api', () => {
  it('sends the CSRF header, JSON body, same-origin credentials and the UI language on mutations', async () => {
    const fetchMock = answer(200, { authenticated: true, username: 'anna', pinsSet: false });
    vi.stubGlobal('fetch', fetchMock);
    chooseLanguage('en');

    const session = await api.login({ login: 'anna', password: 'correct horse battery' });

    expect(session).toEqual({ authenticated: true, username: 'anna', pinsSet: false });
    const [path, init] = fetchMock.mock.calls[0];
    expect(path).toBe('/api/auth/login');
    expect(init?.method).toBe('POST');
    expect(init?.credentials).toBe('same-origin');
    expect(JSON.parse(String(init?.body))).toEqual({ login: 'anna', password: 'correct horse battery' });
    expect(headersOf(fetchMock)).toMatchObject({
      [CSRF_HEADER]: '1',
      'Accept-Language': 'en',
      'Content-Type': 'application/json',
    });
  });

  it('sends no CSRF header on reads', async () => {
    const fetchMock = answer(200, { authenticated: false });
    vi.stubGlobal('fetch', fetchMock);

    await api.session();

    expect(headersOf(fetchMock)[CSRF_HEADER]).toBeUndefined();
    expect(headersOf(fetchMock)['Accept-Language']).toBe('de');
  });

  it('resolves 204 answers to undefined', async () => {
    vi.stubGlobal('fetch', answer(204));
    await expect(api.changeModeratorPin({ pin: '482913' })).resolves.toBeUndefined();
  });

  it('turns the error shape into an ApiError with field errors', async () => {
    const body = {
      code: 'USERNAME_TAKEN',
      message: 'Dieser Benutzername ist vergeben.',
      fieldErrors: [{ field: 'username', code: 'error.USERNAME_TAKEN', message: 'Dieser Benutzername ist vergeben.' }],
    };
    vi.stubGlobal('fetch', answer(409, body));

    const error = await api.logout().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, code: 'USERNAME_TAKEN', fieldErrors: body.fieldErrors });
    expect((error as ApiError).problem).toEqual({ key: 'error.USERNAME_TAKEN', fallback: body.message });
  });

  it('keeps well-formed refusal details (tries left, when to retry) and drops malformed ones', async () => {
    const base = { code: 'INVALID_ROOM_OR_PIN', message: 'falsch', fieldErrors: [] };
    vi.stubGlobal('fetch', answer(401, { ...base, attemptsLeft: 2, retryAt: '2026-12-05T21:47:00.000Z' }));
    await expect(api.logout()).rejects.toMatchObject({ details: { attemptsLeft: 2, retryAt: '2026-12-05T21:47:00.000Z' } });
    vi.stubGlobal('fetch', answer(401, { ...base, attemptsLeft: -1, retryAt: 'soon' }));
    expect(((await api.logout().catch((caught: unknown) => caught)) as ApiError).details).toEqual({});
  });

  it('derives a code from the status when the body is not the error shape', async () => {
    vi.stubGlobal('fetch', answer(429, '<html>busy</html>', 'text/html'));
    await expect(api.session()).rejects.toMatchObject({ status: 429, code: 'TOO_MANY_REQUESTS', fieldErrors: [] });
  });

  it('reports an unreachable server as NETWORK', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')));
    const error = await api.session().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'NETWORK' });
    expect((error as ApiError).problem).toEqual({ key: 'ui.error.network' });
  });
});

describe('wrongPasswordIn', () => {
  it('makes INVALID_CREDENTIALS an error of the named password field', () => {
    const error = wrongPasswordIn('currentPassword', new ApiError(401, 'INVALID_CREDENTIALS', 'falsch'));
    expect(error).toMatchObject({
      code: 'VALIDATION_FAILED',
      fieldErrors: [{ field: 'currentPassword', code: 'ui.account.password.wrong', message: 'falsch' }],
    });
  });

  it('passes other errors through', () => {
    const other = new ApiError(429, 'TOO_MANY_REQUESTS', 'später');
    expect(wrongPasswordIn('password', other)).toBe(other);
  });
});

describe('pinRefusedIn', () => {
  it('makes a refused PIN, and too many of them, an error of the PIN field', () => {
    expect(pinRefusedIn('pin', new ApiError(401, 'INVALID_ROOM_OR_PIN', 'falsch'))).toMatchObject({
      code: 'VALIDATION_FAILED',
      fieldErrors: [{ field: 'pin', code: 'error.INVALID_ROOM_OR_PIN', message: 'falsch' }],
    });
    expect(pinRefusedIn('pin', new ApiError(429, 'TOO_MANY_REQUESTS', 'später'))).toMatchObject({
      fieldErrors: [{ field: 'pin', code: 'error.TOO_MANY_REQUESTS' }],
    });
  });

  it("words the field's text from the refusal's details, in the language asked for", () => {
    const refused = pinRefusedIn('pin', new ApiError(401, 'INVALID_ROOM_OR_PIN', 'falsch', [], { attemptsLeft: 2 })) as ApiError;
    const text = refused.fieldErrors[0]!.text!;
    expect(text('de')).toBe('Konferenzraum-Nr. oder PIN ist falsch. Noch 2 Versuche.');
    expect(text('en')).toBe('Conference room number or PIN is wrong. 2 tries left.');
  });

  it('passes other errors through', () => {
    const other = new ApiError(403, 'ROOM_LOCKED', 'gesperrt');
    expect(pinRefusedIn('pin', other)).toBe(other);
  });
});
