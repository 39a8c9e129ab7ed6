import { once } from 'node:events';

import { afterEach, describe, expect, it } from 'vitest';

import { MediaError, MediaPlane } from '../src';
import type { MediaPlaneOptions } from '../src/media-plane';
import { MediasoupObjects } from './support/mediasoup-objects';
import { LOOPBACK, eventually, freeLoopbackPorts } from './support/loopback';

const objects = new MediasoupObjects();
let plane: MediaPlane | undefined;

afterEach(async () => {
  await plane?.close();
  plane = undefined;
});

async function createPlane(options: Partial<MediaPlaneOptions> & { numWorkers: number }): Promise<{ plane: MediaPlane; rtcPort: number }> {
  const rtcPort = await freeLoopbackPorts(options.numWorkers);
  plane = await MediaPlane.create({ listenIp: LOOPBACK, rtcPort, logLevel: 'error', ...options });
  return { plane, rtcPort };
}

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

describe('MediaPlane', () => {
  it('opens one room per id, spread over the workers, each using its worker’s WebRtcServer port', async () => {
    const { plane, rtcPort } = await createPlane({ numWorkers: 2 });
    const [a, sameA] = await Promise.all([plane.room('a'), plane.room('a')]);
    expect(sameA).toBe(a);
    expect(await plane.room('a')).toBe(a);
    expect(plane.findRoom('a')).toBe(a);
    expect(plane.findRoom('b')).toBeUndefined();
    const b = await plane.room('b');
    expect(b).not.toBe(a);

    const ports = await Promise.all([a, b].map(async (room) => (await room.createWebRtcTransport('alice', 'send')).iceCandidates[0]!.port));
    expect(ports.sort()).toEqual([rtcPort, rtcPort + 1]);
  });

  it('knows what every room’s router offers before any room opens', async () => {
    const { plane } = await createPlane({ numWorkers: 2 });
    const capabilities = plane.rtpCapabilities;
    expect(capabilities.codecs?.map((c) => c.mimeType)).toEqual(expect.arrayContaining(['audio/opus', 'audio/PCMU', 'video/VP8', 'video/H264']));
    const rooms = await Promise.all([plane.room('a'), plane.room('b')]);
    for (const room of rooms) expect(room.rtpCapabilities).toEqual(capabilities);
  });

  it('forgets a closed room; the next use opens a fresh one', async () => {
    const { plane } = await createPlane({ numWorkers: 1 });
    const room = await plane.room('a');
    await room.createWebRtcTransport('alice', 'send');
    const closed = once(room, 'close');
    room.close();
    await closed;
    expect(plane.findRoom('a')).toBeUndefined();
    const reopened = await plane.room('a');
    expect(reopened).not.toBe(room);
    expect(reopened.producersOf('alice')).toEqual([]);
  });

  it('moves a room whose worker was killed to a live worker and announces the reset', async () => {
    const { plane } = await createPlane({ numWorkers: 2 });
    const room = await plane.room('a');
    const before = await room.createWebRtcTransport('alice', 'send');
    const victim = objects.workerOfTransport(before.id);
    const died = once(plane, 'workerDied');
    const reset = once(plane, 'roomReset');
    const roomReset = once(room, 'reset');

    const killedAt = Date.now();
    process.kill(victim.pid, 'SIGKILL');
    expect(await reset).toEqual(['a']);
    await roomReset;
    expect(Date.now() - killedAt).toBeLessThan(3_000);
    expect((await died)[0].pid).toBe(victim.pid);

    // Same room object, new router on the other worker, no peers.
    expect(plane.findRoom('a')).toBe(room);
    expect(room.rtpCapabilities.codecs?.some((c) => c.mimeType === 'audio/opus')).toBe(true);
    await expect(room.restartIce('alice', before.id)).rejects.toMatchObject({ code: 'UNKNOWN_PEER' });
    const after = await room.createWebRtcTransport('alice', 'send');
    expect(objects.workerOfTransport(after.id)).not.toBe(victim);
    expect(after.iceCandidates[0]!.port).not.toBe(before.iceCandidates[0]!.port);

    // The replacement worker gets the dead one's port back, and takes the next room.
    const survivor = objects.workerOfTransport(after.id);
    const replacement = await eventually(() => objects.workers.find((w) => !w.closed && w !== victim && w !== survivor && objects.hasWebRtcServer(w)));
    const next = await plane.room('b');
    const nextTransport = await next.createWebRtcTransport('bob', 'recv');
    expect(objects.workerOfTransport(nextTransport.id)).toBe(replacement);
    expect(nextTransport.iceCandidates[0]!.port).toBe(before.iceCandidates[0]!.port);
  });

  it('rebuilds every room on the replacement when the only worker dies', async () => {
    const { plane, rtcPort } = await createPlane({ numWorkers: 1 });
    const rooms = await Promise.all([plane.room('a'), plane.room('b')]);
    const transport = await rooms[0]!.createWebRtcTransport('alice', 'send');
    const victim = objects.workerOfTransport(transport.id);
    const resets: string[] = [];
    plane.on('roomReset', (roomId) => resets.push(roomId));
    const died = once(plane, 'workerDied');

    process.kill(victim.pid, 'SIGKILL');
    await died;
    // Until the replacement runs, the room has no router to offer.
    await expect(rooms[0]!.createWebRtcTransport('alice', 'send')).rejects.toMatchObject({ code: 'MEDIA_FAILED' });
    await eventually(() => (resets.length === 2 ? true : undefined));
    expect(resets.sort()).toEqual(['a', 'b']);
    for (const room of rooms) {
      const again = await room.createWebRtcTransport('alice', 'send');
      expect(objects.workerOfTransport(again.id)).not.toBe(victim);
      expect(again.iceCandidates[0]!.port).toBe(rtcPort);
    }
  });

  it('closes a room that is still waiting for a worker when the plane closes', async () => {
    const { plane } = await createPlane({ numWorkers: 1 });
    const room = await plane.room('a');
    const transport = await room.createWebRtcTransport('alice', 'send');
    const resets: string[] = [];
    plane.on('roomReset', (roomId) => resets.push(roomId));
    const died = once(plane, 'workerDied');
    const closed = once(room, 'close');

    process.kill(objects.workerOfTransport(transport.id).pid, 'SIGKILL');
    await died;
    await plane.close();
    await closed;
    expect(resets).toEqual([]);
  });

  it('closes every room and stops the workers', async () => {
    const { plane } = await createPlane({ numWorkers: 2 });
    const rooms = await Promise.all([plane.room('a'), plane.room('b')]);
    const closed = rooms.map((room) => once(room, 'close'));
    const pids = objects.workers.filter((w) => !w.closed).map((w) => w.pid);

    await plane.close();
    await Promise.all(closed);
    expect(plane.findRoom('a')).toBeUndefined();
    await expect(plane.room('c')).rejects.toBeInstanceOf(MediaError);
    await eventually(() => (pids.every(processGone) ? true : undefined));
  });

  it('announces announcedIp in candidates and plain transports', async () => {
    const { plane } = await createPlane({ numWorkers: 1, announcedIp: '127.0.0.2' });
    const room = await plane.room('a');
    const transport = await room.createWebRtcTransport('alice', 'recv');
    expect(transport.iceCandidates.map((c) => c.ip)).toEqual(['127.0.0.2', '127.0.0.2']);
    expect((await room.createPlainTransport('phone', { comedia: true })).ip).toBe('127.0.0.2');
  });

  it('refuses to listen everywhere without an address to announce', async () => {
    await expect(MediaPlane.create({ listenIp: '0.0.0.0', rtcPort: 40000 })).rejects.toThrow(/announcedIp/);
    await expect(MediaPlane.create({ listenIp: LOOPBACK, rtcPort: 0 })).rejects.toThrow(RangeError);
  });
});
