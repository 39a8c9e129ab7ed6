import { createSocket } from 'node:dgram';
import { OpusFrameDecoder } from '@konferenz/sfu';
import { LANGUAGES } from '@konferenz/shared';
import type { NegotiatedAudio } from '@konferenz/sip';
import { describe, expect, it } from 'vitest';
import { alawToLinear, linearToAlaw, linearToMulaw, mulawToAlaw, mulawToLinear } from './g711';
import { promptFrames } from './prompt-frames';
import { PromptLibrary } from './prompt-library';
import { PromptPlayer } from './prompt-player';
import { parseRtpPacket, serializeRtpPacket } from './rtp-packet';
import { RtpSession } from './rtp-session';
import { IVR_MAX_SPOKEN_NUMBER, IVR_PROMPT_IDS } from './ivr-prompts';
import { readMulawWav } from './wav-file';

describe('G.711', () => {
  it('round-trips samples within the quantisation step', () => {
    for (let sample = -32768; sample <= 32767; sample += 97) {
      const tolerance = Math.max(16, Math.abs(sample) / 16);
      expect(Math.abs(mulawToLinear(linearToMulaw(sample)) - sample)).toBeLessThanOrEqual(tolerance);
      expect(Math.abs(alawToLinear(linearToAlaw(sample)) - sample)).toBeLessThanOrEqual(tolerance);
    }
  });

  it('encodes silence as the standard codes', () => {
    expect(linearToMulaw(0)).toBe(0xff);
    expect(linearToAlaw(0)).toBe(0xd5);
    expect([...mulawToAlaw(Buffer.from([0xff]))]).toEqual([0xd5]);
  });
});

describe('RTP packets', () => {
  it('round-trips and rejects what is not RTP', () => {
    const packet = { marker: true, payloadType: 101, sequenceNumber: 65535, timestamp: 2 ** 32 - 1, ssrc: 1234, payload: Buffer.from([1, 2, 3, 4]) };
    expect(parseRtpPacket(serializeRtpPacket(packet))).toEqual(packet);
    expect(parseRtpPacket(Buffer.alloc(11))).toBeNull();
    expect(parseRtpPacket(Buffer.from([0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]))).toBeNull(); // version 1
    const rtcp = serializeRtpPacket({ ...packet, payloadType: 72, marker: true });
    expect(parseRtpPacket(rtcp)).toBeNull();
    const lyingCsrc = serializeRtpPacket(packet);
    lyingCsrc[0] = 0x8f; // 15 CSRCs that are not there
    expect(parseRtpPacket(lyingCsrc)).toBeNull();
  });
});

describe('prompt files', () => {
  const library = new PromptLibrary();

  it('exist for every prompt, language and spoken number, as 8 kHz µ-law', () => {
    for (const language of LANGUAGES) {
      for (const id of IVR_PROMPT_IDS) expect(library.get(`${language}/${id}`).length, `${language}/${id}`).toBeGreaterThan(4000);
      for (let n = 2; n <= IVR_MAX_SPOKEN_NUMBER; n++) expect(library.has(`${language}/numbers/${n}`), `${language}/numbers/${n}`).toBe(true);
    }
    expect(library.get('hold-music').length).toBe(16 * 8000);
  });

  it('refuses keys that could leave the prompt folder', () => {
    expect(() => library.get('../../package' as 'hold-music')).toThrow(/bad prompt key/);
  });

  it('reads 16-bit PCM WAV files too', () => {
    const samples = 4;
    const wav = Buffer.alloc(44 + samples * 2);
    wav.write('RIFF', 0, 'latin1');
    wav.writeUInt32LE(36 + samples * 2, 4);
    wav.write('WAVEfmt ', 8, 'latin1');
    wav.writeUInt32LE(16, 16);
    wav.writeUInt16LE(1, 20);
    wav.writeUInt16LE(1, 22);
    wav.writeUInt32LE(8000, 24);
    wav.writeUInt32LE(16000, 28);
    wav.writeUInt16LE(2, 32);
    wav.writeUInt16LE(16, 34);
    wav.write('data', 36, 'latin1');
    wav.writeUInt32LE(samples * 2, 40);
    expect([...readMulawWav(wav).data]).toEqual([0xff, 0xff, 0xff, 0xff]);
    expect(() => readMulawWav(Buffer.from('not a wav file at all'))).toThrow();
  });
});

