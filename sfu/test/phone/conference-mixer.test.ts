import { describe, expect, it } from 'vitest';

import { ConferenceMixer, softClip, type MixerInput } from '../../src/phone';

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

describe('ConferenceMixer', () => {
  it('never lets a listener hear its own input (N-1), whoever is loudest', () => {
    const inputs = bitInputs(6);
    const mixer = new ConferenceMixer({ frameSamples: FRAME, maxSpeakers: 3 });
    inputs.forEach((input, i) => {
      mixer.addInput(`p${i}`, input);
      mixer.addListener(`p${i}`, { ownInput: `p${i}` });
    });
    let seed = 1;
    for (let frame = 0; frame < 200; frame++) {
      for (const input of inputs) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        input.level = 10 + (seed >>> 24) % 80;
      }
      const mixes = mixer.mix(frame * 20);
      for (let i = 0; i < inputs.length; i++) {
        const heard = membersOf(mixes.get(`p${i}`)![0]!, inputs.length);
        expect(heard).not.toContain(i);
        expect(heard).toHaveLength(3);
      }
    }
  });

  it('mixes the loudest speakers by RFC 6464 level (lower is louder)', () => {
    const inputs = bitInputs(5);
    [60, 20, 40, 10, 90].forEach((level, i) => (inputs[i]!.level = level));
    const mixer = new ConferenceMixer({ frameSamples: FRAME, maxSpeakers: 3 });
    inputs.forEach((input, i) => mixer.addInput(`p${i}`, input));
    mixer.addListener('phone');
    mixer.addListener('p1', { ownInput: 'p1' });
    const mixes = mixer.mix(0);
    expect(membersOf(mixes.get('phone')![0]!, 5)).toEqual([1, 2, 3]);
    // The loudest but one is the listener itself: the fourth loudest steps in.
    expect(membersOf(mixes.get('p1')![0]!, 5)).toEqual([0, 2, 3]);
    expect(mixer.lastReport.heard).toEqual(['p3', 'p1', 'p2', 'p0']);
  });

  it('leaves out inputs with nothing to play and digital silence', () => {
    const inputs = bitInputs(3);
    inputs[0]!.level = undefined;
    inputs[1]!.level = 127;
    inputs[2]!.level = 70;
    const mixer = new ConferenceMixer({ frameSamples: FRAME });
    inputs.forEach((input, i) => mixer.addInput(`p${i}`, input));
    mixer.addListener('phone');
    expect(membersOf(mixer.mix(0).get('phone')![0]!, 3)).toEqual([2]);
    expect(inputs[0]!.renders + inputs[1]!.renders).toBe(0);
  });

  it('gives silence when nobody talks', () => {
    const mixer = new ConferenceMixer({ frameSamples: FRAME });
    const quiet = new FakeInput(0.5);
    quiet.level = undefined;
    mixer.addInput('a', quiet);
    mixer.addListener('phone');
    const frame = mixer.mix(0).get('phone')!;
    expect(frame).toHaveLength(FRAME);
    expect(frame.every((sample) => sample === 0)).toBe(true);
  });

  it('renders (decodes) only the few inputs it mixes, however many there are', () => {
    for (const count of [10, 100, 400]) {
      const inputs = Array.from({ length: count }, (_, i) => new FakeInput(0.001, 20 + (i % 60)));
      const mixer = new ConferenceMixer({ frameSamples: FRAME, maxSpeakers: 3 });
      inputs.forEach((input, i) => mixer.addInput(`p${i}`, input));
      mixer.addListener('phone');
      // Two more listeners that are themselves among the loudest.
      mixer.addListener('p0', { ownInput: 'p0' });
      mixer.addListener('p60', { ownInput: 'p60' });
      for (let frame = 0; frame < 10; frame++) mixer.mix(frame * 20);
      const renders = inputs.reduce((sum, input) => sum + input.renders, 0);
      expect(renders / 10).toBeLessThanOrEqual(4);
      expect(mixer.lastReport.mixes).toBeLessThanOrEqual(3);
    }
  });

  it('keeps a speaker in the mix against a slightly louder newcomer, not against a much louder one', () => {
    const inputs = bitInputs(3);
    const mixer = new ConferenceMixer({ frameSamples: FRAME, maxSpeakers: 1, hysteresisDb: 6 });
    inputs.forEach((input, i) => mixer.addInput(`p${i}`, input));
    mixer.addListener('phone');
    inputs[0]!.level = 30;
    inputs[1]!.level = 100;
    inputs[2]!.level = undefined;
    expect(membersOf(mixer.mix(0).get('phone')![0]!, 3)).toEqual([0]);
    inputs[1]!.level = 27; // 3 dB louder: not enough
    expect(membersOf(mixer.mix(20).get('phone')![0]!, 3)).toEqual([0]);
    inputs[2]!.level = 15; // 15 dB louder: takes over
    expect(membersOf(mixer.mix(40).get('phone')![0]!, 3)).toEqual([2]);
  });

  it('soft-clips loud sums instead of wrapping or hard-clipping', () => {
    const mixer = new ConferenceMixer({ frameSamples: FRAME, maxSpeakers: 3 });
    for (const [id, value] of [['a', 0.9], ['b', 0.9], ['c', -0.2]] as const) mixer.addInput(id, new FakeInput(value, 20));
    mixer.addListener('phone');
    const sample = mixer.mix(0).get('phone')![0]!;
    expect(sample).toBeGreaterThan(0.9);
    expect(sample).toBeLessThan(1);
  });

  it('still mixes the others when an input throws', () => {
    const inputs = bitInputs(3);
    inputs[1]!.failing = true;
    const mixer = new ConferenceMixer({ frameSamples: FRAME });
    inputs.forEach((input, i) => mixer.addInput(`p${i}`, input));
    mixer.addListener('phone');
    expect(membersOf(mixer.mix(0).get('phone')![0]!, 3)).toEqual([0, 2]);
  });

  it('forgets removed inputs and listeners', () => {
    const inputs = bitInputs(2);
    const mixer = new ConferenceMixer({ frameSamples: FRAME });
    inputs.forEach((input, i) => mixer.addInput(`p${i}`, input));
    mixer.addListener('phone');
    mixer.addListener('gone');
    mixer.removeInput('p0');
    mixer.removeListener('gone');
    const mixes = mixer.mix(0);
    expect([...mixes.keys()]).toEqual(['phone']);
    expect(membersOf(mixes.get('phone')![0]!, 2)).toEqual([1]);
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
