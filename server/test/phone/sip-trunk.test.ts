import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JoinResponse, ParticipantView } from '@konferenz/shared';
import { phoneCallerScenario, type PhoneCaller } from '@konferenz/testing/sipp-scenario';
import { VirtualNetwork, type VirtualHost } from '@konferenz/testing/virtual-hosts';
import { afterAll, afterEach, beforeAll, describe as group, expect, it, vi } from 'vitest';
import { ApiException } from '../../src/common/api-exception';
import { freePort } from '../../src/embedded/free-port';
import { PhoneGatewayService } from '../../src/phone/phone-gateway.service';
import { RoomAccess } from '../../src/rooms/room-access.service';
import { ConferenceParticipant } from '../support/conference-participant';
import { customerWithRoom, MODERATOR_PIN, PARTICIPANT_PIN } from '../support/customer';
import { startTestApp, type TestApp } from '../support/test-app';
import { requireKamailio, startCarrierTrunk } from './kamailio/carrier-trunk';
import { describe, requireSipp, runSipp, type SippRun } from './support/sipp';

interface PinCheck {
  callerId: string;
  address: string;
  trustedTrunk: boolean;
  outcome: 'admitted' | 'wrong' | 'locked-out';
}

/**
 * Issue 13, item 7: callers behind a carrier's trunk. Three hosts, each a network namespace:
 * the callers (sipp) on .1, the carrier's trunk (Kamailio, carrier-trunk.cfg) on .2, and the
 * product in the test's own namespace on .254, which trusts .2 (`SIP_TRUSTED_TRUNKS`). Signalling
 * goes caller → trunk → product and back the same way (Record-Route); RTP goes directly.
 */