describe('RtpSession and PromptPlayer', () => {
  const media = (port: number): NegotiatedAudio => ({
    codec: 'PCMA', payloadType: 8, clockRate: 8000, telephoneEventPayloadType: 101,
    remoteAddress: '127.0.0.1', remotePort: port, direction: 'sendrecv', onHold: false, ptime: 20,
  });

  it('plays a prompt in 20 ms A-law frames, latches to the first sender, and reads DTMF from it only', async () => {
    const phone = createSocket('udp4');
    await new Promise<void>((resolve) => phone.bind(0, '127.0.0.1', resolve));
    const stranger = createSocket('udp4');
    await new Promise<void>((resolve) => stranger.bind(0, '127.0.0.1', resolve));
    // The SDP names a port where nobody listens: nothing goes anywhere until the phone's first packet.
    const session = await RtpSession.open('127.0.0.1', 0, media(9));
    const received: Array<{ at: number; packet: NonNullable<ReturnType<typeof parseRtpPacket>> }> = [];
    phone.on('message', (data) => received.push({ at: performance.now(), packet: parseRtpPacket(data)! }));
    const digits: string[] = [];
    session.on('dtmf', (digit) => digits.push(digit));
    const latched = new Promise((resolve) => session.once('latched', resolve));

    const send = (socket: typeof phone, payloadType: number, timestamp: number, payload: Buffer) =>
      socket.send(serializeRtpPacket({ marker: false, payloadType, sequenceNumber: 1, timestamp, ssrc: 7, payload }), session.localPort, '127.0.0.1');
    send(phone, 8, 0, Buffer.alloc(160, 0xd5));
    expect(await latched).toEqual({ address: '127.0.0.1', port: phone.address().port });
    send(stranger, 101, 500, Buffer.from([2, 0x80, 0, 160]));
    send(phone, 101, 800, Buffer.from([9, 0x80, 0, 160]));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(digits).toEqual(['9']);

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
    stranger.close();
  });

  it('plays a prompt to an Opus caller as 20 ms Opus frames on the 48 kHz clock, encoded once per library', async () => {
    const phone = createSocket('udp4');
    await new Promise<void>((resolve) => phone.bind(0, '127.0.0.1', resolve));
    const session = await RtpSession.open('127.0.0.1', 0, { ...media(phone.address().port), codec: 'opus', payloadType: 96, clockRate: 48000, telephoneEventPayloadType: 102 });
    const received: NonNullable<ReturnType<typeof parseRtpPacket>>[] = [];
    phone.on('message', (data) => received.push(parseRtpPacket(data)!));
    const library = new PromptLibrary();
    // The phone proves its address first (a telephone-event packet will do).
    phone.send(serializeRtpPacket({ marker: false, payloadType: 102, sequenceNumber: 1, timestamp: 0, ssrc: 7, payload: Buffer.from([0, 0, 0, 0]) }), session.localPort, '127.0.0.1');
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
    expect(Math.abs(level(decoded) - level([...source].map(mulawToLinear)))).toBeLessThan(3);

    // Another call in the same process gets the same encoded frames.
    expect(promptFrames(library, 'de/goodbye', 'opus', 20)).toBe(promptFrames(library, 'de/goodbye', 'opus', 20));
    session.close();
    phone.close();
  });

  it('sends nothing before the caller\'s first packet, counts any RTP as life, and stops on ICMP port unreachable', async () => {
    const listener = createSocket('udp4');
    await new Promise<void>((resolve) => listener.bind(0, '127.0.0.1', resolve));
    let heard = 0;
    listener.on('message', () => heard++);
    const session = await RtpSession.open('127.0.0.1', 0, media(listener.address().port));
    session.sendAudio(Buffer.alloc(160), 160);
    expect(session.sendToCaller(Buffer.alloc(12))).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(heard).toBe(0);
    expect(session.latched).toBeUndefined();

    const phone = createSocket('udp4');
    await new Promise<void>((resolve) => phone.bind(0, '127.0.0.1', resolve));
    let toPhone = 0;
    phone.on('message', () => toPhone++);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(session.silentForMs).toBeGreaterThan(50);
    // Comfort noise proves the address and counts as life.
    phone.send(serializeRtpPacket({ marker: false, payloadType: 13, sequenceNumber: 1, timestamp: 0, ssrc: 7, payload: Buffer.from([40]) }), session.localPort, '127.0.0.1');
    await new Promise((resolve) => session.once('latched', resolve));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(session.silentForMs).toBeLessThan(50);
    session.sendAudio(Buffer.alloc(160), 160);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(toPhone).toBe(1);
    expect(heard).toBe(0);
    // On hold (the caller sends only, or nothing) the caller is not expected to send.
    expect(session.callerSends).toBe(true);
    session.update({ ...media(listener.address().port), direction: 'recvonly', onHold: true });
    expect(session.callerSends).toBe(false);
    session.update(media(listener.address().port));

    const unreachable = new Promise<void>((resolve) => session.once('unreachable', resolve));
    phone.close();
    for (let i = 0; i < 5; i++) {
      session.sendAudio(Buffer.alloc(160), 160);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await unreachable;
    expect(session.sendToCaller(Buffer.alloc(12))).toBe(false);
    session.close();
    listener.close();
  });

  it('refuses to play prompts over a codec it cannot encode', async () => {
    const session = await RtpSession.open('127.0.0.1', 0, { ...media(9), codec: 'G722', payloadType: 9 });
    expect(() => new PromptPlayer(session, new PromptLibrary()).play(['de/goodbye'])).toThrow(/G722/);
    session.close();
  });
});
