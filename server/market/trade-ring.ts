/**
 * A symbol's recent trades in a fixed ring, a trade's fields side by side in one typed array: a
 * trade costs four numbers written into one cache line, no object kept. Trade ids are
 * consecutive (the `trades` stream's seq), so the ring keeps only the newest id. Objects are
 * made when a snapshot asks (`tail`).
 */
import type { Trade } from '../../shared/protocol.js';

/** price, size, ts, side (1: buy, 0: sell). */
const FIELDS = 4;

export class TradeRing {
  readonly #data: Float64Array;
  #next = 0;
  #len = 0;
  /** Id of the newest trade. */
  #lastId = 0;
  /** Recorded trades' source ids (protocol 1.2 `xid`), made on the first one. */
  #xid: (string | undefined)[] | undefined;

  constructor(readonly capacity: number) {
    this.#data = new Float64Array(capacity * FIELDS);
  }

  get length(): number {
    return this.#len;
  }

  /** Appends a trade; `id` must be the previous one's + 1 (any id for the first). */
  push(id: number, price: number, size: number, side: 'buy' | 'sell', ts: number, xid?: string): void {
    if (xid !== undefined || this.#xid) (this.#xid ??= new Array(this.capacity))[this.#next] = xid;
    const o = this.#next * FIELDS;
    const d = this.#data;
    d[o] = price;
    d[o + 1] = size;
    d[o + 2] = ts;
    d[o + 3] = side === 'buy' ? 1 : 0;
    this.#next = (this.#next + 1) % this.capacity;
    if (this.#len < this.capacity) this.#len++;
    this.#lastId = id;
  }

  /** The newest `limit` trades, oldest first, as fresh objects. */
  tail(limit: number): Trade[] {
    const n = Math.max(0, Math.min(limit, this.#len));
    const out: Trade[] = new Array(n);
    const d = this.#data;
    for (let k = 0; k < n; k++) {
      const at = (this.#next - n + k + this.capacity) % this.capacity;
      const o = at * FIELDS;
      const t: Trade = { id: this.#lastId - n + 1 + k, price: d[o]!, size: d[o + 1]!, side: d[o + 3] ? 'buy' : 'sell', ts: d[o + 2]! };
      const xid = this.#xid?.[at];
      if (xid !== undefined) t.xid = xid;
      out[k] = t;
    }
    return out;
  }
}
