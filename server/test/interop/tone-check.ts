import { goertzelPower } from '@konferenz/testing/tone-power';
import type { Recording } from '@konferenz/testing/wav';

/** Neighbours of the tone for the comparison: ±150 and ±300 Hz (10 Hz bins at 8 kHz over 100 ms blocks). */
const NEIGHBOUR_OFFSETS_HZ = [-300, -150, 150, 300];

/**
 * How far `frequency` stands above its neighbours, in dB, over the last `seconds` of a
 * recording (summed over 100 ms blocks): a heard tone gives 20 dB and more, silence or another
 * tone about 0.
 */
export function toneOverNeighboursDb(recording: Recording, frequency: number, seconds: number): number {
  const rate = recording.sampleRate;
  const samples = recording.samples.subarray(Math.max(0, recording.samples.length - Math.round(seconds * rate)));
  const block = Math.round(rate / 10);
  let tone = 0;
  let neighbours = 0;
  for (let start = 0; start + block <= samples.length; start += block) {
    const slice = samples.subarray(start, start + block);
    tone += goertzelPower(slice, frequency, rate);
    for (const offset of NEIGHBOUR_OFFSETS_HZ) neighbours += goertzelPower(slice, frequency + offset, rate) / NEIGHBOUR_OFFSETS_HZ.length;
  }
  const tiny = 1e-9;
  return Math.round(10 * Math.log10((tone + tiny) / (neighbours + tiny)) * 10) / 10;
}
