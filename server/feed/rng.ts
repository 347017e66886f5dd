/**
 * A small seeded PRNG (sfc32, seeded through the cyrb128 string hash). Deterministic for a
 * seed, fast, not cryptographic. The feed takes one as a parameter so tests replay exactly.
 */

/** cyrb128: four 32-bit words from a string, used as the sfc32 state. */
function cyrb128(str: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < str.length; i++) {
    const k = str.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

export class Rng {
  /** The seed as a string; `fork` derives child seeds from it. */
  readonly seed: string;
  // Hot path: plain fields holding int32s (Smis), which V8 keeps unboxed; #private and
  // uint32 values (heap numbers) measured 3x slower.
  private _a = 0;
  private _b = 0;
  private _c = 0;
  private _d = 0;
  /** Normals come in pairs; the second waits here. */
  private _spare = NaN;

  constructor(seed: string | number) {
    this.seed = String(seed);
    const [a, b, c, d] = cyrb128(this.seed);
    this._a = a | 0;
    this._b = b | 0;
    this._c = c | 0;
    this._d = d | 0;
    for (let i = 0; i < 12; i++) this.next(); // sfc32 mixes poorly in its first outputs
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t0 = (this._a + this._b) | 0;
    this._a = this._b ^ (this._b >>> 9);
    this._b = (this._c + (this._c << 3)) | 0;
    this._c = (this._c << 21) | (this._c >>> 11);
    this._d = (this._d + 1) | 0;
    const t = (t0 + this._d) | 0;
    this._c = (this._c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** Standard normal (mean 0, sd 1), by Marsaglia's polar method (no trigonometry). */
  normal(): number {
    if (!Number.isNaN(this._spare)) {
      const z = this._spare;
      this._spare = NaN;
      return z;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.next() - 1;
      v = 2 * this.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this._spare = v * f;
    return u * f;
  }

  /**
   * Approximately normal (mean 0, sd 1, bounded by +-3.46): a scaled sum of four uniforms,
   * 3x cheaper than `normal`. For noise whose tails do not matter.
   */
  roughNormal(): number {
    return (this.next() + this.next() + this.next() + this.next() - 2) * Math.sqrt(3);
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Exponential with mean 1 (inter-arrival times). */
  exp(): number {
    return -Math.log(1 - this.next());
  }

  /**
   * An independent generator named by `label`. It depends only on this generator's seed and
   * the label, not on how much of this one was consumed, so per-symbol streams do not depend
   * on the order symbols are touched.
   */
  fork(label: string): Rng {
    return new Rng(`${this.seed}/${label}`);
  }
}

/** A generator for `seed`. */
export const createRng = (seed: string | number): Rng => new Rng(seed);
