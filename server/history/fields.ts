/**
 * A state stream's current fields, each with the seq that last changed it (stream-history.ts):
 * what a recovery item is built from. Written once per event for every field the event sets,
 * so these avoid the per-field string keys and Map pairs of a generic map: flat channels
 * (ticker, candles: a handful of fixed keys) scan a small key array; the book keys its levels
 * by price, per side, and makes the `b:<price>` / `a:<price>` record keys only when an item is
 * built. Both give the same fields, in the same sense, as field-codec's toFields. Pure.
 */
import type { Channel } from '../../shared/protocol.js';
import { askKey, bidKey } from '../market/book-fields.js';
import { fromFields, toFields, type FieldEntry } from './field-codec.js';
import { insertAt, removeAt } from '../lib/arrays.js';

export interface FieldStore {
  /** Sets every field that `d` (an event's or a snapshot's) sets, as changed at `seq`. */
  set(d: Record<string, unknown>, seq: number): void;
  /** The `d` of a recovery item: every field changed after `seq`, tombstones included. */
  since(seq: number): unknown;
  /** Every field's seq at or before `first` becomes `seqOf(key) ?? older` (stream-history's prepend). */
  rebase(first: number, older: number, run: readonly { seq: number; d: unknown }[]): void;
  /** Drops removed fields (book levels at 0) last changed before `seq`. */
  sweep(seq: number): void;
  clear(): void;
}

export const fieldStore = (ch: Channel): FieldStore => (ch === 'book' ? new BookFields() : new FlatFields(ch));

/** Few fixed keys: parallel arrays, scanned (interned keys compare by identity first). */
class FlatFields implements FieldStore {
  #keys: string[] = [];
  #vals: number[] = [];
  #seqs: number[] = [];
  constructor(readonly ch: Channel) {}

  set(d: Record<string, unknown>, seq: number): void {
    const keys = this.#keys;
    for (const k in d) {
      const v = d[k];
      if (typeof v !== 'number') continue;
      let i = 0;
      while (i < keys.length && keys[i] !== k) i++;
      if (i === keys.length) keys.push(k);
      this.#vals[i] = v;
      this.#seqs[i] = seq;
    }
  }

  since(seq: number): unknown {
    const changed: FieldEntry[] = [];
    for (let i = 0; i < this.#keys.length; i++) if (this.#seqs[i]! > seq) changed.push([this.#keys[i]!, this.#vals[i]!]);
    return fromFields(this.ch, changed, 'delta');
  }

  rebase(first: number, older: number, run: readonly { seq: number; d: unknown }[]): void {
    const last = new Map<string, number>();
    for (const e of run) for (const [k] of toFields(this.ch, e.d as Record<string, unknown>)) last.set(k, e.seq);
    for (let i = 0; i < this.#keys.length; i++) if (this.#seqs[i]! <= first) this.#seqs[i] = last.get(this.#keys[i]!) ?? older;
  }

  sweep(): void {} // fixed keys: nothing is ever removed

  clear(): void {
    this.#keys = [];
    this.#vals = [];
    this.#seqs = [];
  }
}

/**
 * One side's levels: price, size and the seq that last changed it, as parallel number arrays
 * sorted by price (unboxed doubles, 24 bytes a level; two Maps keyed by a double price were
 * over 80, their keys boxed). A few dozen levels: found by binary search, moved by shifting.
 */
class Levels {
  readonly p: number[] = [];
  readonly q: number[] = [];
  readonly at: number[] = [];

  /** Index of `price`, or -(insertion point) - 1. */
  find(price: number): number {
    let lo = 0;
    let hi = this.p.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const k = this.p[mid]!;
      if (k < price) lo = mid + 1;
      else if (k > price) hi = mid - 1;
      else return mid;
    }
    return -lo - 1;
  }

  put(price: number, q: number, at: number): void {
    const i = this.find(price);
    if (i >= 0) (this.q[i] = q), (this.at[i] = at);
    else insertAt(this.p, -i - 1, price), insertAt(this.q, -i - 1, q), insertAt(this.at, -i - 1, at);
  }

  set(levels: unknown, seq: number): void {
    if (!Array.isArray(levels)) return;
    for (let i = 0; i < levels.length; i++) {
      const l = levels[i] as [number, number];
      this.put(l[0], l[1], seq);
    }
  }

  remove(i: number): void {
    removeAt(this.p, i), removeAt(this.q, i), removeAt(this.at, i);
  }
}

/** The book: levels per side by price, then `checksum` and `ts`, as book-fields' bookToFields. */
class BookFields implements FieldStore {
  #bids = new Levels();
  #asks = new Levels();
  #checksum = NaN;
  #checksumAt = -Infinity;
  #ts = NaN;
  #tsAt = -Infinity;

