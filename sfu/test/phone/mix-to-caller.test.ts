import { describe, expect, it } from 'vitest';

import { MixToCaller } from '../../src/phone/mix-to-caller';
import { MixVariants } from '../../src/phone/mix-variants';
import { PCMU } from '../../src/phone/phone-codec';

describe('MixToCaller', () => {
  it('hands over one payload per frame, with the frames the clock skipped before it', () => {
    const sent: Array<[number, number]> = [];
    const caller = new MixToCaller({ codec: PCMU, send: (payload, skipped) => sent.push([payload.length, skipped]) });
    const variants = new MixVariants({ frameSamples: 960, sampleRate: 48000 });
    caller.play({ index: 0, skipped: 0, nowMs: 0 }, variants.silence);
    caller.play({ index: 1, skipped: 0, nowMs: 20 }, variants.silence);
    caller.play({ index: 7, skipped: 5, nowMs: 140 }, variants.silence);
    expect(sent).toEqual([
      [160, 0],
      [160, 0],
      [160, 5],
    ]);
    expect(caller.packetsOut).toBe(3);
  });
});
