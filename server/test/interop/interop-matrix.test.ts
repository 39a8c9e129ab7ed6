import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JoinResponse, ParticipantView } from '@konferenz/shared';
import { afterAll, beforeAll, describe as group, expect, it } from 'vitest';
import { freePort } from '../../src/embedded/free-port';
import { PhoneGatewayService } from '../../src/phone/phone-gateway.service';
import { ConferenceParticipant } from '../support/conference-participant';
import { customerWithRoom, MODERATOR_PIN, PARTICIPANT_PIN } from '../support/customer';
import { startTestApp, type TestApp } from '../support/test-app';
import { loopbackHost, requireKamailio, startCarrierTrunk } from '../phone/kamailio/carrier-trunk';
import { requireSipp } from '../phone/support/sipp';
import { CELLS, cellName, type InteropCell, type InteropClientName } from './interop-cells';
import { baresipClient } from './clients/baresip-client';
import type { DialTarget, InteropCall, InteropClient } from './clients/interop-client';
import { linphoneClient } from './clients/linphone-client';
import { sippClient } from './clients/sipp-client';
import { toneOverNeighboursDb } from './tone-check';

const CLIENTS: Record<InteropClientName, InteropClient> = { sipp: sippClient, baresip: baresipClient, linphonec: linphoneClient };
/** The reference phone's tone, and every client's. */
const REFERENCE_HZ = 1000;
const CLIENT_HZ = 600;
/** A tone this far above its neighbours is heard. */
const HEARD_DB = 10;
const LISTEN_SECONDS = 3;
const PROXY = '127.0.0.2';

interface CellResult {
  cell: InteropCell;
  admitted: boolean;
  /** dB of the client's tone above its neighbours at the reference phone, and of the reference's at the client. */
  intoRoomDb?: number;
  fromRoomDb?: number;
  callerBye: boolean;
  serverBye: boolean;
  seconds: number;
  error?: string;
}

/**
 * Issue 13, item 9: real SIP clients (sipp, baresip, linphonec) against the whole product, cell by
 * cell (interop-cells.ts). In one room: a socket.io moderator, and a reference phone (baresip,
 * PCMU over UDP, moderator PIN) playing REFERENCE_HZ and recording what it hears. Each cell's
 * client calls twice: the first call keys the PIN, is admitted, is heard at the reference (its
 * CLIENT_HZ tone, or for sipp, which echoes, the reference's own tone come back through it) and
 * hears the reference, then hangs up itself; the second is admitted and removed by the
 * moderator, whose BYE the client must answer. The matrix is printed at the end.
 */