  set(d: Record<string, unknown>, seq: number): void {
    this.#bids.set(d.bids, seq);
    this.#asks.set(d.asks, seq);
    if (typeof d.checksum === 'number') (this.#checksum = d.checksum), (this.#checksumAt = seq);
    if (typeof d.ts === 'number') (this.#ts = d.ts), (this.#tsAt = seq);
  }

  since(seq: number): unknown {
    const changed: FieldEntry[] = [];
    const b = this.#bids;
    const a = this.#asks;
    // Lowest price first; fromFields sorts each side best first.
    for (let i = 0; i < b.p.length; i++) if (b.at[i]! > seq) changed.push([bidKey(b.p[i]!), b.q[i]!]);
    for (let i = 0; i < a.p.length; i++) if (a.at[i]! > seq) changed.push([askKey(a.p[i]!), a.q[i]!]);
    if (this.#checksumAt > seq) changed.push(['checksum', this.#checksum]);
    if (this.#tsAt > seq) changed.push(['ts', this.#ts]);
    return fromFields('book', changed, 'delta');
  }

  rebase(first: number, older: number, run: readonly { seq: number; d: unknown }[]): void {
    const bids = new Map<number, number>();
    const asks = new Map<number, number>();
    let checksumAt: number | undefined;
    let tsAt: number | undefined;
    for (const e of run) {
      const d = e.d as Record<string, unknown>;
      if (Array.isArray(d.bids)) for (const l of d.bids as [number, number][]) bids.set(l[0], e.seq);
      if (Array.isArray(d.asks)) for (const l of d.asks as [number, number][]) asks.set(l[0], e.seq);
      if (typeof d.checksum === 'number') checksumAt = e.seq;
      if (typeof d.ts === 'number') tsAt = e.seq;
    }
    for (const [side, last] of [[this.#bids, bids], [this.#asks, asks]] as const) {
      for (let i = 0; i < side.p.length; i++) if (side.at[i]! <= first) side.at[i] = last.get(side.p[i]!) ?? older;
      // A level the run set that the state at `first` lacks was removed within the run (and swept):
      // positions held before its removal must hear of it, as a 0.
      for (const [p, at] of last) if (side.find(p) < 0) side.put(p, 0, at);
    }
    // -Infinity: never set, so not a field (as a key absent from a map).
    if (this.#checksumAt !== -Infinity && this.#checksumAt <= first) this.#checksumAt = checksumAt ?? older;
    if (this.#tsAt !== -Infinity && this.#tsAt <= first) this.#tsAt = tsAt ?? older;
  }

  sweep(seq: number): void {
    for (const side of [this.#bids, this.#asks]) {
      for (let i = side.p.length - 1; i >= 0; i--) if (side.at[i]! < seq && side.q[i] === 0) side.remove(i);
    }
  }

  clear(): void {
    this.#bids = new Levels();
    this.#asks = new Levels();
    this.#checksum = this.#ts = NaN;
    this.#checksumAt = this.#tsAt = -Infinity;
  }
}
