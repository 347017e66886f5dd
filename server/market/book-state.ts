/**
 * The feed side's copy of one symbol's book: every level the source keeps, and the top-`depth`
 * window as last published. Applying a source event's level changes yields the window's delta:
 * changed sizes, levels leaving the window as 0, levels entering it with their size, best first,
 * with the checksum of the result (computed once here, per event). Pure: no clock, no I/O.
 */
import { CHECKSUM_LEVELS, checksumDigitsInto, crc32, crc32Bytes, levelChecksumString } from '../../shared/book-checksum.js';
import type { BookData, BookDelta, BookLevel } from '../../shared/protocol.js';
import type { BookInit, BookLevels } from './market-event.js';
import { insertAt, removeAt } from '../lib/arrays.js';

/** Bytes a best level's checksum text may take (price and size, 16 digits each). */
const SLOT = 32;
/** `len` of a best level whose text is not made yet; SLOW: made as a string each time (checksumDigitsInto's -1). */
const UNSET = -1;
const SLOW = -2;

/**
 * One side, best first, as parallel arrays. The best CHECKSUM_LEVELS levels' checksum text is
 * cached as bytes (`text`, SLOT a level, `len` each, UNSET until needed), moved along as levels
 * come and go: a string per changed level lived as long as the level, and all of them were
 * old-generation garbage.
 */
export class BookSide {
  readonly p: number[] = [];
  readonly q: number[] = [];
  readonly text = new Uint8Array(CHECKSUM_LEVELS * SLOT);
  readonly len = new Int8Array(CHECKSUM_LEVELS).fill(UNSET);
  /** The window as last published. */
  readonly winP: number[] = [];
  readonly winQ: number[] = [];

  /** `desc`: bids (best = highest). */
  constructor(readonly desc: boolean) {}

  /** Index of `price`, or -(insertion point) - 1. */
  find(price: number): number {
    const sign = this.desc ? -1 : 1;
    const key = sign * price;
    let lo = 0;
    let hi = this.p.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const k = sign * this.p[mid]!;
      if (k < key) lo = mid + 1;
      else if (k > key) hi = mid - 1;
      else return mid;
    }
    return -lo - 1;
  }

  /** Sets a level's size (0 removes it). Returns its index before the change (or insertion point). */
  set(price: number, size: number): number {
    const i = this.find(price);
    if (size === 0) {
      if (i >= 0) {
        removeAt(this.p, i);
        removeAt(this.q, i);
        this.#moveText(i + 1, i);
      }
    } else if (i >= 0) {
      if (this.q[i] !== size) {
        this.q[i] = size;
        if (i < CHECKSUM_LEVELS) this.len[i] = UNSET;
      }
    } else {
      const at = -i - 1;
      insertAt(this.p, at, price);
      insertAt(this.q, at, size);
      this.#moveText(at, at + 1);
      return at;
    }
    return i;
  }

  /** Removes every level. */
  clear(): void {
    this.p.length = this.q.length = 0;
    this.len.fill(UNSET);
  }

  /** The cached texts from level `from` on move to `to` (one up or down); the level left unset is UNSET. */
  #moveText(from: number, to: number): void {
    const n = CHECKSUM_LEVELS;
    if (Math.min(from, to) >= n) return;
    this.text.copyWithin(to * SLOT, from * SLOT, (n - Math.max(0, to - from)) * SLOT);
    this.len.copyWithin(to, from, n - Math.max(0, to - from));
    this.len[to > from ? from : n - 1] = UNSET;
  }

  /** Top `depth` levels as pairs. */
  top(depth: number): BookLevel[] {
    const n = Math.min(depth, this.p.length);
    const out: BookLevel[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = [this.p[i]!, this.q[i]!];
    return out;
  }

  /**
   * The window's changes since it was last published, best first (left: 0, entered: size), and
   * the window updated. Empty when the top `depth` is as published.
   */
  publish(depth: number): BookLevel[] {
    const out: BookLevel[] = [];
    const { p, q, winP, winQ, desc } = this;
    const n = Math.min(depth, p.length);
    const m = winP.length;
    let i = 0;
    let j = 0;
    while (i < m || j < n) {
      if (j >= n || (i < m && (desc ? winP[i]! > p[j]! : winP[i]! < p[j]!))) out.push([winP[i++]!, 0]);
      else if (i >= m || winP[i] !== p[j]) {
        out.push([p[j]!, q[j]!]);
        j++;
      } else {
        if (winQ[i] !== q[j]) out.push([p[j]!, q[j]!]);
        i++;
        j++;
      }
    }
    if (out.length) {
      winP.length = winQ.length = n;
      for (let k = 0; k < n; k++) {
        winP[k] = p[k]!;
        winQ[k] = q[k]!;
      }
    }
    return out;
  }
}

