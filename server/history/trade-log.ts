/**
 * Trades of one stream, oldest first, in one typed array (a trade's id, price, size, ts and side
 * side by side): a ring that grows by doubling up to its capacity and shrinks when mostly empty,
 * so a stream costs memory for what it holds, and holding a trade keeps no object (a trade's
 * object and its boxed numbers would live as long as the window: old-generation garbage per
 * event). Objects are made when read, with the fields in the order the market state makes them
 * (id, price, size, side, ts), so what is encoded from them is byte for byte the same. Pure.
 */
import type { Trade } from '../../shared/protocol.js';

const FIELDS = 5;
const MIN = 4;

export class TradeLog {
  readonly #cap: number;
  #a = new Float64Array(MIN * FIELDS);
  /** Slots in #a (a power of two, or the capacity). */
  #size = MIN;
  #head = 0;
  #len = 0;

  /** Holds at most `capacity` trades: pushing one more drops the oldest. */
  constructor(capacity: number) {
    this.#cap = Math.max(1, capacity);
    if (this.#cap < MIN) (this.#size = this.#cap), (this.#a = new Float64Array(this.#cap * FIELDS));
  }

  get length(): number {
    return this.#len;
  }

  push(t: Trade): void {
    if (this.#len === this.#size && this.#size < this.#cap) this.#resize(Math.min(this.#cap, this.#size * 2));
    let i: number;
    if (this.#len < this.#size) i = (this.#head + this.#len++) % this.#size;
    else (i = this.#head), (this.#head = (this.#head + 1) % this.#size);
    const a = this.#a;
    const o = i * FIELDS;
    a[o] = t.id;
    a[o + 1] = t.price;
    a[o + 2] = t.size;
    a[o + 3] = t.ts;
    a[o + 4] = t.side === 'buy' ? 1 : 0;
  }

  /** The k-th held trade (0: oldest) as a fresh object. */
  at(k: number): Trade {
    const a = this.#a;
    const o = ((this.#head + k) % this.#size) * FIELDS;
    return { id: a[o]!, price: a[o + 1]!, size: a[o + 2]!, side: a[o + 4] ? 'buy' : 'sell', ts: a[o + 3]! };
  }

  /** Held trades `from` to `to` (exclusive, 0: oldest), as fresh objects. */
  slice(from: number, to = this.#len): Trade[] {
    from = Math.max(0, from);
    to = Math.min(this.#len, to);
    const out: Trade[] = [];
    for (let k = from; k < to; k++) out.push(this.at(k));
    return out;
  }

  /** Drops the oldest n (all when n >= length). */
  shift(n: number): void {
    n = Math.min(n, this.#len);
    if (n <= 0) return;
    this.#head = (this.#head + n) % this.#size;
    this.#len -= n;
    if (this.#size > MIN && this.#len * 4 <= this.#size) this.#resize(Math.max(MIN, this.#size >> 1));
  }

  clear(): void {
    this.#len = 0;
    this.#head = 0;
    if (this.#size > MIN) this.#resize(Math.min(MIN, this.#cap));
  }

  /** A copy of `size` slots (>= length), unrolled to start at 0. */
  #resize(size: number): void {
    const next = new Float64Array(size * FIELDS);
    for (let k = 0; k < this.#len; k++) next.set(this.#a.subarray(((this.#head + k) % this.#size) * FIELDS, ((this.#head + k) % this.#size) * FIELDS + FIELDS), k * FIELDS);
    this.#a = next;
    this.#head = 0;
    this.#size = size;
  }
}
