import { describe, expect, it } from 'vitest';

import { ConferenceMixer, softClip, type MixerInput } from '../../src/phone/conference-mixer';

const FRAME = 960;

/** An input whose level the test sets and whose samples are a constant that identifies it. */
class FakeInput implements MixerInput {
  level: number | undefined;
  readonly value: number;
  renders = 0;
  failing = false;

  constructor(value: number, level: number | undefined = 50) {
    this.value = value;
    this.level = level;
  }

  next(): number | undefined {
    if (this.failing) throw new Error('broken input');
    return this.level;
  }

  render(out: Float32Array): void {
    this.renders++;
    out.fill(this.value);
  }
}

/** Inputs whose values are distinct powers of two, so a mix's first sample tells who is in it. */
function bitInputs(count: number): FakeInput[] {
  return Array.from({ length: count }, (_, i) => new FakeInput(2 ** -(i + 4)));
}

function membersOf(sample: number, count: number): number[] {
  const members: number[] = [];
  for (let i = 0; i < count; i++) if (Math.floor(sample * 2 ** (i + 4) + 1e-9) & 1) members.push(i);
  return members;
}

function mixerWith(inputs: FakeInput[], options: { maxSpeakers?: number; hysteresisDb?: number } = {}): ConferenceMixer {
  const mixer = new ConferenceMixer({ frameSamples: FRAME, ...options });
  inputs.forEach((input, i) => mixer.addInput(`p${i}`, input));
  return mixer;
}

describe('ConferenceMixer', () => {
  it('mixes the loudest speakers by RFC 6464 level (lower is louder), loudest first', () => {
    const inputs = bitInputs(5);
    [60, 20, 40, 10, 90].forEach((level, i) => (inputs[i]!.level = level));
    const frame = mixerWith(inputs, { maxSpeakers: 3 }).mix(0);
    expect(frame.speakers).toEqual(['p3', 'p1', 'p2']);
    expect(membersOf(frame.sum[0]!, 5)).toEqual([1, 2, 3]);
  });

  it("hands out each speaker's own samples, so the sum without one of them is exact", () => {
    const inputs = bitInputs(4);
    const frame = mixerWith(inputs, { maxSpeakers: 3 }).mix(0);
    for (const id of frame.speakers) {
      const own = frame.contribution(id)!;
      const index = Number(id.slice(1));
      expect(own[0]).toBe(inputs[index]!.value);
      expect(membersOf(frame.sum[0]! - own[0]!, 4)).toEqual(
        frame.speakers
          .filter((other) => other !== id)
          .map((other) => Number(other.slice(1)))
          .sort(),
      );
    }
    expect(frame.contribution('p3')).toBeUndefined();
  });

  it('leaves out inputs with nothing to play and digital silence', () => {
    const inputs = bitInputs(3);
    inputs[0]!.level = undefined;
    inputs[1]!.level = 127;
    inputs[2]!.level = 70;
    const frame = mixerWith(inputs).mix(0);
    expect(frame.speakers).toEqual(['p2']);
    expect(membersOf(frame.sum[0]!, 3)).toEqual([2]);
    expect(inputs[0]!.renders + inputs[1]!.renders).toBe(0);
  });

  it('gives silence when nobody talks', () => {
    const quiet = new FakeInput(0.5);
    quiet.level = undefined;
    const frame = mixerWith([quiet]).mix(0);
    expect(frame.speakers).toEqual([]);
    expect(frame.sum).toHaveLength(FRAME);
    expect(frame.sum.every((sample) => sample === 0)).toBe(true);
  });

  it('renders (decodes) only the speakers it mixes, however many inputs there are', () => {
    for (const count of [10, 100, 400]) {
      const inputs = Array.from({ length: count }, (_, i) => new FakeInput(0.001, 20 + (i % 60)));
      const mixer = mixerWith(inputs, { maxSpeakers: 3 });
      for (let frame = 0; frame < 10; frame++) mixer.mix(frame * 20);
      expect(inputs.reduce((sum, input) => sum + input.renders, 0)).toBe(30);
    }
  });

  it('keeps a speaker in the mix against a slightly louder newcomer, not against a much louder one', () => {
    const inputs = bitInputs(3);
    const mixer = mixerWith(inputs, { maxSpeakers: 1, hysteresisDb: 6 });
    inputs[0]!.level = 30;
    inputs[1]!.level = 100;
    inputs[2]!.level = undefined;
    expect(mixer.mix(0).speakers).toEqual(['p0']);
    inputs[1]!.level = 27; // 3 dB louder: not enough
    expect(mixer.mix(20).speakers).toEqual(['p0']);
    inputs[2]!.level = 15; // 15 dB louder: takes over
    expect(mixer.mix(40).speakers).toEqual(['p2']);
  });

  it('does not clip the sum: that is up to each version of the mix', () => {
    const mixer = new ConferenceMixer({ frameSamples: FRAME, maxSpeakers: 3 });
    for (const [id, value] of [
      ['a', 0.9],
      ['b', 0.9],
      ['c', -0.2],
    ] as const)
      mixer.addInput(id, new FakeInput(value, 20));
    expect(mixer.mix(0).sum[0]).toBeCloseTo(1.6, 6);
  });

  it('still mixes the others when an input throws', () => {
    const inputs = bitInputs(3);
    inputs[1]!.failing = true;
    const frame = mixerWith(inputs).mix(0);
    expect(membersOf(frame.sum[0]!, 3)).toEqual([0, 2]);
  });

  it('forgets removed inputs', () => {
    const inputs = bitInputs(2);
    const mixer = mixerWith(inputs);
    mixer.removeInput('p0');
    expect(mixer.mix(0).speakers).toEqual(['p1']);
    expect(mixer.inputCount).toBe(1);
  });
});

describe('softClip', () => {
  it('leaves samples below the threshold alone and bends the rest smoothly below full scale', () => {
    const samples = Float32Array.from([0, 0.5, -0.79, 0.8, 0.81, 1, 2, 10, -10]);
    softClip(samples, 0.8);
    expect(samples[1]).toBeCloseTo(0.5, 6);
    expect(samples[2]).toBeCloseTo(-0.79, 6);
    expect(samples[3]).toBeCloseTo(0.8, 6);
    // Continuous with slope 1 at the knee.
    expect(samples[4]).toBeCloseTo(0.81, 3);
    for (let i = 4; i < 7; i++) expect(samples[i + 1]!).toBeGreaterThanOrEqual(samples[i]!);
    expect(Math.max(...samples)).toBeLessThanOrEqual(1);
    expect(samples[8]).toBeGreaterThanOrEqual(-1);
  });
});
