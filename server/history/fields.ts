/**
 * A state stream's current fields, each with the seq that last changed it: what a conflated or
 * recovery delta since any held position is built from ("the fields changed after it"), and
 * the whole state a snapshot item carries. The fan-out's stream records (stream-record.ts) and
 * the recovery history (stream-history.ts) both keep one. Written once per event for every
 * field the event sets, so these avoid per-field string keys: flat channels (ticker, candles:
 * a handful of fixed keys) scan a small key array; the book keeps its levels by price, per
 * side, sorted, and builds its `d` from them directly. Both give the same fields, in the same
 * sense, as field-codec's toFields / fromFields (test/history checks them against it). Pure.
 */
import type { BookDelta, BookLevel, Channel } from '../../shared/protocol.js';
import { toFields } from './field-codec.js';
import { insertAt, removeAt } from '../lib/arrays.js';

export interface FieldStore {
  /** Sets every field that `d` (an event's or a snapshot's) sets, as changed at `seq`. */
  set(d: Record<string, unknown>, seq: number): void;
  /** The `d` of a delta item: every field changed after `seq`, tombstones included. A fresh object. */
  since(seq: number): unknown;
  /** The whole state as a snapshot item's `d` (tombstones left out). A fresh object. */
  all(): unknown;
  /** Every field's seq at or before `first` becomes `seqOf(key) ?? older` (stream-history's prepend). */
  rebase(first: number, older: number, run: readonly { seq: number; d: unknown }[]): void;
  /** Drops removed fields (book levels at 0) last changed before `seq`; returns how many went. */
  sweep(seq: number): number;
  /** Removed fields held (book levels at 0). */
  readonly tombstones: number;
  /** Fields held, tombstones included. */
  readonly size: number;
  clear(): void;
}

export const fieldStore = (ch: Channel): FieldStore => (ch === 'book' ? new BookFields() : new FlatFields(ch));

/**
 * Every key a flat channel's fields have had, in the order first seen: shared by all the streams
 * of the channel, so a stream holds values only (FlatFields). A few fixed names per channel.
 */
const FLAT_KEYS = new Map<Channel, string[]>();

/**
 * Few fixed keys: one number array per stream, value and seq per key of the channel's shared
 * key list (NaN seq: never set). One array, not three: an event touches every stream of its
 * symbol, and with thousands watched each array is a cache miss of its own.
 */
class FlatFields implements FieldStore {
  readonly #keys: string[];
  /** [value, seq] per key index. */
  #v: number[] = [];
  readonly tombstones = 0; // fixed keys: nothing is ever removed
  constructor(readonly ch: Channel) {
    let keys = FLAT_KEYS.get(ch);
    if (!keys) FLAT_KEYS.set(ch, (keys = []));
    this.#keys = keys;
  }

