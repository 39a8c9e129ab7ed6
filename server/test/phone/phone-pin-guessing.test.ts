import { afterAll, beforeAll, describe as group, expect, it, vi } from 'vitest';
import { ApiException } from '../../src/common/api-exception';
import { freePort } from '../../src/embedded/free-port';
import { RoomAccess } from '../../src/rooms/room-access.service';
import { PhoneGatewayService } from '../../src/phone/phone-gateway.service';
import { startTestApp, type TestApp } from '../support/test-app';
import { RawCaller } from './support/raw-caller';
import { sleep } from './support/raw-sip';

const TRUNK = '127.0.0.2';

/**
 * Item 4 of the hardening issue, phone side: PIN guesses from one network source are limited
 * however many From numbers it makes up; a trusted trunk's callers are told apart by the
 * identity it asserts. Each call makes one guess at a random room number (unknown rooms are
 * checked and counted like real ones, so no room-wide backoff gets in the way), then hangs up.
 */
group('phone PIN guessing with rotating caller ids', () => {
  let app: TestApp;
  let sipPort: number;
  const outcomes = new Map<string, { checked: number; refused: number }>();
  /** Caller ids whose PIN check has answered. */
  const answered = new Set<string>();

  beforeAll(async () => {
    app = await startTestApp({ SIP_PORT: String(await freePort()), SIP_TRUSTED_TRUNKS: TRUNK });
    sipPort = app.app.get(PhoneGatewayService).port!;
    const access = app.app.get(RoomAccess);
    const enter = access.enter.bind(access);
    vi.spyOn(access, 'enter').mockImplementation(async (...args: Parameters<RoomAccess['enter']>) => {
      const counts = outcomes.get(args[2].address) ?? { checked: 0, refused: 0 };
      outcomes.set(args[2].address, counts);
      const origin = args[2];
      try {
        return await enter(...args);
      } catch (error) {
        if (error instanceof ApiException && error.code === 'TOO_MANY_REQUESTS') counts.refused++;
        else if (error instanceof ApiException && error.code === 'INVALID_ROOM_OR_PIN') counts.checked++;
        throw error;
      } finally {
        if (origin.via === 'phone') answered.add(origin.callerId);
      }
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  const random = (digits: number) => String(Math.floor(Math.random() * 10 ** digits)).padStart(digits, '0');

  /** `guesses` calls, six at a time, each with a fresh caller number, one wrong PIN for a random room. */
  async function guess(from: string, guesses: number, trunkIdentity: boolean): Promise<{ checked: number; refused: number; perMinute: number }> {
    const started = Date.now();
    const failures: string[] = [];
    let left = guesses;
    const worker = async () => {
      while (left-- > 0) {
        const number = `+49${random(10)}`;
        const call = await RawCaller.open(sipPort, from);
        try {
          // A trunk writes its own number into From and the caller's into P-Asserted-Identity.
          await call.call(9, trunkIdentity ? '+4930999000' : number, trunkIdentity ? { 'P-Asserted-Identity': `<tel:${number}>` } : {});
          await call.key(`1${random(7)}#${random(6)}#`);
          for (let waited = 0; !answered.has(number) && waited < 3000; waited += 20) await sleep(20);
          await call.hangup().catch(() => undefined);
        } catch (error) {
          failures.push((error as Error).message);
        } finally {
          call.close();
        }
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    expect(failures).toEqual([]);
    const { checked, refused } = outcomes.get(from) ?? { checked: 0, refused: 0 };
    return { checked, refused, perMinute: Math.round((checked / ((Date.now() - started) / 1000)) * 60) };
  }

  it("refuses one source's guesses once its budget is used, whatever From numbers it writes", async () => {
    const result = await guess('127.0.0.1', 45, false);
    console.log(
      `one source, 45 calls with random From numbers: ${result.checked} PINs checked, ${result.refused} refused (${result.perMinute} checked per minute)`,
    );
    expect(result.refused).toBeGreaterThan(0);
    expect(result.checked).toBeLessThan(40);
  });

  it("counts a trusted trunk's callers by their asserted numbers, not by its address", async () => {
    const result = await guess(TRUNK, 45, true);
    console.log(`trusted trunk, 45 callers with their own asserted numbers: ${result.checked} PINs checked, ${result.refused} refused`);
    expect(result).toMatchObject({ checked: 45, refused: 0 });
  });
});
