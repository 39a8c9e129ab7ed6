import { CSRF_HEADER } from '@konferenz/shared';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A browser-like API client: keeps the session cookie and sends the CSRF header like the SPA. */
export class ApiClient {
  #cookie: string | undefined;

  constructor(readonly baseUrl: string) {}

  get cookie(): string | undefined {
    return this.#cookie;
  }

  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    { headers = {}, raw }: { headers?: Record<string, string>; raw?: string } = {},
  ): Promise<ApiResponse<T>> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        [CSRF_HEADER]: '1',
        ...(this.#cookie ? { cookie: this.#cookie } : {}),
        ...headers,
      },
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) this.#cookie = setCookie.split(';')[0];
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  }

  get<T = any>(path: string) {
    return this.request<T>('GET', path);
  }

  post<T = any>(path: string, body?: unknown) {
    return this.request<T>('POST', path, body);
  }

  put<T = any>(path: string, body?: unknown) {
    return this.request<T>('PUT', path, body);
  }
}
