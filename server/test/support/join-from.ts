import { request as httpRequest } from 'node:http';

/**
 * POST /api/conference/join with `body` from `source`, a loopback address of the test's own
 * namespace: each one is a different network source to the server, as different callers are.
 * `retryAfter` is the Retry-After header, when there is one.
 */
export function postJoinFrom(baseUrl: string, source: string, body: unknown): Promise<{ status: number; body: any; retryAfter?: string }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      `${baseUrl}/api/conference/join`,
      {
        method: 'POST',
        localAddress: source,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'x-konferenz-csrf': '1' },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode!, body: JSON.parse(text), retryAfter: response.headers['retry-after'] }));
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

/** A guest's join with room number and PIN from `source`. */
export const joinFrom = (baseUrl: string, roomNumber: string, pin: string, source: string) =>
  postJoinFrom(baseUrl, source, { roomNumber, pin, displayName: 'Gast' });
