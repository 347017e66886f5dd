/**
 * The simulated limit order book of one symbol, on the tick grid around the price process's mid.
 * Prices are integer ticks, sizes integer units of 10^-sizeDecimals; each side is two parallel
 * arrays, best first, changed in place (an event touches a few levels near the touch, never the
 * whole book). Every change is remembered until `takeChanges`, which reports each touched level's
 * final size (0: gone). Pure: randomness comes in as an Rng.
 */
import type { Rng } from './rng.js';
import { insertAt, removeAt } from '../lib/arrays.js';

export interface BookParams {
  /** Levels kept per side: the published window plus a margin, so levels enter and leave it. */
  levels: number;
  /** Mean gap between neighbouring levels, ticks (>= 1). */
  spacing: number;
  /** Mean size at the touch, units; sizes grow away from it. */
  touchSize: number;
  /** Sizes are drawn and modified in whole multiples of this, units. */
  lot: number;
}

/** Changed levels, [ticks, units] (units 0: the level is gone), bids and asks apart. */
export interface BookChanges {
  bids: [number, number][];
  asks: [number, number][];
}

export type Aggressor = 'buy' | 'sell';

/** One side: `dir` is +1 for asks (ticks rise away from the touch), -1 for bids. */
class Side {
  readonly t: number[] = [];
  readonly q: number[] = [];
  constructor(readonly dir: 1 | -1, readonly code: 0 | 1) {}
  /** Index of `ticks`, or -(insertion point) - 1. Sorted by dir * ticks ascending. */
  find(ticks: number): number {
    const key = this.dir * ticks;
    let lo = 0;
    let hi = this.t.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const k = this.dir * this.t[mid]!;
      if (k < key) lo = mid + 1;
      else if (k > key) hi = mid - 1;
      else return mid;
    }
    return -lo - 1;
  }
}

/** Most levels a trade walks. */
const WALK_LEVELS = 3;
/** Levels near the touch whose gaps get filled after the market moved. */
const FILL_LEVELS = 5;

export class OrderBook {
  readonly bids = new Side(-1, 0);
  readonly asks = new Side(1, 1);
  readonly p: BookParams;
  /** The last trade's prints (see trade). */
  readonly printT = new Float64Array(WALK_LEVELS);
  readonly printQ = new Float64Array(WALK_LEVELS);
  /** Touched levels since the last takeChanges, as ticks * 2 + side code (a few per event: scanned, not hashed). */
  readonly #touched: number[] = [];
  /**
   * Per side, the price range a trade took in the current event (ticks, low and high): no level
   * opens or changes there until the event ends, so the trade's effect stays visible.
   */
  #lo: [number, number] = [NaN, NaN];
  #hi: [number, number] = [NaN, NaN];

  constructor(p: BookParams) {
    this.p = p;
  }

  /** Builds both sides around `mid` (fractional ticks) with a spread of `spread` ticks; no changes pending after. */
  init(mid: number, spread: number, rng: Rng): void {
    const tb = Math.max(1, Math.floor(mid - spread / 2));
    this.#add(this.bids, tb, this.#size(0, rng));
    this.#add(this.asks, tb + spread, this.#size(0, rng));
    this.refill(rng);
    this.takeChanges(); // the starting book is a state, not a change
  }

  /** Best level of a side: [ticks, units], or undefined when the side is empty. */
  best(side: 'bid' | 'ask'): [number, number] | undefined {
    const s = side === 'bid' ? this.bids : this.asks;
    return s.t.length ? [s.t[0]!, s.q[0]!] : undefined;
  }

  /**
   * A market order of `units` against the touch: a buy takes asks, a sell takes bids, best
   * first, walking at most WALK_LEVELS levels and never emptying the side. Returns how many
   * prints it made (0 when the side has no level to spare); print i is at `printT[i]` ticks for
   * `printQ[i]` units, best first, until the next trade (scratch: a trade allocates nothing).
   */
  trade(aggressor: Aggressor, units: number): number {
    const s = aggressor === 'buy' ? this.asks : this.bids;
    let n = 0;
    let left = units;
    while (left > 0 && n < WALK_LEVELS && s.t.length > 1) {
      const t = s.t[0]!;
      const q = s.q[0]!;
      const take = Math.min(left, q);
      this.printT[n] = t;
      this.printQ[n++] = take;
      left -= take;
      this.#lo[s.code] = Math.min(t, this.#lo[s.code]! || t);
      this.#hi[s.code] = Math.max(t, this.#hi[s.code]! || t);
      if (take === q) this.#removeAt(s, 0);
      else this.#setAt(s, 0, q - take);
    }
    return n;
  }

