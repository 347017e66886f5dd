/**
 * Trades of one stream, oldest first, in narrow columns: a ring that grows by doubling up to its
 * capacity and shrinks when mostly empty, so a stream costs memory for what it holds, and
 * holding a trade keeps no object (a trade's object and its boxed numbers would live as long as
 * the window: old-generation garbage per event). Prices and sizes as exact decimals
 * (decimal-column.ts: 4 and 1-4 bytes for the simulator's), times as offsets from the first
 * (4 bytes), ids as the difference from the count pushed (consecutive ids: one byte), the side
 * in a byte: about 12 bytes a trade instead of a 40-byte row of doubles or a ~90-byte object.
 * Objects are made when read, fields in the market state's order (id, price, size, side, ts),
 * so what is encoded from them is byte for byte the same. Pure.
 */
import type { Trade } from '../../shared/protocol.js';
import { DecimalColumn } from '../market/decimal-column.js';
import { IntColumn } from '../market/int-column.js';

const MIN = 4;

export class TradeLog {
  readonly #cap: number;
  #size: number;
  #head = 0;
  #len = 0;
  /** Trades ever pushed: a trade's id is kept as id - (its push count). */
  #pushed = 0;
  /** Times are kept as ts - #base (the first time pushed). */
  #base = NaN;
  /** Ids, times kept whole (a value the differences cannot hold exactly: never from the feed). */
  #idRaw = false;
  #tsRaw = false;
  #id: IntColumn;
  #price: DecimalColumn;
  #qty: DecimalColumn;
  #ts: IntColumn;
  #side: IntColumn;
  /** Recorded trades' source ids (protocol 1.2 `xid`), per slot; made on the first one. */
  #xid: (string | undefined)[] | undefined;

  /** Holds at most `capacity` trades: pushing one more drops the oldest. */
  constructor(capacity: number) {
    this.#cap = Math.max(1, capacity);
    this.#size = Math.min(this.#cap, MIN);
    this.#id = new IntColumn(this.#size);
    this.#price = new DecimalColumn(this.#size);
    this.#qty = new DecimalColumn(this.#size);
    this.#ts = new IntColumn(this.#size);
    this.#side = new IntColumn(this.#size);
  }

  get length(): number {
    return this.#len;
  }

  /** Bytes of storage held (for tests and memory accounting). */
  get bytes(): number {
    return this.#id.bytes + this.#price.bytes + this.#qty.bytes + this.#ts.bytes + this.#side.bytes;
  }

  push(t: Trade): void {
    if (this.#len === this.#size && this.#size < this.#cap) this.#resize(Math.min(this.#cap, this.#size * 2));
    let i: number;
    if (this.#len < this.#size) i = (this.#head + this.#len++) % this.#size;
    else (i = this.#head), (this.#head = (this.#head + 1) % this.#size);
    if (Number.isNaN(this.#base)) this.#base = Number.isSafeInteger(t.ts) ? t.ts : 0;
    ++this.#pushed;
    if (!this.#idRaw && !exact(t.id, this.#pushed)) this.#id = this.#whole((k) => this.#idAt(k)), (this.#idRaw = true);
    if (!this.#tsRaw && !exact(t.ts, this.#base)) this.#ts = this.#whole((k) => this.#tsAt(k)), (this.#tsRaw = true);
    this.#id.set(i, this.#idRaw ? t.id : t.id - this.#pushed);
    this.#price.set(i, t.price);
    this.#qty.set(i, t.size);
    this.#ts.set(i, this.#tsRaw ? t.ts : t.ts - this.#base);
    this.#side.set(i, t.side === 'buy' ? 1 : 0);
    if (t.xid !== undefined || this.#xid) (this.#xid ??= new Array<string | undefined>(this.#size))[i] = t.xid;
  }

  /** The k-th held trade (0: oldest) as a fresh object. */
  at(k: number): Trade {
    const i = (this.#head + k) % this.#size;
    const t: Trade = { id: this.#idAt(k), price: this.#price.get(i), size: this.#qty.get(i), side: this.#side.get(i) ? 'buy' : 'sell', ts: this.#tsAt(k) };
    const xid = this.#xid?.[i];
    if (xid !== undefined) t.xid = xid;
    return t;
  }

  #idAt(k: number): number {
    const v = this.#id.get((this.#head + k) % this.#size);
    // The k-th held trade was pushed as number #pushed - #len + k + 1.
    return this.#idRaw ? v : v + this.#pushed - this.#len + k + 1;
  }

  #tsAt(k: number): number {
    const v = this.#ts.get((this.#head + k) % this.#size);
    return this.#tsRaw ? v : v + this.#base;
  }

  /** A Float64 column of the held values as `read` gives them, but the new trade's. */
  #whole(read: (k: number) => number): IntColumn {
    const next = new IntColumn(this.#size, true);
    // The new trade's slot is the last held (counted in #len, #pushed already): the others read as they were pushed.
    for (let k = 0; k < this.#len - 1; k++) next.set((this.#head + k) % this.#size, read(k));
    return next;
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
    this.shift(this.#len);
  }

  /** Storage of `size` slots (>= length), unrolled to start at 0. */
  #resize(size: number): void {
    for (const c of [this.#id, this.#price, this.#qty, this.#ts, this.#side]) c.resize(size, this.#head, this.#len);
    if (this.#xid) {
      const old = this.#xid;
      this.#xid = new Array<string | undefined>(size);
      for (let k = 0; k < this.#len; k++) this.#xid[k] = old[(this.#head + k) % this.#size];
    }
    this.#head = 0;
    this.#size = size;
  }
}

/** Whether `x` is kept exactly as the difference x - base. */
const exact = (x: number, base: number): boolean => Number.isSafeInteger(x) && Number.isSafeInteger(x - base);
