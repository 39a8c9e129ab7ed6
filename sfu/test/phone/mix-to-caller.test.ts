import { describe, expect, it } from 'vitest';

import { MixToCaller } from '../../src/phone/mix-to-caller';
import { MixVariants } from '../../src/phone/mix-variants';
import { PCMU } from '../../src/phone/phone-codec';
import { parseRtpPacket } from '../../src/phone/rtp-packet';

describe('MixToCaller', () => {
  it('sends every frame with consecutive sequence numbers, and marks the first packet after frames skipped in a stall', () => {
    const sent: Buffer[] = [];
    const caller = new MixToCaller({ codec: PCMU, send: (datagram) => sent.push(datagram) });
    const variants = new MixVariants({ frameSamples: 960, sampleRate: 48000 });
    caller.play({ index: 0, skipped: 0, nowMs: 0 }, variants.silence);
    caller.play({ index: 1, skipped: 0, nowMs: 20 }, variants.silence);
    caller.play({ index: 7, skipped: 5, nowMs: 140 }, variants.silence);
    caller.play({ index: 8, skipped: 0, nowMs: 160 }, variants.silence);
    const packets = sent.map((datagram) => parseRtpPacket(datagram));
    expect(packets.map((packet) => packet.marker)).toEqual([true, false, true, false]);
    expect(packets.map((packet) => (packet.sequenceNumber - packets[0]!.sequenceNumber) & 0xffff)).toEqual([0, 1, 2, 3]);
    expect(packets.map((packet) => (packet.timestamp - packets[0]!.timestamp) >>> 0)).toEqual([0, 160, 7 * 160, 8 * 160]);
  });
});
