/**
 * The hub's stream table: one record per stream in use, who subscribes to it (ref-counted per
 * symbol, so a gateway can release a symbol nobody holds), events applied to the records, and
 * pruning of records nobody subscribes to after a linger. No sessions, no sockets, no timers:
 * the hub calls `prune(now)` on its beat.
 */
import type { Channel } from '../../shared/protocol.js';
import type { StreamEvent, StreamSnapshot } from '../market/stream-event.js';
import type { StateSource } from './state-source.js';
import type { Sub } from './session.js';
import { StreamRecord } from './stream-record.js';

/** Removed fields a record may keep before the beat prunes those no subscriber needs. */
const TOMBSTONE_SLACK = 64;

export class StreamTable {
  readonly #source: StateSource;
  readonly #lingerMs: number;
  readonly #records = new Map<string, StreamRecord<Sub>>();
  /** The same records by symbol, then channel: publish finds them without building a key. */
  readonly #bySymbol = new Map<string, Map<Channel, StreamRecord<Sub>>>();
  readonly #symbolUsers = new Map<string, number>();
  /**
   * What the beat looks at, so that it never walks every record (70,000 with 10,000 symbols
   * watched on every channel: some 14 ms a beat): records nobody subscribes to (lingering), and
   * book records (the only ones that keep tombstones).
   */
  readonly #idle = new Set<StreamRecord<Sub>>();
  readonly #books = new Set<StreamRecord<Sub>>();

  /** `lingerMs`: how long a record nobody subscribes to is kept. */
  constructor(source: StateSource, lingerMs: number) {
    this.#source = source;
    this.#lingerMs = lingerMs;
  }

  get size(): number {
    return this.#records.size;
  }

  /** The record of a stream, created from the source's snapshot on first use; `now` starts its linger. */
  record(symbol: string, ch: Channel, now: number): StreamRecord<Sub> {
    const key = `${symbol}|${ch}`;
    let rec = this.#records.get(key);
    if (!rec) {
      rec = new StreamRecord<Sub>(symbol, ch);
      const snap = this.#source.snapshot(symbol, ch);
      if (snap) rec.reset(snap);
      rec.idleSince = now;
      this.#idle.add(rec);
      if (ch === 'book') this.#books.add(rec);
      this.#records.set(key, rec);
      let chs = this.#bySymbol.get(symbol);
      if (!chs) this.#bySymbol.set(symbol, (chs = new Map()));
      chs.set(ch, rec);
    }
    return rec;
  }

  /** Every stream that has a record (a new epoch resyncs them all). */
  streams(): [symbol: string, ch: Channel][] {
    return [...this.#records.values()].map((r) => [r.s, r.ch]);
  }

  /** The record if it exists (never creates one). */
  existing(symbol: string, ch: Channel): StreamRecord<Sub> | undefined {
    return this.#bySymbol.get(symbol)?.get(ch);
  }

  /** Whether any stream record of this symbol exists (subscribed, or lingering after its last use). */
  inUse(symbol: string): boolean {
    return this.#bySymbol.has(symbol);
  }

  /** Whether any session subscribes to a stream of this symbol. */
  held(symbol: string): boolean {
    return (this.#symbolUsers.get(symbol) ?? 0) > 0;
  }

  attach(sub: Sub): void {
    if (sub.rec.subs.has(sub)) return;
    sub.rec.subs.add(sub);
    sub.rec.idleSince = 0;
    this.#idle.delete(sub.rec);
    if (sub.throttle === 0) sub.rec.keepEvents();
    this.#symbolUsers.set(sub.rec.s, (this.#symbolUsers.get(sub.rec.s) ?? 0) + 1);
  }

  detach(sub: Sub, now: number): void {
    if (!sub.rec.subs.delete(sub)) return;
    if (sub.rec.subs.size === 0) (sub.rec.idleSince = now), this.#idle.add(sub.rec);
    const n = (this.#symbolUsers.get(sub.rec.s) ?? 1) - 1;
    if (n > 0) return void this.#symbolUsers.set(sub.rec.s, n);
    this.#symbolUsers.delete(sub.rec.s);
    this.#source.release?.(sub.rec.s);
  }

  /**
   * Applies events; calls `changed` once per event that moved a record. A skipped seq or
   * another epoch re-reads the stream from the source: never a partial delta under a new seq.
   */
  publish(events: readonly StreamEvent[], changed: (rec: StreamRecord<Sub>) => void): void {
    // A market event's changes come together, one symbol's in a row: its records are looked up once.
    let sym: string | undefined;
    let chs: Map<Channel, StreamRecord<Sub>> | undefined;
    for (const e of events) {
      if (e.s !== sym) (sym = e.s), (chs = this.#bySymbol.get(sym));
      const rec = chs?.get(e.ch);
      if (!rec) continue;
      const r = e.epoch !== undefined && e.epoch !== rec.epoch ? 'gap' : rec.apply(e);
      if (r === 'ok') changed(rec);
      else if (r === 'gap') {
        const snap = this.#source.snapshot(e.s, e.ch);
        if (snap && (snap.epoch !== rec.epoch || snap.seq > rec.seq)) {
          rec.reset(snap);
          changed(rec);
        }
      }
    }
  }

  /** Replaces a stream's whole state (a re-read, a new epoch, a lower seq included); false when no record. */
  resync(snap: StreamSnapshot): StreamRecord<Sub> | undefined {
    const rec = this.#records.get(`${snap.s}|${snap.ch}`);
    if (!rec) return undefined;
    rec.reset(snap);
    return rec;
  }

  /** Drops the records nobody subscribed to for `lingerMs`, and a book's tombstones no subscriber needs. Returns how many records went. */
  prune(now: number): number {
    for (const rec of this.#books) {
      if (rec.tombstones <= TOMBSTONE_SLACK) continue;
      let upTo = rec.seq;
      for (const sub of rec.subs) if (sub.sent < upTo) upTo = sub.sent;
      rec.pruneTombstones(upTo);
    }
    let n = 0;
    for (const rec of this.#idle) {
      if (rec.subs.size || now - rec.idleSince < this.#lingerMs) continue;
      this.#idle.delete(rec);
      this.#books.delete(rec);
      this.#records.delete(rec.key);
      const chs = this.#bySymbol.get(rec.s);
      chs?.delete(rec.ch);
      if (chs?.size === 0) this.#bySymbol.delete(rec.s);
      n++;
    }
    return n;
  }
}
