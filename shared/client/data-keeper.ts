/**
 * Applies a connection's data messages to the store by the protocol's rules and the client's
 * repair policy: a `prev` mismatch or a book failing its checksum is a gap, reported once and
 * repaired by one snapshot request (repeated after SNAPSHOT_RETRY_MS if none came); every
 * book state is checked (BookChecks). Emits `change`, `gap` and `latency`.
 */
import type { BookState } from '../book.js';
import { streamKey, type Channel, type SnapshotMsg, type UpdateMsg } from '../protocol.js';
import { BookChecks } from './book-checks.js';
import type { Emitter } from './emitter.js';
import type { StreamStore } from './stream-store.js';
import type { ClientEvents, GapReason, TransportKind } from './types.js';

/** A gap's snapshot request is repeated if its snapshot has not come within this long (ms). */
const SNAPSHOT_RETRY_MS = 5000;
const BOOK: Channel = 'book';

export interface KeeperPort {
  events: Emitter<ClientEvents>;
  /** Whether the stream is still asked for (items of others are skipped). */
  wants(symbol: string, ch: Channel): boolean;
  /** Sends a `snapshot` request over the live link (dropped when there is none). */
  requestSnapshot(symbols: string[], ch: Channel): void;
  /** Protocol 1.2: market time now (a replay's clock; absent: the wall clock), told the newest `ts` seen first. */
  marketNow?(now: number, newestTs: number): number;
}

export class DataKeeper {
  readonly checks = new BookChecks();
  readonly #store: StreamStore;
  readonly #p: KeeperPort;
  /** Streams with a snapshot requested after a gap, and when. */
  readonly #pending = new Map<string, number>();
  /** Books with a snapshot requested after a checksum mismatch, and when: at most one per SNAPSHOT_RETRY_MS each. */
  readonly #checksumAsked = new Map<string, number>();

  constructor(store: StreamStore, p: KeeperPort) {
    this.#store = store;
    this.#p = p;
  }

  /** A new connection: earlier requests are void. */
  reset(): void {
    this.#pending.clear();
  }

  /** The stream is no longer asked for: its state and requests go. */
  forget(symbol: string, ch: Channel): void {
    this.#store.delete(symbol, ch);
    this.#pending.delete(streamKey(symbol, ch));
    this.#checksumAsked.delete(streamKey(symbol, ch));
  }

  /** The decimals came (`/api/symbols`'s body): books held for a check are checked, wrong ones repaired. */
  decimals(body: unknown, now: number): void {
    const bad = this.checks.setInfo(body).filter((s) => this.#brokenBook(s, now));
    if (bad.length) this.#p.requestSnapshot(bad, BOOK);
  }

  /** One `snapshot` or `update` message, received at `now`. */
  data(m: SnapshotMsg | UpdateMsg, size: number, transport: TransportKind, now: number): void {
    let newestTs: number | undefined;
    const gaps = new Map<Channel, string[]>();
    const gap = (s: string, ch: Channel) => gaps.set(ch, [...(gaps.get(ch) ?? []), s]);
    for (const item of m.items) {
      if (!this.#p.wants(item.s, item.ch)) continue;
      const ts = sourceTime(item.d);
      if (ts !== undefined && (newestTs === undefined || ts > newestTs)) newestTs = ts;
      let applied: { seq: number; state: unknown };
      if (m.type === 'snapshot') {
        applied = this.#store.applySnapshot(item);
        this.#pending.delete(streamKey(item.s, item.ch));
      } else {
        const it = item as UpdateMsg['items'][number];
        const r = this.#store.applyUpdate(it);
        if (!r.ok) {
          const reason = this.#store.get(item.s, item.ch)?.broken ? 'checksum' : 'prev';
          if (this.#gap(item.s, item.ch, r.have, reason === 'prev' ? it.prev : -1, now, reason)) gap(item.s, item.ch);
          continue;
        }
        applied = r;
      }
      this.#p.events.emit('change', { symbol: item.s, channel: item.ch, seq: applied.seq, kind: m.type, state: applied.state, delta: item.d, t: m.t, receivedAt: now });
      if (item.ch === BOOK && this.checks.check(item.s, applied.state as BookState) === 'mismatch' && this.#brokenBook(item.s, now)) gap(item.s, BOOK);
    }
    for (const [ch, symbols] of gaps) this.#p.requestSnapshot(symbols, ch);
    this.#p.events.emit('latency', { transport, transportMs: now - m.t, ...(newestTs !== undefined ? { ageMs: (this.#p.marketNow?.(now, newestTs) ?? now) - newestTs } : {}), bytes: size, items: m.items.length });
  }

  /**
   * A book failed its checksum: its updates are refused until a snapshot; true when one should
   * be requested. A book whose snapshots keep failing (decimals that disagree with the
   * server's) asks again at most every SNAPSHOT_RETRY_MS, never in a loop.
   */
  #brokenBook(symbol: string, now: number): boolean {
    const st = this.#store.get(symbol, BOOK);
    if (!st || !this.#p.wants(symbol, BOOK)) return false;
    this.#store.markBroken(symbol, BOOK);
    const key = streamKey(symbol, BOOK);
    const last = this.#checksumAsked.get(key);
    if (last !== undefined && now - last < SNAPSHOT_RETRY_MS) {
      this.#pending.set(key, last);
      return false;
    }
    this.#checksumAsked.set(key, now);
    return this.#gap(symbol, BOOK, st.seq, -1, now, 'checksum');
  }

  /** Records a gap; true when a snapshot should be requested (none asked for recently). */
  #gap(symbol: string, channel: Channel, have: number | undefined, prev: number, now: number, reason: GapReason): boolean {
    const key = streamKey(symbol, channel);
    const asked = this.#pending.get(key);
    if (asked !== undefined && now - asked < SNAPSHOT_RETRY_MS) return false;
    this.#pending.set(key, now);
    this.#p.events.emit('gap', { symbol, channel, have: have ?? -1, prev, reason });
    return true;
  }
}

/** The source time `ts` of an item's data: a state's `ts`, or the newest trade's. */
function sourceTime(d: unknown): number | undefined {
  const last = Array.isArray(d) ? d[d.length - 1] : d;
  const ts = (last as { ts?: unknown } | undefined)?.ts;
  return typeof ts === 'number' ? ts : undefined;
}