  get size(): number {
    let n = 0;
    for (let i = 1; i < this.#v.length; i += 2) if (!Number.isNaN(this.#v[i])) n++;
    return n;
  }

  set(d: Record<string, unknown>, seq: number): void {
    const keys = this.#keys;
    const v = this.#v;
    for (const k in d) {
      const x = d[k];
      if (typeof x !== 'number') continue;
      let i = 0;
      while (i < keys.length && keys[i] !== k) i++;
      if (i === keys.length) keys.push(k);
      while (v.length <= 2 * i) v.push(NaN, NaN);
      v[2 * i] = x;
      v[2 * i + 1] = seq;
    }
  }

  since(seq: number): unknown {
    const d: Record<string, number> = {};
    const v = this.#v;
    for (let i = 0; 2 * i < v.length; i++) if (v[2 * i + 1]! > seq) d[this.#keys[i]!] = v[2 * i]!;
    return d;
  }

  all(): unknown {
    return this.since(-Infinity);
  }

  rebase(first: number, older: number, run: readonly { seq: number; d: unknown }[]): void {
    const last = new Map<string, number>();
    for (const e of run) for (const [k] of toFields(this.ch, e.d as Record<string, unknown>)) last.set(k, e.seq);
    const v = this.#v;
    // NaN (never set) is not <= first: it stays unset.
    for (let i = 0; 2 * i < v.length; i++) if (v[2 * i + 1]! <= first) v[2 * i + 1] = last.get(this.#keys[i]!) ?? older;
  }

  sweep(): number {
    return 0;
  }

  clear(): void {
    this.#v.fill(NaN);
  }
}

/**
 * One side's levels: price, size and the seq that last changed it, as parallel number arrays
 * sorted by price, lowest first (unboxed doubles, 24 bytes a level; two Maps keyed by a double
 * price were over 80, their keys boxed). A few dozen levels: found by binary search, moved by shifting.
 */
class Levels {
  readonly p: number[] = [];
  readonly q: number[] = [];
  readonly at: number[] = [];
  /** Levels held at size 0. */
  zeros = 0;

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
    if (i >= 0) {
      this.zeros += (q === 0 ? 1 : 0) - (this.q[i] === 0 ? 1 : 0);
      this.q[i] = q;
      this.at[i] = at;
    } else {
      if (q === 0) this.zeros++;
      insertAt(this.p, -i - 1, price), insertAt(this.q, -i - 1, q), insertAt(this.at, -i - 1, at);
    }
  }

  set(levels: unknown, seq: number): void {
    if (!Array.isArray(levels)) return;
    for (let i = 0; i < levels.length; i++) {
      const l = levels[i] as [number, number];
      this.put(l[0], l[1], seq);
    }
  }

  remove(i: number): void {
    if (this.q[i] === 0) this.zeros--;
    removeAt(this.p, i), removeAt(this.q, i), removeAt(this.at, i);
  }

  /** Levels changed after `seq` (sizes > 0 only when `live`), best first: bids highest first. */
  pick(seq: number, live: boolean, desc: boolean): BookLevel[] {
    const out: BookLevel[] = [];
    const n = this.p.length;
    for (let k = 0; k < n; k++) {
      const i = desc ? n - 1 - k : k;
      if (this.at[i]! > seq && !(live && this.q[i] === 0)) out.push([this.p[i]!, this.q[i]!]);
    }
    return out;
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

  get tombstones(): number {
    return this.#bids.zeros + this.#asks.zeros;
  }

  get size(): number {
    return this.#bids.p.length + this.#asks.p.length + (this.#checksumAt > -Infinity ? 1 : 0) + (this.#tsAt > -Infinity ? 1 : 0);
  }

  set(d: Record<string, unknown>, seq: number): void {
    this.#bids.set(d.bids, seq);
    this.#asks.set(d.asks, seq);
    if (typeof d.checksum === 'number') (this.#checksum = d.checksum), (this.#checksumAt = seq);
    if (typeof d.ts === 'number') (this.#ts = d.ts), (this.#tsAt = seq);
  }

  /** As bookFromFields' 'delta': checksum and ts (0 when unchanged), each side only when it has levels. */
  since(seq: number): unknown {
    const d: BookDelta = { checksum: this.#checksumAt > seq ? this.#checksum : 0, ts: this.#tsAt > seq ? this.#ts : 0 };
    const bids = this.#bids.pick(seq, false, true);
    const asks = this.#asks.pick(seq, false, false);
    if (bids.length) d.bids = bids;
    if (asks.length) d.asks = asks;
    return d;
  }

  /** As bookFromFields' 'snapshot': both sides, sizes > 0. */
  all(): unknown {
    const set = (at: number, v: number) => (at > -Infinity ? v : 0);
    return { bids: this.#bids.pick(-Infinity, true, true), asks: this.#asks.pick(-Infinity, true, false), checksum: set(this.#checksumAt, this.#checksum), ts: set(this.#tsAt, this.#ts) };
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

  sweep(seq: number): number {
    let n = 0;
    for (const side of [this.#bids, this.#asks]) {
      if (side.zeros === 0) continue;
      for (let i = side.p.length - 1; i >= 0; i--) if (side.at[i]! < seq && side.q[i] === 0) side.remove(i), n++;
    }
    return n;
  }

  clear(): void {
    this.#bids = new Levels();
    this.#asks = new Levels();
    this.#checksum = this.#ts = NaN;
    this.#checksumAt = this.#tsAt = -Infinity;
  }
}
