/**
 * Streaming statistics for the transport comparison: percentiles over a sliding time window
 * and rates per second. Pure: every method takes `now` (ms), so tests replay time exactly.
 * Storage is a fixed ring of typed arrays: no garbage per sample at thousands of samples/s.
 */

/**
 * The `p`-th percentile (0..100) of ascending `sorted` values, by nearest rank: the smallest
 * value with at least p% of the values at or below it. NaN for no values.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const rank = Math.ceil((Math.min(100, Math.max(0, p)) / 100) * n);
  return sorted[Math.max(0, rank - 1)];
}

/** Samples (time, value) of the last `windowMs`, at most `cap` of them (the oldest go first). */
export class SampleWindow {
  readonly #times: Float64Array;
  readonly #values: Float64Array;
  #start = 0;
  #size = 0;

  constructor(
    readonly windowMs: number,
    readonly cap = 16_384,
  ) {
    this.#times = new Float64Array(cap);
    this.#values = new Float64Array(cap);
  }

  get size(): number {
    return this.#size;
  }

  /** Adds one sample; times are expected not to go backwards (a late one is kept anyway). */
  add(now: number, value: number): void {
    if (!Number.isFinite(value)) return;
    if (this.#size === this.cap) {
      this.#start = (this.#start + 1) % this.cap;
      this.#size--;
    }
    const i = (this.#start + this.#size) % this.cap;
    this.#times[i] = now;
    this.#values[i] = value;
    this.#size++;
  }

  /** Drops samples older than `now - windowMs`. */
  prune(now: number): void {
    const from = now - this.windowMs;
    while (this.#size > 0 && this.#times[this.#start] <= from) {
      this.#start = (this.#start + 1) % this.cap;
      this.#size--;
    }
  }

  /** Sum of the values in the window. */
  sum(now: number): number {
    this.prune(now);
    let s = 0;
    for (let k = 0; k < this.#size; k++) s += this.#values[(this.#start + k) % this.cap];
    return s;
  }

  /** The values in the window, ascending. */
  sorted(now: number): Float64Array {
    this.prune(now);
    const out = new Float64Array(this.#size);
    for (let k = 0; k < this.#size; k++) out[k] = this.#values[(this.#start + k) % this.cap];
    return out.sort();
  }

  /** Percentiles `ps` (0..100) of the window's values; NaN each when empty. */
  percentiles(now: number, ps: readonly number[]): number[] {
    const s = this.sorted(now);
    return ps.map((p) => percentile(s, p));
  }
}

/**
 * Events per second over the last `windowMs`. Until a whole window has passed since the first
 * event, divides by the time elapsed so far (at least one second), so early figures are honest.
 */
export class RateMeter {
  readonly #events: SampleWindow;
  #first = NaN;

  constructor(readonly windowMs: number, cap = 16_384) {
    this.#events = new SampleWindow(windowMs, cap);
  }

  /** Records `amount` (1 message, or n bytes) at `now`. */
  add(now: number, amount = 1): void {
    if (Number.isNaN(this.#first)) this.#first = now;
    this.#events.add(now, amount);
  }

  /** Amount per second; 0 before any event. */
  rate(now: number): number {
    if (Number.isNaN(this.#first)) return 0;
    const span = Math.min(this.windowMs, Math.max(1000, now - this.#first));
    return (this.#events.sum(now) * 1000) / span;
  }
}

export interface Quantiles {
  p50: number;
  p95: number;
  p99: number;
}

export interface TransportSummary {
  latency: Quantiles;
  age: Quantiles;
  messagesPerSec: number;
  bytesPerSec: number;
  /** Messages received in total. */
  messages: number;
}

/** One received data message, as MarketClient's `latency` event reports it. */
export interface MessageSample {
  transportMs: number;
  ageMs?: number;
  bytes: number;
}

const PS = [50, 95, 99] as const;
const quantiles = ([p50, p95, p99]: number[]): Quantiles => ({ p50, p95, p99 });

/** Latency, data age and throughput of one transport, over a sliding window. */
export class TransportStats {
  readonly #latency: SampleWindow;
  readonly #age: SampleWindow;
  readonly #messages: RateMeter;
  readonly #bytes: RateMeter;
  #count = 0;

  constructor(windowMs = 10_000) {
    this.#latency = new SampleWindow(windowMs);
    this.#age = new SampleWindow(windowMs);
    this.#messages = new RateMeter(windowMs);
    this.#bytes = new RateMeter(windowMs);
  }

  record(now: number, s: MessageSample): void {
    this.#count++;
    this.#latency.add(now, s.transportMs);
    if (s.ageMs !== undefined) this.#age.add(now, s.ageMs);
    this.#messages.add(now, 1);
    this.#bytes.add(now, s.bytes);
  }

  summary(now: number): TransportSummary {
    return {
      latency: quantiles(this.#latency.percentiles(now, PS)),
      age: quantiles(this.#age.percentiles(now, PS)),
      messagesPerSec: this.#messages.rate(now),
      bytesPerSec: this.#bytes.rate(now),
      messages: this.#count,
    };
  }
}
