/**
 * ROLE=all's StateSource: the market state of this process, one epoch drawn at start (a
 * restarted server is a new numbering: it keeps no state), and the recovery history fed with
 * every published batch. REST's snapshots read through `snapshot` too, so they carry the epoch.
 *
 * Lazy: nothing is snapshotted at start (that would read every symbol's back-fill). A stream's
 * history starts at its first event, from the position before it (seq 0, the state as of the
 * start, timed at the start), which answers every position exactly as a history reset from a
 * snapshot at start would: a recovery item holds only the fields changed after a position.
 */
import { isChannel, type Channel, type StreamPosition } from '../../shared/protocol.js';
import type { StateSource } from '../fanout/state-source.js';
import { History } from '../history/history.js';
import type { HistoryLimits, Recovery } from '../history/stream-history.js';
import type { MarketState } from '../market/market-state.js';
import type { StreamEvent, StreamSnapshot } from '../market/stream-event.js';

export class LocalSource implements StateSource {
  readonly epoch: string;
  readonly history: History;
  readonly #market: MarketState;
  readonly #now: () => number;
  /** When the market's seqs were 0 (construction): the time of every stream's position 0. */
  readonly #startMs: number;
  readonly #begin: (e: StreamEvent) => number | undefined;

  /**
   * `market` must be as of now with every seq at 0 (a fresh state); from here on every batch it
   * publishes goes through `record`. `_symbols` is no longer read (streams start lazily).
   */
  constructor(market: MarketState, _symbols: readonly string[], epoch: string, limits: HistoryLimits, now: () => number) {
    this.#market = market;
    this.epoch = epoch;
    this.#now = now;
    this.#startMs = now();
    this.history = new History(limits);
    // A stream's first event is seq 1: every batch comes through `record`, so the state before
    // it is the start's. (Any other first seq would be a stream not seen from the start: it is
    // skipped, so its positions are not recovered, rather than answered from a guess.)
    this.#begin = (e) => (e.seq === 1 ? this.#startMs : undefined);
  }

  isSymbol(symbol: string): boolean {
    return this.#market.has(symbol);
  }

  snapshot(symbol: string, ch: Channel): StreamSnapshot | undefined {
    const snap = this.#market.snapshot(symbol, ch);
    return snap && { ...snap, epoch: this.epoch };
  }

  /** A stream with no event yet is at seq 0, the current seq, which is always recovered (1.1 §2). */
  recover(p: StreamPosition, now: number): Recovery {
    if (!isChannel(p.ch) || this.history.get(p.s, p.ch)) return this.history.recover(p, now);
    const ok = this.history.limits.ms > 0 && p.epoch === this.epoch && p.seq === 0 && this.#market.seq(p.s, p.ch) === 0;
    return ok ? { ok: true } : { ok: false };
  }

  /** Records one published batch (call before the hub sees it, at the same moment). */
  record(events: readonly StreamEvent[]): void {
    const now = this.#now();
    for (const key of this.history.record(events, now, this.epoch, this.#begin)) {
      const [s, ch] = key.split('|') as [string, Channel];
      this.#reset(s, ch, now);
    }
  }

  #reset(s: string, ch: Channel, now: number): void {
    const snap = this.snapshot(s, ch);
    if (snap) this.history.reset(snap, this.epoch, now);
  }
}
