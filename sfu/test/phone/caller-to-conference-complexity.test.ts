import { beforeEach, describe, expect, it, vi } from 'vitest';

import { CallerToConference } from '../../src/phone/caller-to-conference';
import { PCMU } from '../../src/phone/phone-codec';

const { controls } = vi.hoisted(() => ({ controls: [] as Array<[number, number]> }));

// The encoder's controls as libopus gets them (the native class's own methods cannot be spied on).
vi.mock('@discordjs/opus', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@discordjs/opus')>();
  class RecordingEncoder extends actual.OpusEncoder {
    override applyEncoderCTL(ctl: number, value: number): void {
      controls.push([ctl, value]);
      super.applyEncoderCTL(ctl, value);
    }
  }
  return { ...actual, OpusEncoder: RecordingEncoder };
});

const OPUS_SET_COMPLEXITY_REQUEST = 4010;

function complexitySet(options: { opusComplexity?: number }): number[] {
  controls.length = 0;
  new CallerToConference({ codec: PCMU, conference: { payloadType: 100, ssrc: 1, audioLevelExtensionId: 1 }, send: () => undefined, ...options });
  return controls.filter(([ctl]) => ctl === OPUS_SET_COMPLEXITY_REQUEST).map(([, value]) => value);
}

describe('CallerToConference Opus complexity', () => {
  beforeEach(() => {
    controls.length = 0;
  });

  it('encodes G.711 calls at complexity 1 unless told otherwise', () => {
    expect(complexitySet({})).toEqual([1]);
    expect(complexitySet({ opusComplexity: 5 })).toEqual([5]);
  });
});