  /**
   * Moves the book to the market: levels the mid went through are gone (bids above, asks below
   * the target touch), a touch left far behind gets new liquidity at the target, and the gaps
   * near the touch fill in. `mid` in fractional ticks, `spread` whole ticks >= 1.
   */
  follow(mid: number, spread: number, rng: Rng): void {
    const tb = Math.max(1, Math.floor(mid - spread / 2));
    const ta = tb + spread;
    const { bids, asks } = this;
    while (bids.t.length && bids.t[0]! > tb) this.#removeAt(bids, 0);
    while (asks.t.length && asks.t[0]! < ta) this.#removeAt(asks, 0);
    const slack = 2 * this.p.spacing;
    if (!bids.t.length || bids.t[0]! < tb - slack) this.#add(bids, tb, this.#size(0, rng));
    if (!asks.t.length || asks.t[0]! > ta + slack) this.#add(asks, ta, this.#size(0, rng));
    this.#fillGaps(bids, rng);
    this.#fillGaps(asks, rng);
  }

  /**
   * Order flow: a few adds, cancels and modifies, each at a level drawn near the touch (mean
   * index 2.5), now and then a new best price inside the spread. Never crosses the book.
   */
  flow(rng: Rng): void {
    const ops = 1 + rng.int(3);
    for (let k = 0; k < ops; k++) {
      const s = rng.next() < 0.5 ? this.bids : this.asks;
      const n = s.t.length;
      if (n === 0) continue;
      const i = Math.min(n - 1, Math.floor(rng.exp() * 2.5));
      const u = rng.next();
      if (this.#taken(s, s.t[i]!)) continue; // a level just traded keeps what the trade left
      if (u < 0.45) {
        const q = this.#lots(s.q[i]! * Math.exp(0.35 * rng.roughNormal()));
        this.#setAt(s, i, q);
      } else if (u < 0.75) {
        if (i === 0 && rng.next() < 0.25) {
          const t = s.t[0]! - s.dir; // one tick better
          const other = s === this.bids ? this.asks : this.bids;
          if (!other.t.length || s.dir * (other.t[0]! - t) < 0) this.#add(s, t, this.#size(0, rng));
        } else if (i + 1 < n) {
          const room = s.dir * (s.t[i + 1]! - s.t[i]!);
          if (room > 1) this.#add(s, s.t[i]! + s.dir * (1 + rng.int(room - 1)), this.#size(i + 1, rng));
          else this.#setAt(s, i, s.q[i]! + this.#size(i, rng));
        }
      } else if (i === 0) {
        this.#setAt(s, 0, this.#lots(s.q[0]! / 2)); // the touch thins rather than vanishes
      } else {
        this.#removeAt(s, i);
      }
    }
  }

  /** Keeps each side at `levels` levels: new ones at the deep end, the deepest beyond a margin dropped. */
  refill(rng: Rng): void {
    const { levels } = this.p;
    for (let k = 0; k < 2; k++) {
      const s = k ? this.asks : this.bids;
      while (s.t.length < levels) {
        const t = s.t[s.t.length - 1]! + s.dir * this.#gap(rng);
        if (t < 1) break; // bids stop at one tick
        this.#insertAt(s, s.t.length, t, this.#size(s.t.length, rng));
      }
      while (s.t.length > levels + Math.max(4, levels >> 2)) this.#removeAt(s, s.t.length - 1);
    }
  }

  /**
   * Each level touched since the last call, with its size now (0: gone); ends the event.
   * `price` and `unit` convert on the way out (default: ticks and units as they are).
   */
  takeChanges(price: (ticks: number) => number = (t) => t, unit = 1): BookChanges {
    const out: BookChanges = { bids: [], asks: [] };
    for (const key of this.#touched) {
      const code = key & 1;
      const t = (key - code) / 2;
      const s = code ? this.asks : this.bids;
      const i = s.find(t);
      (code ? out.asks : out.bids).push([price(t), i >= 0 ? s.q[i]! / unit : 0]);
    }
    this.#touched.length = 0;
    this.#lo[0] = this.#lo[1] = this.#hi[0] = this.#hi[1] = NaN;
    return out;
  }

  /** Whole book, best first per side, [ticks, units]. */
  levelsOf(side: 'bid' | 'ask'): [number, number][] {
    const s = side === 'bid' ? this.bids : this.asks;
    return s.t.map((t, i) => [t, s.q[i]!]);
  }

  /** Opens a level at `t` (or adds to the one there); none at a price traded in this event. */
  #add(s: Side, t: number, q: number): void {
    if (t < 1 || this.#taken(s, t)) return;
    const i = s.find(t);
    if (i >= 0) this.#setAt(s, i, s.q[i]! + q);
    else this.#insertAt(s, -i - 1, t, q);
  }

  /** Whether `t` is within the range a trade took on this side in the current event. */
  #taken(s: Side, t: number): boolean {
    return t >= this.#lo[s.code]! && t <= this.#hi[s.code]!;
  }

