import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOIN_TOKENS } from '../src/conference/conference.tokens';
import type { JoinTokens } from '../src/conference/join-token';
import { ConferenceParticipant } from './support/conference-participant';
import { startTestApp, type TestApp } from './support/test-app';
import { captureLogs, type CapturedLogs } from './phone/support/log-capture';

/**
 * Item 11 of the hardening issue: one socket sent 47,000 events in 5 s, all answered, and slowed
 * everyone else down. With the default budget (20 events/s, bursts of 200) a flood is refused,
 * cut off and logged, while a normal client beside it and a join into a full room are never limited.
 */
let app: TestApp;
let tokens: JoinTokens;
let logs: CapturedLogs;
const ROOM = '27182818';
beforeAll(async () => {
  app = await startTestApp();
  tokens = app.app.get<JoinTokens>(JOIN_TOKENS);
  logs = captureLogs();
});
afterAll(() => app?.close());

async function seat(pid: string, role: 'moderator' | 'participant' = 'participant'): Promise<ConferenceParticipant> {
  const participant = await ConferenceParticipant.connect(app.url, tokens.issue({ room: ROOM, pid, role, name: pid }).token);
  await participant.waitForState(() => true);
  return participant;
}

const codeOf = (result: unknown) => ((result as { ok: boolean; error?: { code: string } }).ok ? 'ok' : (result as { error: { code: string } }).error.code);

describe('per-socket event limits', () => {
  it('refuse a flood, disconnect and log the flooder, keep it out for a while, and leave a normal client alone', async () => {
    const moderator = await seat('moderator-1', 'moderator');
    const flooder = await seat('flooder-1');
    await moderator.waitForState((state) => state.participants.length === 2);

    const normal = (async () => {
      const answers: string[] = [];
      for (let i = 0; i < 20; i++) {
        answers.push(codeOf(await moderator.request('media:rtpCapabilities', {})));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return answers;
    })();

    const answers: Array<Promise<string>> = [];
    for (let i = 0; i < 2_000 && flooder.socket.connected; i++) {
      answers.push(Promise.race([flooder.request('media:rtpCapabilities', {}).then(codeOf), flooder.waitForDisconnect().then(() => 'cut off')]));
    }
    await flooder.waitForDisconnect();
    const counted = (await Promise.all(answers)).reduce<Record<string, number>>((sum, code) => ({ ...sum, [code]: (sum[code] ?? 0) + 1 }), {});
    // At most the burst (and what trickled in meanwhile) got through; the rest was refused or cut off.
    expect(counted.ok ?? 0).toBeLessThanOrEqual(200 + 20);
    expect(counted.TOO_MANY_REQUESTS).toBeGreaterThanOrEqual(400);

    expect(await normal).toEqual(Array(20).fill('ok'));
    const flood = logs.warn.filter((line) => line.includes('Socket event flood'));
    expect(flood).toHaveLength(1);
    expect(flood[0]).toContain('participant flooder-1');
    expect(flood[0]).toContain('127.0.0.1');

    // Reconnecting at once does not buy a fresh budget.
    await expect(ConferenceParticipant.connect(app.url, tokens.issue({ room: ROOM, pid: 'flooder-1', role: 'participant', name: 'x' }).token)).rejects.toThrow(
      'TOO_MANY_REQUESTS',
    );
    moderator.close();
  });

  it('never limit a join into a full room: media setup plus two consumers for each of 75 participants at once', async () => {
    const moderator = await seat('moderator-2', 'moderator');
    const joining = await seat('joining-2');
    await joining.waitForState((state) => state.self.state === 'admitted');
    const { rtpCapabilities } = ((await joining.request('media:rtpCapabilities', {})) as { data: { rtpCapabilities: object } }).data;
    const burst = [
      joining.request('media:setRtpCapabilities', { rtpCapabilities }),
      joining.request('media:createTransport', { direction: 'send' }),
      joining.request('media:createTransport', { direction: 'recv' }),
      ...Array.from({ length: 150 }, (_, i) => joining.request('media:resumeConsumer', { consumerId: `consumer-${i}` })),
      ...Array.from({ length: 40 }, (_, i) => joining.request('media:setConsumerSize', { consumerId: `consumer-${i}`, width: 320, height: 180 })),
    ];
    const codes = (await Promise.all(burst)).map(codeOf);
    expect(codes).not.toContain('TOO_MANY_REQUESTS');
    expect(codes.slice(0, 3)).toEqual(['ok', 'ok', 'ok']);
    expect(joining.socket.connected).toBe(true);
    joining.close();
    moderator.close();
  });
});
