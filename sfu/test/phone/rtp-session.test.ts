import { createSocket, type Socket } from 'node:dgram';

import { describe, expect, it, vi } from 'vitest';

import { emptyReceiverReport, parseRtpPacket, serializeRtpPacket } from '../../src/phone/rtp-packet';
import { RtpSession, type CallMedia } from '../../src/phone/rtp-session';
import { LOOPBACK, sleep } from '../support/loopback';

/** PCMA with telephone-events, the SDP naming `port` (where nobody need listen). */
function media(port: number): CallMedia {
  return { payloadType: 8, telephoneEventPayloadType: 101, remoteAddress: LOOPBACK, remotePort: port, direction: 'sendrecv', onHold: false };
}

async function phoneSocket(): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, LOOPBACK, resolve));
  return socket;
}

function send(socket: Socket, session: RtpSession, payloadType: number, timestamp: number, payload: Buffer): void {
  socket.send(serializeRtpPacket({ marker: false, payloadType, sequenceNumber: 1, timestamp, ssrc: 7, payload }), session.localPort, LOOPBACK);
}

describe('RtpSession', () => {
  it('latches to the first sender, reads keys from it only, and passes its audio on', async () => {
    const phone = await phoneSocket();
    const stranger = await phoneSocket();
    const session = await RtpSession.open(LOOPBACK, 0, media(9));
    const keys: number[] = [];
    session.on('key', (key) => keys.push(key));
    const audio: number[] = [];
    session.on('audio', (packet) => audio.push(packet.payloadType));
    const latched = new Promise((resolve) => session.once('latched', resolve));

    send(phone, session, 8, 0, Buffer.alloc(160, 0xd5));
    expect(await latched).toEqual({ address: LOOPBACK, port: phone.address().port });
    send(stranger, session, 101, 500, Buffer.from([2, 0x80, 0, 160]));
    send(phone, session, 101, 800, Buffer.from([9, 0x80, 0, 160]));
    await sleep(50);
    expect(keys).toEqual([9]);
    expect(audio).toEqual([8]);
    session.close();
    phone.close();
    stranger.close();
  });

  it("sends nothing before the caller's first packet, counts any RTP as life, and stops on ICMP port unreachable", async () => {
    const listener = await phoneSocket();
    let heard = 0;
    listener.on('message', () => heard++);
    const session = await RtpSession.open(LOOPBACK, 0, media(listener.address().port));
    session.sendAudio(Buffer.alloc(160), 160);
    expect(session.sendToCaller(Buffer.alloc(12))).toBe(false);
    await sleep(50);
    expect(heard).toBe(0);
    expect(session.latched).toBeUndefined();

    const phone = await phoneSocket();
    const toPhone: number[] = [];
    phone.on('message', (data) => toPhone.push(parseRtpPacket(data).payloadType));
    await sleep(60);
    expect(session.silentForMs).toBeGreaterThan(50);
    // Comfort noise proves the address and counts as life.
    send(phone, session, 13, 0, Buffer.from([40]));
    await new Promise((resolve) => session.once('latched', resolve));
    await sleep(20);
    expect(session.silentForMs).toBeLessThan(50);
    session.sendAudio(Buffer.alloc(160), 160);
    await sleep(20);
    expect(toPhone).toEqual([8]);
    expect(heard).toBe(0);
    // On hold (the caller sends only, or nothing) the caller is not expected to send.
    expect(session.callerSends).toBe(true);
    session.update({ ...media(listener.address().port), direction: 'recvonly', onHold: true });
    expect(session.callerSends).toBe(false);
    // Nor does the gateway send then: neither prompts nor anything else (the room's mix).
    session.sendAudio(Buffer.alloc(160), 160);
    expect(session.sendToCaller(Buffer.alloc(12))).toBe(false);
    await sleep(20);
    expect(toPhone).toEqual([8]);
    session.update(media(listener.address().port));

    const unreachable = new Promise<void>((resolve) => session.once('unreachable', resolve));
    phone.close();
    for (let i = 0; i < 5; i++) {
      session.sendAudio(Buffer.alloc(160), 160);
      await sleep(10);
    }
    await unreachable;
    expect(session.sendToCaller(Buffer.alloc(12))).toBe(false);
    session.close();
    listener.close();
  });

  it('keeps one stream for everything it sends: consecutive sequence numbers, a gap in time and a marker after skipped frames', async () => {
    const phone = await phoneSocket();
    const toPhone: ReturnType<typeof parseRtpPacket>[] = [];
    phone.on('message', (data) => toPhone.push(parseRtpPacket(data)));
    const session = await RtpSession.open(LOOPBACK, 0, media(9));
    send(phone, session, 8, 0, Buffer.alloc(160));
    await new Promise((resolve) => session.once('latched', resolve));
    await sleep(20);
    session.sendAudio(Buffer.alloc(160), 160);
    session.sendAudio(Buffer.alloc(160), 160);
    session.sendAudio(Buffer.alloc(160), 160, 3 * 160);
    session.sendAudio(Buffer.alloc(160), 160);
    await vi.waitFor(() => expect(toPhone).toHaveLength(4));
    expect(new Set(toPhone.map((packet) => packet.ssrc)).size).toBe(1);
    expect(toPhone.map((packet) => (packet.sequenceNumber - toPhone[0]!.sequenceNumber) & 0xffff)).toEqual([0, 1, 2, 3]);
    expect(toPhone.map((packet) => (packet.timestamp - toPhone[0]!.timestamp) >>> 0)).toEqual([0, 160, 5 * 160, 6 * 160]);
    expect(toPhone.map((packet) => packet.marker)).toEqual([true, false, true, false]);
    session.close();
    phone.close();
  });

  it('counts what it drops and never throws on it', async () => {
    const phone = await phoneSocket();
    const session = await RtpSession.open(LOOPBACK, 0, media(9));
    send(phone, session, 8, 0, Buffer.alloc(160, 0xd5));
    await new Promise((resolve) => session.once('latched', resolve));
    for (const datagram of [Buffer.alloc(0), Buffer.from('hello'), Buffer.from('8f000001000000000000000100', 'hex'), emptyReceiverReport(9)]) {
      phone.send(datagram, session.localPort, LOOPBACK);
    }
    send(phone, session, 96, 160, Buffer.alloc(20));
    await sleep(50);
    expect(session.stats().dropped).toEqual({ malformed: 3, rtcp: 1, otherPayloadType: 1, foreignSource: 0 });
    session.close();
    phone.close();
  });
});

describe('RtpSession in a port range', () => {
  it('takes even ports of the range only, and says so when every one is taken', async () => {
    const range = { min: 47100, max: 47105 };
    const sessions = await Promise.all([0, 1, 2].map(() => RtpSession.open(LOOPBACK, range, media(9))));
    expect(sessions.map((session) => session.localPort).sort()).toEqual([47100, 47102, 47104]);
    await expect(RtpSession.open(LOOPBACK, range, media(9))).rejects.toThrow('no free RTP port in 47100-47105');
    const middle = sessions.find((session) => session.localPort === 47102)!;
    middle.close();
    const again = await RtpSession.open(LOOPBACK, range, media(9));
    expect(again.localPort).toBe(47102);
    for (const session of [...sessions.filter((session) => session !== middle), again]) session.close();
  });
});
