import { FakeMediaStreamTrack } from 'fake-mediastreamtrack';
import { describe, expect, it, vi } from 'vitest';
import { prepareDevice } from './media-device';
import { MediaSession } from './media-session';
import { fakeConsumerOffer as consumerOffer, fakeDevice, FakeMediaServer as FakeServer, routerCapabilities } from './testing/fake-media-server';

const track = (kind: 'audio' | 'video') => new FakeMediaStreamTrack({ kind }) as unknown as MediaStreamTrack;

async function startedSession() {
  const server = new FakeServer();
  const listener = { transportTrouble: vi.fn() };
  const media = new MediaSession(server, listener, fakeDevice);
  await media.start();
  return { server, listener, media };
}

describe('MediaSession', () => {
  it('loads the device and creates the receive transport before the send transport', async () => {
    const { server } = await startedSession();
    expect(server.names()).toEqual(['media:rtpCapabilities', 'media:setRtpCapabilities', 'media:createTransport', 'media:createTransport']);
    expect(server.sent[2].payload).toEqual({ direction: 'recv' });
    expect(server.sent[3].payload).toEqual({ direction: 'send' });
    expect(server.last('media:setRtpCapabilities')?.rtpCapabilities).toMatchObject({ codecs: expect.any(Array) });
  });

  it('takes the device the join page prepared: its capabilities go out at once, nothing is loaded again', async () => {
    await prepareDevice(async () => ({ rtpCapabilities: routerCapabilities() }), fakeDevice);
    const server = new FakeServer();
    const createDevice = vi.fn(fakeDevice);
    await new MediaSession(server, { transportTrouble: vi.fn() }, createDevice).start();
    expect(createDevice).not.toHaveBeenCalled();
    expect(server.names()).toEqual(['media:rtpCapabilities', 'media:setRtpCapabilities', 'media:createTransport', 'media:createTransport']);
    expect(server.sent[2].payload).toEqual({ direction: 'recv' });

    // Taken once: the next media session (after a reset) loads its own.
    await new MediaSession(new FakeServer(), { transportTrouble: vi.fn() }, createDevice).start();
    expect(createDevice).toHaveBeenCalledTimes(1);
  });

  it('loads anew when the router offers other capabilities than the prepared device was loaded with', async () => {
    const older = routerCapabilities();
    await prepareDevice(async () => ({ rtpCapabilities: { ...older, codecs: (older.codecs ?? []).slice(0, 1) } }), fakeDevice);
    const server = new FakeServer();
    const createDevice = vi.fn(fakeDevice);
    await new MediaSession(server, { transportTrouble: vi.fn() }, createDevice).start();
    expect(createDevice).toHaveBeenCalledTimes(1);
    expect(server.names().filter((name) => name === 'media:setRtpCapabilities')).toHaveLength(2);
    // The early receive transport is asked for again after the new capabilities, which replaces it on the server.
    expect(server.names().slice(-3)).toEqual(['media:setRtpCapabilities', 'media:createTransport', 'media:createTransport']);
    expect(server.sent.at(-2)?.payload).toEqual({ direction: 'recv' });
  });

  it('asks for the receive transport with a prepared device before the router has confirmed it', async () => {
    await prepareDevice(async () => ({ rtpCapabilities: routerCapabilities() }), fakeDevice);
    const server = new FakeServer();
    let confirm: () => void = () => undefined;
    const answer = server.request.bind(server);
    server.request = (async (name: never, payload: never) => {
      if (name === 'media:rtpCapabilities') await new Promise<void>((resolve) => (confirm = resolve));
      return answer(name, payload);
    }) as typeof server.request;
    const started = new MediaSession(server, { transportTrouble: vi.fn() }, fakeDevice).start();
    await Promise.resolve();
    expect(server.names()).toEqual(['media:setRtpCapabilities', 'media:createTransport']);
    confirm();
    await started;
    expect(server.names().filter((name) => name === 'media:createTransport')).toHaveLength(2);
  });

  it('joins without a prepared device when preparing it failed', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await prepareDevice(async () => Promise.reject(new Error('server down')), fakeDevice);
    expect(warn).toHaveBeenCalledOnce();
    warn.mockRestore();
    const { server } = await startedSession();
    expect(server.names().slice(0, 2)).toEqual(['media:rtpCapabilities', 'media:setRtpCapabilities']);
  });

  it('connects the send transport on the first produce and tells the server each producer’s source', async () => {
    const { server, media } = await startedSession();
    await media.produce('microphone', track('audio'));
    await media.produce('camera', track('video'));

    expect(server.names().filter((name) => name === 'media:connectTransport')).toHaveLength(1);
    expect(server.last('media:connectTransport')).toMatchObject({ transportId: 'transport-2', dtlsParameters: expect.any(Object) });
    const produced = server.sent.filter(({ name }) => name === 'media:produce').map(({ payload }) => payload);
    expect(produced.map(({ kind, source, transportId }) => [kind, source, transportId])).toEqual([
      ['audio', 'microphone', 'transport-2'],
      ['video', 'camera', 'transport-2'],
    ]);
    // The camera goes out as three simulcast layers.
    expect((produced[1].rtpParameters as { encodings: unknown[] }).encodings).toHaveLength(3);
    expect(media.hasProducer('microphone') && media.hasProducer('camera')).toBe(true);
  });

  it('produces a muted microphone paused, with the track silent from the start', async () => {
    const { server, media } = await startedSession();
    const microphone = track('audio');
    await media.produce('microphone', microphone, { paused: true });
    expect(microphone.enabled).toBe(false);
    expect(server.last('media:setProducerPaused')).toEqual({ producerId: 'producer-microphone', paused: true });

    await media.setProducerPaused('microphone', false);
    expect(microphone.enabled).toBe(true);
    expect(server.last('media:setProducerPaused')).toEqual({ producerId: 'producer-microphone', paused: false });
  });

  it('mirrors a moderator’s mute locally without asking the server', async () => {
    const { server, media } = await startedSession();
    const microphone = track('audio');
    await media.produce('microphone', microphone);
    const before = server.sent.length;
    media.pauseLocally('microphone', true);
    expect(microphone.enabled).toBe(false);
    expect(server.sent.length).toBe(before);
  });

  it("sends another microphone in the old one's place without a new producer, and stays muted", async () => {
    const { server, media } = await startedSession();
    await media.produce('microphone', track('audio'));
    await media.setProducerPaused('microphone', true);
    const produced = server.sent.filter(({ name }) => name === 'media:produce').length;
    const other = track('audio');
    expect(await media.replaceTrack('microphone', other)).toBe(true);
    expect(other.enabled).toBe(false);
    expect(server.sent.filter(({ name }) => name === 'media:produce').length).toBe(produced);
    expect(await media.replaceTrack('camera', track('video'))).toBe(false);
  });

  it('closes a producer (camera off, screen share stopped) without stopping the local track', async () => {
    const { server, media } = await startedSession();
    const camera = track('video');
    await media.produce('camera', camera);
    await media.closeProducer('camera');
    expect(server.last('media:closeProducer')).toEqual({ producerId: 'producer-camera' });
    expect(media.hasProducer('camera')).toBe(false);
    expect(camera.readyState).toBe('live');
  });

  it('consumes offered tracks, resumes them on request and counts them', async () => {
    const { server, media } = await startedSession();
    const audio = await media.consume(consumerOffer('audio', 'c-audio'));
    const video = await media.consume(consumerOffer('video', 'c-video'));
    expect(audio).toMatchObject({ consumerId: 'c-audio', participantId: 'anna', kind: 'audio', source: 'microphone', paused: false });
    expect(video?.track.kind).toBe('video');

    await media.resumeConsumer('c-video');
    expect(server.last('media:resumeConsumer')).toEqual({ consumerId: 'c-video' });
    expect((await media.stats()).consumers).toBe(2);

    media.closeConsumer('c-audio');
    expect((await media.stats()).consumers).toBe(1);
  });

  it('waits with offers that arrive before the receive transport exists', async () => {
    const server = new FakeServer();
    const media = new MediaSession(server, { transportTrouble: vi.fn() }, fakeDevice);
    const offered = media.consume(consumerOffer('audio', 'early'));
    await media.start();
    await expect(offered).resolves.toMatchObject({ consumerId: 'early' });
  });

  it('drops an offer the server withdrew while it was being set up', async () => {
    const server = new FakeServer();
    const media = new MediaSession(server, { transportTrouble: vi.fn() }, fakeDevice);
    const offered = media.consume(consumerOffer('audio', 'withdrawn'));
    media.closeConsumer('withdrawn');
    await media.start();
    await expect(offered).resolves.toBeNull();
  });

  it('after close, produces and consumes nothing and leaves local tracks alone', async () => {
    const { server, media } = await startedSession();
    const microphone = track('audio');
    await media.produce('microphone', microphone);
    media.close();
    const before = server.sent.length;
    await media.produce('camera', track('video'));
    await expect(media.consume(consumerOffer('audio', 'late'))).resolves.toBeNull();
    expect(server.sent.length).toBe(before);
    expect(microphone.readyState).toBe('live');
    expect(media.closed).toBe(true);
  });
});