  #fillGaps(s: Side, rng: Rng): void {
    const wide = 3 * this.p.spacing;
    for (let i = 0; i < FILL_LEVELS && i + 1 < s.t.length; i++) {
      const room = s.dir * (s.t[i + 1]! - s.t[i]!);
      if (room > wide) this.#add(s, s.t[i]! + s.dir * Math.min(room - 1, this.#gap(rng)), this.#size(i + 1, rng));
    }
  }

  /** A level size `i` levels from the touch: growing away from it, lognormal noise, whole lots. */
  #size(i: number, rng: Rng): number {
    return this.#lots(this.p.touchSize * (1 + 0.25 * i) * Math.exp(0.5 * rng.roughNormal()));
  }

  #lots(q: number): number {
    const lot = this.p.lot;
    return Math.max(1, Math.round(q / lot)) * lot;
  }

  /** Gap to the next level: about `spacing` ticks, at least one. */
  #gap(rng: Rng): number {
    return Math.max(1, Math.round(this.p.spacing * (0.5 + rng.exp())));
  }

  #touch(s: Side, t: number): void {
    const key = t * 2 + s.code;
    const touched = this.#touched;
    for (let i = 0; i < touched.length; i++) if (touched[i] === key) return;
    touched.push(key);
  }

  #setAt(s: Side, i: number, q: number): void {
    if (s.q[i] === q) return;
    s.q[i] = q;
    this.#touch(s, s.t[i]!);
  }

  #insertAt(s: Side, i: number, t: number, q: number): void {
    insertAt(s.t, i, t);
    insertAt(s.q, i, q);
    this.#touch(s, t);
  }

  #removeAt(s: Side, i: number): void {
    this.#touch(s, s.t[i]!);
    removeAt(s.t, i);
    removeAt(s.q, i);
  }
}

/** Book parameters for an instrument (`ms` its microstructure, `refPrice` about where it trades). */
export function bookParams(
  ms: { kind: string; lot: number; medianTradeSize: number; typicalSpreadTicks(mid: number): number },
  sizeDecimals: number,
  refPrice: number,
  levels: number,
): BookParams {
  const unit = 10 ** sizeDecimals;
  // Round lots of 100 shares, 100,000 FX units; coins in trade lots, about five median trades at the touch.
  const lot = ms.kind === 'fx' ? 100_000 * unit : ms.kind === 'crypto' ? Math.max(1, Math.round(ms.lot * unit)) : 100 * unit;
  const touch = ms.kind === 'fx' ? 2_000_000 * unit : ms.kind === 'crypto' ? 5 * ms.medianTradeSize * unit : 400 * unit;
  return { levels, spacing: Math.max(1, Math.round(ms.typicalSpreadTicks(refPrice) / 4)), touchSize: Math.max(lot, touch), lot };
}
