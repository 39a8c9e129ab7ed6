import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { iceServers } from './turn-credentials';

describe('iceServers', () => {
  it('hands out nothing when TURN is not configured', () => {
    expect(iceServers(null, 'p1')).toEqual([]);
  });

  it('derives coturn use-auth-secret credentials: expiry:participant, HMAC-SHA1 of it in base64', () => {
    const turn = { urls: ['turn:turn.example.org:3478?transport=udp'], secret: 'a-shared-turn-secret', ttlMs: 3_600_000 };
    const [server] = iceServers(turn, 'p1', 1_700_000_000_000);
    expect(server!.urls).toEqual(turn.urls);
    expect(server!.username).toBe('1700003600:p1');
    expect(server!.credential).toBe(createHmac('sha1', 'a-shared-turn-secret').update('1700003600:p1').digest('base64'));
  });
});
