import { createSocket } from 'node:dgram';
import { decodeG711, G722Decoder, OpusFrameDecoder, parseRtpPacket, RtpSession, serializeRtpPacket, type RtpPacket } from '@konferenz/sfu';
import type { NegotiatedAudio } from '@konferenz/sip';
import { describe, expect, it, vi } from 'vitest';
import { promptFrames } from './prompt-frames';
import { PromptLibrary } from './prompt-library';
import { PromptPlayer } from './prompt-player';

describe('PromptPlayer', () => {
  const media = (port: number): NegotiatedAudio => ({
    codec: 'PCMA',
    payloadType: 8,
    clockRate: 8000,
    telephoneEventPayloadType: 101,
    remoteAddress: '127.0.0.1',
    remotePort: port,
    direction: 'sendrecv',
    onHold: false,
    ptime: 20,
  });

  it('plays a prompt in 20 ms A-law frames to the caller that sent first', async () => {
    const phone = createSocket('udp4');
    await new Promise<void>((resolve) => phone.bind(0, '127.0.0.1', resolve));
    // The SDP names a port where nobody listens: nothing goes anywhere until the phone's first packet.
    const session = await RtpSession.open<NegotiatedAudio>('127.0.0.1', 0, media(9));
    const received: Array<{ at: number; packet: RtpPacket }> = [];
    phone.on('message', (data) => received.push({ at: performance.now(), packet: parseRtpPacket(data) }));
    const latched = new Promise((resolve) => session.once('latched', resolve));
    phone.send(
      serializeRtpPacket({ marker: false, payloadType: 8, sequenceNumber: 1, timestamp: 0, ssrc: 7, payload: Buffer.alloc(160, 0xd5) }),
      session.localPort,
      '127.0.0.1',
    );
    expect(await latched).toEqual({ address: '127.0.0.1', port: phone.address().port });
    await new Promise((resolve) => setTimeout(resolve, 20));

    const player = new PromptPlayer(session, new PromptLibrary());
    const finished = new Promise<void>((resolve) => player.once('finished', () => resolve()));
    player.play(['de/goodbye']);
    await finished;
    await new Promise((resolve) => setTimeout(resolve, 50));
    const frames = received.map((entry) => entry.packet);
    const expectedFrames = Math.ceil(new PromptLibrary().get('de/goodbye').length / 160);
    expect(frames).toHaveLength(expectedFrames);
    expect(frames.every((frame) => frame.payloadType === 8 && frame.payload.length === 160)).toBe(true);
    expect(frames[0]!.marker).toBe(true);
    expect(frames[1]!.timestamp - frames[0]!.timestamp).toBe(160);
    expect((frames.at(-1)!.sequenceNumber - frames[0]!.sequenceNumber + 65536) % 65536).toBe(frames.length - 1);
    // Real time: n frames take about n × 20 ms.
    const duration = received.at(-1)!.at - received[0]!.at;
    expect(duration).toBeGreaterThan((frames.length - 1) * 20 * 0.9);
    expect(duration).toBeLessThan((frames.length - 1) * 20 * 1.2 + 100);

    player.play(['hold-music'], { loop: true });
    player.stop();
    expect(player.playing).toBe(false);
    session.close();
    phone.close();
  });

  it('plays a prompt to an Opus caller as 20 ms Opus frames on the 48 kHz clock, encoded once per library', async () => {
    const phone = createSocket('udp4');
    await new Promise<void>((resolve) => phone.bind(0, '127.0.0.1', resolve));
    const session = await RtpSession.open<NegotiatedAudio>('127.0.0.1', 0, {
      ...media(phone.address().port),
      codec: 'opus',
      payloadType: 96,
      clockRate: 48000,
      telephoneEventPayloadType: 102,
    });
    const received: RtpPacket[] = [];
    phone.on('message', (data) => received.push(parseRtpPacket(data)));
    const library = new PromptLibrary();
    // The phone proves its address first (a telephone-event packet will do).
    phone.send(
      serializeRtpPacket({ marker: false, payloadType: 102, sequenceNumber: 1, timestamp: 0, ssrc: 7, payload: Buffer.from([0, 0, 0, 0]) }),
      session.localPort,
      '127.0.0.1',
    );
    await new Promise((resolve) => session.once('latched', resolve));
    await new Promise((resolve) => setTimeout(resolve, 20));

    const player = new PromptPlayer(session, library);
    const finished = new Promise<void>((resolve) => player.once('finished', () => resolve()));
    player.play(['de/goodbye']);
    await finished;
    await new Promise((resolve) => setTimeout(resolve, 50));

    const source = library.get('de/goodbye');
    expect(received).toHaveLength(Math.ceil(source.length / 160));
    expect(received.every((packet) => packet.payloadType === 96 && packet.payload.length < 160)).toBe(true);
    expect(received[0]!.marker).toBe(true);
    expect(received.slice(1).every((packet, i) => packet.timestamp - received[i]!.timestamp === 960)).toBe(true);
    // What the caller decodes is the prompt: as loud as the µ-law source, give or take 3 dB.
    const decoder = new OpusFrameDecoder(48000);
    const decoded = received.flatMap((packet) => [...decoder.decode(packet.payload)]);
    expect(decoded).toHaveLength(received.length * 960);
    const level = (samples: number[]) => 10 * Math.log10(samples.reduce((sum, x) => sum + x * x, 0) / samples.length);
    expect(Math.abs(level(decoded) - level([...decodeG711('mulaw', source)]))).toBeLessThan(3);

    // Another call in the same process gets the same encoded frames.
    expect(promptFrames(library, 'de/goodbye', 'opus', 20)).toBe(promptFrames(library, 'de/goodbye', 'opus', 20));
    session.close();
    phone.close();
  });

  it('with idle silence (the menu waiting for keys), keeps the stream going between prompts: silence on the same clock, a prompt after it', async () => {
    const phone = createSocket('udp4');
    await new Promise<void>((resolve) => phone.bind(0, '127.0.0.1', resolve));
    const session = await RtpSession.open<NegotiatedAudio>('127.0.0.1', 0, media(9));
    const received: RtpPacket[] = [];
    phone.on('message', (data) => received.push(parseRtpPacket(data)));
    const latched = new Promise((resolve) => session.once('latched', resolve));
    phone.send(
      serializeRtpPacket({ marker: false, payloadType: 8, sequenceNumber: 1, timestamp: 0, ssrc: 7, payload: Buffer.alloc(160, 0xd5) }),
      session.localPort,
      '127.0.0.1',
    );
    await latched;
    const player = new PromptPlayer(session, new PromptLibrary());
    player.idleSilence = true;
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Silence (A-law 0xD5) every 20 ms, and nothing counts as playing.
    expect(received.length).toBeGreaterThanOrEqual(7);
    expect(received.every((packet) => packet.payload.every((byte) => byte === 0xd5))).toBe(true);
    expect(player.playing).toBe(false);
    let finished = 0;
    player.on('finished', () => finished++);
    player.play(['de/goodbye']);
    expect(player.playing).toBe(true);
    await vi.waitFor(() => expect(finished).toBe(1), { timeout: 10_000 });
    expect(player.playing).toBe(false);
    const afterPrompt = received.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received.length).toBeGreaterThan(afterPrompt + 2);
    // One stream throughout: consecutive sequence numbers, 160 ticks apart, the prompt a new talkspurt.
    const ssrcs = new Set(received.map((packet) => packet.ssrc));
    expect(ssrcs.size).toBe(1);
    expect(received.slice(1).every((packet, i) => ((packet.sequenceNumber - received[i]!.sequenceNumber) & 0xffff) === 1)).toBe(true);
    expect(received.filter((packet) => packet.marker).length).toBeGreaterThanOrEqual(2);
    // Off: the silence stops.
    player.idleSilence = false;
    await new Promise((resolve) => setTimeout(resolve, 60));
    const stoppedAt = received.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received.length).toBe(stoppedAt);
    session.close();
    phone.close();
  });

  it('plays a prompt to a G.722 caller as 160-byte frames on the 8 kHz RTP clock (16 kHz audio), idle silence too', async () => {
    const phone = createSocket('udp4');
    await new Promise<void>((resolve) => phone.bind(0, '127.0.0.1', resolve));
    const session = await RtpSession.open<NegotiatedAudio>('127.0.0.1', 0, { ...media(phone.address().port), codec: 'G722', payloadType: 9 });
    const received: RtpPacket[] = [];
    phone.on('message', (data) => received.push(parseRtpPacket(data)));
    const library = new PromptLibrary();
    phone.send(
      serializeRtpPacket({ marker: false, payloadType: 9, sequenceNumber: 1, timestamp: 0, ssrc: 7, payload: Buffer.alloc(160, 0xff) }),
      session.localPort,
      '127.0.0.1',
    );
    await new Promise((resolve) => session.once('latched', resolve));
    const player = new PromptPlayer(session, library);
    player.idleSilence = true;
    await new Promise((resolve) => setTimeout(resolve, 100));
    const silent = received.length;
    expect(silent).toBeGreaterThanOrEqual(1);
    const finished = new Promise<void>((resolve) => player.once('finished', () => resolve()));
    player.play(['de/goodbye']);
    await finished;
    player.idleSilence = false;
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(received.every((packet) => packet.payloadType === 9 && packet.payload.length === 160)).toBe(true);
    expect(received.slice(1).every((packet, i) => packet.timestamp - received[i]!.timestamp === 160)).toBe(true);
    // What the caller decodes is the prompt at 16 kHz: as loud as the µ-law source, give or take 3 dB.
    const source = library.get('de/goodbye');
    const prompt = received.slice(silent, silent + Math.ceil(source.length / 160));
    const decoder = new G722Decoder();
    const decoded = prompt.flatMap((packet) => [...decoder.decode(packet.payload)]);
    expect(decoded).toHaveLength(prompt.length * 320);
    const level = (samples: number[]) => 10 * Math.log10(samples.reduce((sum, x) => sum + x * x, 0) / samples.length);
    expect(Math.abs(level(decoded) - level([...decodeG711('mulaw', source)]))).toBeLessThan(3);
    session.close();
    phone.close();
  });
});
