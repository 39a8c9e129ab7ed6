/**
 * ITU-T G.722 at 64 kbit/s (sub-band ADPCM): 16 kHz audio, one byte per two
 * samples, so 160 bytes per 20 ms. Written after spandsp's g722.c and
 * bit-exact to Debian's libspandsp2 (test/phone/g722.test.ts, vectors from
 * test/phone/fixtures/make-g722-vectors.py), except that the decoder's output
 * saturates where spandsp 0.0.6 wraps to the opposite sign (a click), as
 * later spandsp does. No maintained pure JS/wasm G.722 was to be had on npm.
 *
 * Encoder and decoder carry state from frame to frame (QMF history, ADPCM
 * predictors and scale factors): one of each per call direction, fed every
 * frame in order.
 */

const QMF_COEFFS = [3, -11, 12, 32, -210, 951, 3876, -805, 362, -156, 53, -11];
const Q6 = [
  0, 35, 72, 110, 150, 190, 233, 276, 323, 370, 422, 473, 530, 587, 650, 714, 786, 858, 940, 1023, 1121, 1219, 1339, 1458, 1612, 1765, 1980, 2195, 2557, 2919,
  0, 0,
];
const ILN = [0, 63, 62, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 0];
const ILP = [0, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32, 0];
const WL = [-60, -30, 58, 172, 334, 538, 1198, 3042];
const RL42 = [0, 7, 6, 5, 4, 3, 2, 1, 7, 6, 5, 4, 3, 2, 1, 0];
const ILB = [
  2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383, 2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834, 2896, 2960, 3025, 3091, 3158, 3228, 3298, 3371, 3444, 3520,
  3597, 3676, 3756, 3838, 3922, 4008,
];
const QM4 = [0, -20456, -12896, -8968, -6288, -4240, -2584, -1200, 20456, 12896, 8968, 6288, 4240, 2584, 1200, 0];
const QM6 = [
  -136, -136, -136, -136, -24808, -21904, -19008, -16704, -14984, -13512, -12280, -11192, -10232, -9360, -8576, -7856, -7192, -6576, -6000, -5456, -4944, -4464,
  -4008, -3576, -3168, -2776, -2400, -2032, -1688, -1360, -1040, -728, 24808, 21904, 19008, 16704, 14984, 13512, 12280, 11192, 10232, 9360, 8576, 7856, 7192,
  6576, 6000, 5456, 4944, 4464, 4008, 3576, 3168, 2776, 2400, 2032, 1688, 1360, 1040, 728, 432, 136, -432, -136,
];
const QM2 = [-7408, -1616, 7408, 1616];
const IHN = [0, 1, 0];
const IHP = [0, 3, 2];
const WH = [0, -214, 798];
const RH2 = [2, 1, 2, 1];

/** 16 kHz samples per 20 ms frame. */
export const G722_FRAME_SAMPLES = 320;
/** Bytes per 20 ms frame at 64 kbit/s. */
export const G722_FRAME_BYTES = 160;

function saturate(amp: number): number {
  return amp > 32767 ? 32767 : amp < -32768 ? -32768 : amp;
}

/** The adaptive predictor and quantizer scale of one sub-band. */
class Band {
  s = 0;
  sp = 0;
  sz = 0;
  readonly r = [0, 0, 0];
  readonly a = [0, 0, 0];
  readonly ap = [0, 0, 0];
  readonly p = [0, 0, 0];
  readonly d = [0, 0, 0, 0, 0, 0, 0];
  readonly b = [0, 0, 0, 0, 0, 0, 0];
  readonly bp = [0, 0, 0, 0, 0, 0, 0];
  readonly sg = [0, 0, 0, 0, 0, 0, 0];
  nb = 0;
  det: number;

  constructor(det: number) {
    this.det = det;
  }

  /** Blocks 3L/3H LOGSCL and SCALEL: the next scale factor from the code just sent. */
  scale(weight: number, limit: number, shift: number): void {
    this.nb = Math.min(limit, Math.max(0, ((this.nb * 127) >> 7) + weight));
    const wd1 = (this.nb >> 6) & 31;
    const wd2 = shift - (this.nb >> 11);
    this.det = (wd2 < 0 ? ILB[wd1]! << -wd2 : ILB[wd1]! >> wd2) << 2;
  }

