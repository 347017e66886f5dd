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
import { fromFields, toFields, type FieldEntry } from '../fanout/field-codec.js';

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

/** One side's levels by price: size and the seq that last changed it. */
class Levels {
  q = new Map<number, number>();
  at = new Map<number, number>();
  set(levels: unknown, seq: number): void {
    if (!Array.isArray(levels)) return;
    for (let i = 0; i < levels.length; i++) {
      const l = levels[i] as [number, number];
      this.q.set(l[0], l[1]);
      this.at.set(l[0], seq);
    }
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
    for (const [p, at] of this.#bids.at) if (at > seq) changed.push([bidKey(p), this.#bids.q.get(p)!]);
    for (const [p, at] of this.#asks.at) if (at > seq) changed.push([askKey(p), this.#asks.q.get(p)!]);
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
      for (const [p, at] of side.at) if (at <= first) side.at.set(p, last.get(p) ?? older);
      // A level the run set that the state at `first` lacks was removed within the run (and swept):
      // positions held before its removal must hear of it, as a 0.
      for (const [p, at] of last) if (!side.q.has(p)) side.q.set(p, 0), side.at.set(p, at);
    }
    // -Infinity: never set, so not a field (as a key absent from a map).
    if (this.#checksumAt !== -Infinity && this.#checksumAt <= first) this.#checksumAt = checksumAt ?? older;
    if (this.#tsAt !== -Infinity && this.#tsAt <= first) this.#tsAt = tsAt ?? older;
  }

  sweep(seq: number): void {
    for (const side of [this.#bids, this.#asks]) {
      for (const [p, at] of side.at) if (at < seq && side.q.get(p) === 0) side.at.delete(p), side.q.delete(p);
    }
  }

  clear(): void {
    this.#bids = new Levels();
    this.#asks = new Levels();
    this.#checksum = this.#ts = NaN;
    this.#checksumAt = this.#tsAt = -Infinity;
  }
}
