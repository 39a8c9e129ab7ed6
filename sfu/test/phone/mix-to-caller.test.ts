import { describe, expect, it } from 'vitest';

import { G722Decoder } from '../../src/phone/g722';
import { MixToCaller } from '../../src/phone/mix-to-caller';
import { MixVariants } from '../../src/phone/mix-variants';
import { G722, PCMU } from '../../src/phone/phone-codec';
import { dominantFrequency, sine, toneAmplitude } from './support/audio';

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

  it('gives a G.722 caller the mix at 16 kHz: 160 bytes per 20 ms, a 6 kHz tone kept', () => {
    const payloads: Uint8Array[] = [];
    const caller = new MixToCaller({ codec: G722, send: (payload) => payloads.push(payload) });
    expect(caller.narrowband).toBe(false);
    const variants = new MixVariants({ frameSamples: 960, sampleRate: 48000 });
    for (let f = 0; f < 50; f++) {
      const tone = sine(6000, 48000, 960, 0.5, f * 960);
      variants.next({ sum: tone, speakers: ['browser'], contribution: (id: string) => (id === 'browser' ? tone : undefined) }, new Set());
      caller.play({ index: f, skipped: 0, nowMs: f * 20 }, variants.heardBy(undefined));
    }
    expect(payloads.every((payload) => payload.length === 160)).toBe(true);
    const decoder = new G722Decoder();
    const audio = Int16Array.from(payloads.flatMap((payload) => [...decoder.decode(payload)])).subarray(3200);
    expect(Math.abs(dominantFrequency(audio, 16000) - 6000)).toBeLessThanOrEqual(10);
    expect(toneAmplitude(audio, 6000, 16000)).toBeGreaterThan(0.25 * 32767);
  });
});