group('interop matrix: real SIP clients', () => {
  let app: TestApp;
  let sipPort: number;
  let dir: string;
  let proxy: { stop(): void; log(): string };
  let moderator: ConferenceParticipant;
  let reference: InteropCall;
  let roomNumber: string;
  const results: CellResult[] = [];

  beforeAll(async () => {
    requireSipp();
    requireKamailio();
    dir = mkdtempSync(join(tmpdir(), 'konferenz-interop-'));
    sipPort = await freePort();
    app = await startTestApp({ SIP_PORT: String(sipPort), MODERATOR_GRACE_SECONDS: '1' });
    expect(app.app.get(PhoneGatewayService).port).toBe(sipPort);
    proxy = await startCarrierTrunk(loopbackHost(PROXY), `sip:127.0.0.1:${sipPort}`);
    const customer = await customerWithRoom(app);
    roomNumber = customer.roomNumber;
    await customer.client.put('/api/account/room-settings', { admission: 'manual', moderatorLeaves: 'continue' });
    const joined: JoinResponse = (await app.client().post('/api/conference/join', { roomNumber, pin: MODERATOR_PIN, displayName: 'Moderatorin' })).body;
    moderator = await ConferenceParticipant.connect(app.url, joined.token);
    reference = await baresipClient.dial(
      { client: 'baresip', transport: 'udp', codec: 'PCMU', dtmf: 'rfc4733', route: 'direct' },
      target('reference', '+4930999000', `${MODERATOR_PIN}#`, 'caller'),
      REFERENCE_HZ,
    );
    // The moderator's phone is admitted as moderator at once.
    await moderator.waitForState((state) => phoneNamed(state.participants, '+4930999000') !== undefined, 20_000);
  }, 90_000);

  afterAll(async () => {
    reference?.close();
    moderator?.close();
    proxy?.stop();
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    console.log(`\ninterop matrix (${results.length} cells; tone dB above its neighbours, ≥ ${HEARD_DB} is heard)\n${table(results)}\n`);
  });

  function target(name: string, caller: string, keys: string, end: DialTarget['end'], cell?: InteropCell): DialTarget {
    const folder = join(dir, name);
    mkdirSync(folder, { recursive: true });
    const viaProxy = cell?.route === 'via-proxy';
    return { address: viaProxy ? PROXY : '127.0.0.1', port: viaProxy ? 5060 : sipPort, dialled: roomNumber, caller, keys, end, dir: folder };
  }

  /** Waits for the caller `number` on the waiting list, admits it, and returns it once it is in. */
  async function admit(number: string): Promise<ParticipantView> {
    const waiting = await moderator.waitForState((state) => phoneNamed(state.waiting, number) !== undefined, 30_000);
    const phone = phoneNamed(waiting.waiting, number)!;
    expect(await moderator.request('moderator:admit', { participantId: phone.id })).toEqual({ ok: true, data: {} });
    await moderator.waitForState((state) => state.participants.some((participant) => participant.id === phone.id), 15_000);
    return phone;
  }

  const masked = (number: string) => `+49 … ${number.slice(-3)}`;
  const phoneNamed = (list: ParticipantView[], number: string) =>
    list.find((participant) => participant.via === 'phone' && participant.displayName === masked(number));

  CELLS.forEach((cell, index) => {
    it(
      cellName(cell),
      async () => {
        const started = Date.now();
        const result: CellResult = { cell, admitted: false, callerBye: false, serverBye: false, seconds: 0 };
        results.push(result);
        const client = CLIENTS[cell.client];
        const caller = `+49301000${index}01`;
        const second = `+49301000${index}02`;
        let call: InteropCall | undefined;
        try {
          call = await client.dial(cell, target(`${index}-a`, caller, `${PARTICIPANT_PIN}#`, 'caller', cell), CLIENT_HZ);
          const phone = await admit(caller);
          result.admitted = true;

          await new Promise((resolve) => setTimeout(resolve, (LISTEN_SECONDS + 2) * 1000));
          const atReference = reference.heard();
          result.intoRoomDb = atReference ? toneOverNeighboursDb(atReference, client.echoes ? REFERENCE_HZ : CLIENT_HZ, LISTEN_SECONDS) : undefined;
          expect(result.intoRoomDb, `the reference phone hears ${cellName(cell)}`).toBeGreaterThanOrEqual(HEARD_DB);

          await call.hangUp();
          await moderator.waitForState((state) => !state.participants.some((participant) => participant.id === phone.id), 15_000);
          result.callerBye = true;
          // The recording ends with the call: its last seconds are the reference's tone, as the client heard it.
          const atClient = call.heard();
          result.fromRoomDb = client.echoes ? result.intoRoomDb : atClient ? toneOverNeighboursDb(atClient, REFERENCE_HZ, LISTEN_SECONDS) : undefined;
          expect(result.fromRoomDb, `${cellName(cell)} hears the reference phone`).toBeGreaterThanOrEqual(HEARD_DB);

          call = await client.dial(cell, target(`${index}-b`, second, `${PARTICIPANT_PIN}#`, 'server', cell), CLIENT_HZ);
          const again = await admit(second);
          expect(await moderator.request('moderator:remove', { participantId: again.id })).toEqual({ ok: true, data: {} });
          await call.hungUpByServer();
          result.serverBye = true;
        } catch (error) {
          result.error = (error as Error).message.split('\n')[0];
          throw new Error(`${(error as Error).message}\n--- client ---\n${call?.log().slice(-4000) ?? ''}\n--- proxy ---\n${proxy.log().slice(-2000)}`, {
            cause: error,
          });
        } finally {
          call?.close();
          result.seconds = Math.round((Date.now() - started) / 1000);
        }
      },
      150_000,
    );
  });
});

function table(results: CellResult[]): string {
  const mark = (ok: boolean) => (ok ? 'yes' : 'NO');
  const db = (value?: number) => (value === undefined ? '-' : String(value));
  const rows = [
    ['client', 'transport', 'codec', 'DTMF', 'route', 'admitted', 'into room dB', 'from room dB', 'caller BYE', 'server BYE', 's'],
    ...results.map(({ cell, admitted, intoRoomDb, fromRoomDb, callerBye, serverBye, seconds }) => [
      cell.client,
      cell.transport.toUpperCase(),
      cell.codec,
      cell.dtmf,
      cell.route,
      mark(admitted),
      db(intoRoomDb),
      db(fromRoomDb),
      mark(callerBye),
      mark(serverBye),
      String(seconds),
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  return [line(rows[0]!), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}