group('phone callers behind a carrier trunk (Kamailio)', () => {
  let network: VirtualNetwork;
  let callers: VirtualHost;
  let trunkHost: VirtualHost;
  let trunk: { stop(): void; log(): string };
  let app: TestApp;
  let sipPort: number;
  let dir: string;
  const checks: PinCheck[] = [];
  const open: ConferenceParticipant[] = [];

  beforeAll(async () => {
    requireSipp();
    requireKamailio();
    dir = mkdtempSync(join(tmpdir(), 'konferenz-trunk-'));
    network = VirtualNetwork.create('10.99.13');
    callers = await network.addHost('callers', 1);
    trunkHost = await network.addHost('trunk', 2);
    sipPort = await freePort();
    app = await startTestApp({
      SIP_PORT: String(sipPort),
      SIP_HOST: network.gateway,
      SIP_RTP_HOST: network.gateway,
      SIP_TRUSTED_TRUNKS: trunkHost.address,
      // Two wrong PINs lock a caller out (the trunk's own address gets 20 times that).
      PIN_MAX_FAILURES_PER_SOURCE: '2',
      MODERATOR_GRACE_SECONDS: '1',
    });
    expect(app.app.get(PhoneGatewayService).port).toBe(sipPort);
    trunk = await startCarrierTrunk(trunkHost, `sip:${network.gateway}:${sipPort}`);
    const access = app.app.get(RoomAccess);
    const enter = access.enter.bind(access);
    vi.spyOn(access, 'enter').mockImplementation(async (...args: Parameters<RoomAccess['enter']>) => {
      const origin = args[2];
      const check = (outcome: PinCheck['outcome']) =>
        origin.via === 'phone' && checks.push({ callerId: origin.callerId, address: origin.address, trustedTrunk: origin.trustedTrunk, outcome });
      try {
        const result = await enter(...args);
        check('admitted');
        return result;
      } catch (error) {
        if (error instanceof ApiException && error.code === 'TOO_MANY_REQUESTS') check('locked-out');
        else if (error instanceof ApiException && error.code === 'INVALID_ROOM_OR_PIN') check('wrong');
        throw error;
      }
    });
  }, 60_000);
  afterEach(() => {
    for (const participant of open.splice(0)) participant.close();
  });
  afterAll(async () => {
    trunk?.stop();
    await app?.close();
    network?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function room() {
    const { client, roomNumber } = await customerWithRoom(app);
    await client.put('/api/account/room-settings', { admission: 'manual', moderatorLeaves: 'continue' });
    const joined: JoinResponse = (await app.client().post('/api/conference/join', { roomNumber, pin: MODERATOR_PIN, displayName: 'Moderatorin' })).body;
    const moderator = await ConferenceParticipant.connect(app.url, joined.token);
    open.push(moderator);
    return { roomNumber, moderator };
  }

  /** A caller on the callers' host dialling `sip:<room>@trunk` (or, `direct`, the product itself). */
  function dial(name: string, caller: Omit<PhoneCaller, 'viaProxy'>, direct = false): Promise<SippRun> {
    const scenario = join(dir, `${name}.xml`);
    writeFileSync(scenario, phoneCallerScenario({ ...caller, viaProxy: !direct }));
    return runSipp({
      scenario,
      host: callers,
      localAddress: callers.address,
      remoteAddress: direct ? network.gateway : trunkHost.address,
      port: direct ? sipPort : 5060,
      timeoutSeconds: 60,
    });
  }

  const identity = (number: string) => `P-Preferred-Identity: <sip:${number}@${callers.address}>`;
  const phoneIn = (list: ParticipantView[]) => list.find((participant) => participant.via === 'phone');
  const checksOf = (callerId: string) => checks.filter((check) => check.callerId === callerId);
  const failure = (run: SippRun) => `${describe(run)}\n--- kamailio ---\n${trunk.log().slice(-3000)}`;

  it('an E.164 caller is identified by the number the trunk asserts, not by the From the trunk writes', async () => {
    const { roomNumber, moderator } = await room();
    const call = dial('asserted', {
      // The trunk's own billing number in From; the caller's line in the asserted identity.
      caller: '+4930111000',
      inviteHeaders: [identity('+4989123456')],
      dialled: roomNumber,
      keys: `   ${PARTICIPANT_PIN}#`,
      end: { callerHangsUpAfterMs: 9000 },
    });
    const waiting = await moderator.waitForState((state) => phoneIn(state.waiting) !== undefined, 20_000);
    const phone = phoneIn(waiting.waiting)!;
    expect(phone).toMatchObject({ displayName: '+49 … 456', via: 'phone' });
    expect(await moderator.request('moderator:admit', { participantId: phone.id })).toEqual({ ok: true, data: {} });
    await moderator.waitForState((state) => phoneIn(state.participants)?.id === phone.id, 10_000);
    expect(checksOf('+4989123456')).toEqual([{ callerId: '+4989123456', address: trunkHost.address, trustedTrunk: true, outcome: 'admitted' }]);
    const run = await call;
    expect(run.code, failure(run)).toBe(0);
    // The caller's BYE went through the trunk: the product saw it leave.
    await moderator.waitForState((state) => !state.participants.some((participant) => participant.id === phone.id), 10_000);
  }, 60_000);

  it('with Privacy: id and an anonymous From, the caller is shown as "Telefon" and its wrong PIN counts under its asserted number', async () => {
    const { roomNumber, moderator } = await room();
    const call = dial('private', {
      caller: 'anonymous',
      from: '"Anonymous" <sip:anonymous@anonymous.invalid>',
      inviteHeaders: ['Privacy: id', identity('+4940777001')],
      dialled: roomNumber,
      keys: `   111111#      ${PARTICIPANT_PIN}#`,
      end: { callerHangsUpAfterMs: 14_000 },
    });
    const waiting = await moderator.waitForState((state) => phoneIn(state.waiting) !== undefined, 30_000);
    expect(phoneIn(waiting.waiting)).toMatchObject({ displayName: 'Telefon', via: 'phone' });
    expect(checksOf('+4940777001').map((check) => [check.outcome, check.trustedTrunk, check.address])).toEqual([
      ['wrong', true, trunkHost.address],
      ['admitted', true, trunkHost.address],
    ]);
    expect(checks.filter((check) => check.callerId === 'anonymous')).toEqual([]);
    const run = await call;
    expect(run.code, failure(run)).toBe(0);
  }, 60_000);

  it('wrong PINs lock out only the caller who keyed them; another caller behind the same trunk still gets in', async () => {
    const { roomNumber, moderator } = await room();
    const guesser = await dial('guesser', {
      caller: '+4930200001',
      inviteHeaders: [identity('+4930200001')],
      dialled: roomNumber,
      // Two wrong PINs use up this caller's budget: the right one after them is refused.
      keys: `   111111#      222222#      ${PARTICIPANT_PIN}#`,
      end: 'gateway-hangs-up',
    });
    expect(guesser.code, failure(guesser)).toBe(0);
    expect(checksOf('+4930200001').map((check) => check.outcome)).toEqual(['wrong', 'wrong', 'locked-out']);
    expect(phoneIn((await moderator.waitForState(() => true)).waiting)).toBeUndefined();

    const neighbour = dial('neighbour', {
      caller: '+4930200002',
      inviteHeaders: [identity('+4930200002')],
      dialled: roomNumber,
      keys: `   ${PARTICIPANT_PIN}#`,
      end: { callerHangsUpAfterMs: 8000 },
    });
    const waiting = await moderator.waitForState((state) => phoneIn(state.waiting) !== undefined, 20_000);
    expect(phoneIn(waiting.waiting)).toMatchObject({ displayName: '+49 … 002' });
    expect(checksOf('+4930200002').map((check) => check.outcome)).toEqual(['admitted']);
    const run = await neighbour;
    expect(run.code, failure(run)).toBe(0);
  }, 90_000);

  it('ignores the P-Asserted-Identity of a source that is not a trusted trunk: its failures count under its address and From', async () => {
    const { roomNumber, moderator } = await room();
    const call = dial(
      'untrusted',
      {
        caller: '+4930300001',
        // Written by the caller itself, straight to the product: worth nothing.
        inviteHeaders: [`P-Asserted-Identity: <sip:+4930300999@${callers.address}>`],
        dialled: roomNumber,
        keys: `   111111#      ${PARTICIPANT_PIN}#`,
        end: { callerHangsUpAfterMs: 14_000 },
      },
      true,
    );
    const waiting = await moderator.waitForState((state) => phoneIn(state.waiting) !== undefined, 30_000);
    expect(phoneIn(waiting.waiting)).toMatchObject({ displayName: '+49 … 001' });
    expect(checksOf('+4930300999')).toEqual([]);
    expect(checksOf('+4930300001').map((check) => [check.outcome, check.trustedTrunk, check.address])).toEqual([
      ['wrong', false, callers.address],
      ['admitted', false, callers.address],
    ]);
    const run = await call;
    expect(run.code, failure(run)).toBe(0);
  }, 60_000);

  it("the moderator's end for all sends the BYE back through the trunk (Record-Route)", async () => {
    const { roomNumber, moderator } = await room();
    const call = dial('ended', {
      caller: '+4930400001',
      inviteHeaders: [identity('+4930400001')],
      dialled: roomNumber,
      keys: `   ${PARTICIPANT_PIN}#`,
      end: 'gateway-hangs-up',
    });
    const waiting = await moderator.waitForState((state) => phoneIn(state.waiting) !== undefined, 20_000);
    expect(await moderator.request('moderator:admit', { participantId: phoneIn(waiting.waiting)!.id })).toEqual({ ok: true, data: {} });
    await moderator.waitForState((state) => phoneIn(state.participants) !== undefined, 10_000);
    expect(await moderator.request('moderator:end', {})).toMatchObject({ ok: true });
    const run = await call;
    expect(run.code, failure(run)).toBe(0);
    // The BYE sipp received carries the trunk's Via on top of the product's.
    const bye = /BYE sip:[^\n]*\n(?:[^\n]+\n)*/.exec(run.messages.slice(run.messages.lastIndexOf('BYE sip:')))?.[0] ?? '';
    expect(bye, failure(run)).toMatch(new RegExp(`^Via: SIP/2\\.0/UDP ${trunkHost.address.replaceAll('.', '\\.')}`, 'mi'));
  }, 60_000);
});