  /** Block 4: reconstruction and adaptation of the pole and zero predictors. */
  adapt(dx: number): void {
    const { r, a, ap, p, d, b, bp, sg } = this;
    d[0] = dx;
    r[0] = saturate(this.s + dx);
    p[0] = saturate(this.sz + dx);

    // UPPOL2
    for (let i = 0; i < 3; i++) sg[i] = p[i]! >> 15;
    let wd1 = saturate(a[1]! << 2);
    let wd2 = sg[0] === sg[1] ? -wd1 : wd1;
    if (wd2 > 32767) wd2 = 32767;
    let wd3 = (sg[0] === sg[2] ? 128 : -128) + (wd2 >> 7) + ((a[2]! * 32512) >> 15);
    ap[2] = Math.min(12288, Math.max(-12288, wd3));

    // UPPOL1
    sg[0] = p[0]! >> 15;
    sg[1] = p[1]! >> 15;
    wd1 = sg[0] === sg[1] ? 192 : -192;
    wd2 = (a[1]! * 32640) >> 15;
    ap[1] = saturate(wd1 + wd2);
    wd3 = saturate(15360 - ap[2]!);
    if (ap[1]! > wd3) ap[1] = wd3;
    else if (ap[1]! < -wd3) ap[1] = -wd3;

    // UPZERO
    wd1 = dx === 0 ? 0 : 128;
    sg[0] = dx >> 15;
    for (let i = 1; i < 7; i++) {
      sg[i] = d[i]! >> 15;
      wd2 = sg[i] === sg[0] ? wd1 : -wd1;
      wd3 = (b[i]! * 32640) >> 15;
      bp[i] = saturate(wd2 + wd3);
    }

    // DELAYA
    for (let i = 6; i > 0; i--) {
      d[i] = d[i - 1]!;
      b[i] = bp[i]!;
    }
    for (let i = 2; i > 0; i--) {
      r[i] = r[i - 1]!;
      p[i] = p[i - 1]!;
      a[i] = ap[i]!;
    }

    // FILTEP
    wd1 = (a[1]! * saturate(r[1]! + r[1]!)) >> 15;
    wd2 = (a[2]! * saturate(r[2]! + r[2]!)) >> 15;
    this.sp = saturate(wd1 + wd2);

    // FILTEZ
    let sz = 0;
    for (let i = 6; i > 0; i--) sz += (b[i]! * saturate(d[i]! + d[i]!)) >> 15;
    this.sz = saturate(sz);

    // PREDIC
    this.s = saturate(this.sp + this.sz);
  }
}

/** 16 kHz PCM to G.722 at 64 kbit/s. */
export class G722Encoder {
  readonly #x = new Int32Array(24);
  readonly #low = new Band(32);
  readonly #high = new Band(8);

  /** An even number of 16 kHz samples (320 for 20 ms) to half as many bytes. */
  encode(samples: Int16Array): Uint8Array {
    if (samples.length % 2 !== 0) throw new RangeError(`G.722 encodes sample pairs, got ${samples.length} samples`);
    const out = new Uint8Array(samples.length / 2);
    const x = this.#x;
    const low = this.#low;
    const high = this.#high;
    for (let j = 0, n = 0; j < samples.length; j += 2, n++) {
      // Transmit QMF: split into the 0-4 kHz and 4-8 kHz bands, each at 8 kHz.
      x.copyWithin(0, 2);
      x[22] = samples[j]!;
      x[23] = samples[j + 1]!;
      let sumOdd = 0;
      let sumEven = 0;
      for (let i = 0; i < 12; i++) {
        sumOdd += x[2 * i]! * QMF_COEFFS[i]!;
        sumEven += x[2 * i + 1]! * QMF_COEFFS[11 - i]!;
      }
      const xLow = (sumEven + sumOdd) >> 14;
      const xHigh = (sumEven - sumOdd) >> 14;

      // Low band: 6 bits.
      const el = saturate(xLow - low.s);
      let wd = el >= 0 ? el : -(el + 1);
      let i = 1;
      for (; i < 30; i++) if (wd < (Q6[i]! * low.det) >> 12) break;
      const ilow = el < 0 ? ILN[i]! : ILP[i]!;
      const ril = ilow >> 2;
      const dlow = (low.det * QM4[ril]!) >> 15;
      low.scale(WL[RL42[ril]!]!, 18432, 8);
      low.adapt(dlow);

      // High band: 2 bits.
      const eh = saturate(xHigh - high.s);
      wd = eh >= 0 ? eh : -(eh + 1);
      const mih = wd >= (564 * high.det) >> 12 ? 2 : 1;
      const ihigh = eh < 0 ? IHN[mih]! : IHP[mih]!;
      const dhigh = (high.det * QM2[ihigh]!) >> 15;
      high.scale(WH[RH2[ihigh]!]!, 22528, 10);
      high.adapt(dhigh);

      out[n] = (ihigh << 6) | ilow;
    }
    return out;
  }
}

/** G.722 at 64 kbit/s to 16 kHz PCM. */
export class G722Decoder {
  readonly #x = new Int32Array(24);
  readonly #low = new Band(32);
  readonly #high = new Band(8);

  /** Bytes to twice as many 16 kHz samples. */
  decode(payload: Uint8Array): Int16Array {
    const out = new Int16Array(payload.length * 2);
    const x = this.#x;
    const low = this.#low;
    const high = this.#high;
    for (let j = 0; j < payload.length; j++) {
      const code = payload[j]!;
      const ilow = code & 0x3f;
      const ihigh = (code >> 6) & 0x03;

      // Low band.
      const rlow = Math.min(16383, Math.max(-16384, low.s + ((low.det * QM6[ilow]!) >> 15)));
      const ril = ilow >> 2;
      const dlow = (low.det * QM4[ril]!) >> 15;
      low.scale(WL[RL42[ril]!]!, 18432, 8);
      low.adapt(dlow);

      // High band.
      const dhigh = (high.det * QM2[ihigh]!) >> 15;
      const rhigh = Math.min(16383, Math.max(-16384, dhigh + high.s));
      high.scale(WH[RH2[ihigh]!]!, 22528, 10);
      high.adapt(dhigh);

      // Receive QMF: the two bands back to 16 kHz.
      x.copyWithin(0, 2);
      x[22] = rlow + rhigh;
      x[23] = rlow - rhigh;
      let out1 = 0;
      let out2 = 0;
      for (let i = 0; i < 12; i++) {
        out2 += x[2 * i]! * QMF_COEFFS[i]!;
        out1 += x[2 * i + 1]! * QMF_COEFFS[11 - i]!;
      }
      out[2 * j] = saturate(out1 >> 11);
      out[2 * j + 1] = saturate(out2 >> 11);
    }
    return out;
  }
}
