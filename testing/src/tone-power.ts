/**
 * The power of one frequency in a block of samples (Goertzel's algorithm): how the phone and
 * browser tests tell which test tone a listener hears, without a full spectrum.
 */
export function goertzelPower(samples: ArrayLike<number>, frequency: number, sampleRate: number): number {
  const coefficient = 2 * Math.cos((2 * Math.PI * frequency) / sampleRate);
  let previous = 0;
  let beforePrevious = 0;
  for (let index = 0; index < samples.length; index++) {
    const current = samples[index]! + coefficient * previous - beforePrevious;
    beforePrevious = previous;
    previous = current;
  }
  return previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious;
}
