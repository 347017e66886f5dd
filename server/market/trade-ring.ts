/**
 * A symbol's recent trades as typed columns in a fixed ring: a trade costs four numbers written,
 * no object kept. Trade ids are consecutive (the `trades` stream's seq), so the ring keeps only
 * the newest id. Objects are made when a snapshot asks (`tail`).
 */
import type { Trade } from '../../shared/protocol.js';

export class TradeRing {
  readonly #price: Float64Array;
  readonly #size: Float64Array;
  readonly #ts: Float64Array;
  /** 1: buy, 0: sell. */
  readonly #buy: Uint8Array;
  #next = 0;
  #len = 0;
  /** Id of the newest trade. */
  #lastId = 0;

  constructor(readonly capacity: number) {
    this.#price = new Float64Array(capacity);
    this.#size = new Float64Array(capacity);
    this.#ts = new Float64Array(capacity);
    this.#buy = new Uint8Array(capacity);
  }

  get length(): number {
    return this.#len;
  }

  /** Appends a trade; `id` must be the previous one's + 1 (any id for the first). */
  push(id: number, price: number, size: number, side: 'buy' | 'sell', ts: number): void {
    const i = this.#next;
    this.#price[i] = price;
    this.#size[i] = size;
    this.#ts[i] = ts;
    this.#buy[i] = side === 'buy' ? 1 : 0;
    this.#next = (i + 1) % this.capacity;
    if (this.#len < this.capacity) this.#len++;
    this.#lastId = id;
  }

  /** The newest `limit` trades, oldest first, as fresh objects. */
  tail(limit: number): Trade[] {
    const n = Math.max(0, Math.min(limit, this.#len));
    const out: Trade[] = new Array(n);
    for (let k = 0; k < n; k++) {
      const i = (this.#next - n + k + this.capacity) % this.capacity;
      out[k] = { id: this.#lastId - n + 1 + k, price: this.#price[i]!, size: this.#size[i]!, side: this.#buy[i] ? 'buy' : 'sell', ts: this.#ts[i]! };
    }
    return out;
  }
}