export class BookState {
  readonly bids = new BookSide(true);
  readonly asks = new BookSide(false);
  readonly depth: number;
  readonly decimals: number;
  readonly sizeDecimals: number;
  /** Checksum and time of the published state. */
  checksum = 0;
  /** The checksum chain after each of the best asks, then each of the best bids (see #checksum). */
  readonly #crcA: number[] = [];
  readonly #crcB: number[] = [];
  #na = 0;
  #nb = 0;
  ts = 0;

  /** From the source's whole book (best first); the window starts published as it stands. */
  constructor(init: BookInit, depth: number, ts = 0) {
    this.depth = depth;
    this.decimals = init.decimals;
    this.sizeDecimals = init.sizeDecimals;
    this.#load(this.bids, init.bids);
    this.#load(this.asks, init.asks);
    this.bids.publish(depth);
    this.asks.publish(depth);
    this.checksum = this.#checksum();
    this.ts = ts;
  }

  /**
   * Applies a source event's level changes ([price, size], 0: gone, any order) and returns the
   * window's delta with the new checksum, or undefined when the window did not change (levels
   * beyond it only).
   */
  apply(changes: BookLevels, ts: number): BookDelta | undefined {
    // Only levels among the best 10 of a side move the checksum.
    // The lowest index changed per side: the checksum chain is recomputed from there (see #checksum).
    let fromBid = Infinity;
    let fromAsk = Infinity;
    for (let k = 0; k < changes.bids.length; k++) fromBid = Math.min(fromBid, this.bids.set(changes.bids[k]![0], changes.bids[k]![1]));
    for (let k = 0; k < changes.asks.length; k++) fromAsk = Math.min(fromAsk, this.asks.set(changes.asks[k]![0], changes.asks[k]![1]));
    const top = Math.min(CHECKSUM_LEVELS, this.depth);
    const near = fromBid < top || fromAsk < top;
    const bids = changes.bids.length ? this.bids.publish(this.depth) : undefined;
    const asks = changes.asks.length ? this.asks.publish(this.depth) : undefined;
    if (!bids?.length && !asks?.length) return undefined;
    if (near) this.checksum = this.#checksum(fromAsk, fromBid);
    this.ts = ts;
    const d: BookDelta = { checksum: this.checksum, ts };
    if (bids?.length) d.bids = bids;
    if (asks?.length) d.asks = asks;
    return d;
  }

  /** The published state: top `depth` per side, best first, sizes > 0. */
  snapshot(): BookData {
    return { bids: this.bids.top(this.depth), asks: this.asks.top(this.depth), checksum: this.checksum, ts: this.ts };
  }

  #load(side: BookSide, levels: readonly (readonly [number, number])[]): void {
    for (const [p, q] of levels) if (q > 0) side.set(p, q);
  }

  /** The chain `c` over best level i's checksum text, the text made when first needed after a change. */
  #crc(side: BookSide, i: number, c: number): number {
    let n = side.len[i]!;
    if (n === UNSET) {
      const at = i * SLOT;
      const mid = checksumDigitsInto(side.p[i]!, this.decimals, side.text, at);
      const end = mid < 0 ? -1 : checksumDigitsInto(side.q[i]!, this.sizeDecimals, side.text, mid);
      side.len[i] = n = end < 0 ? SLOW : end - at;
    }
    if (n === SLOW) return crc32(levelChecksumString(side.p[i]!, side.q[i]!, this.decimals, this.sizeDecimals), c);
    return crc32Bytes(side.text, i * SLOT, i * SLOT + n, c);
  }

  /**
   * CRC32 of the best 10 published asks then bids, chained over the cached level texts. The
   * chain's value after each level is kept (#crcA, #crcB), so a change at ask index `fromAsk`
   * redoes the asks from there and every bid, a change among the bids only the bids from
   * `fromBid`: the same value as the whole chain (an insert or removal at i shifts only levels >= i).
   */
  #checksum(fromAsk = 0, fromBid = 0): number {
    const top = Math.min(CHECKSUM_LEVELS, this.depth);
    const na = Math.min(top, this.asks.p.length);
    const nb = Math.min(top, this.bids.p.length);
    const ca = this.#crcA;
    const cb = this.#crcB;
    const i0 = Math.max(0, Math.min(fromAsk, na, this.#na));
    let c = i0 > 0 ? ca[i0 - 1]! : 0;
    for (let i = i0; i < na; i++) c = ca[i] = this.#crc(this.asks, i, c);
    // The bids chain from the asks' end: redone whole when that moved.
    const j0 = i0 < na || na !== this.#na ? 0 : Math.max(0, Math.min(fromBid, nb, this.#nb));
    this.#na = na;
    if (j0 > 0) c = cb[j0 - 1]!;
    for (let j = j0; j < nb; j++) c = cb[j] = this.#crc(this.bids, j, c);
    this.#nb = nb;
    return c;
  }
}
