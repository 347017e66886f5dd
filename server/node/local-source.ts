/**
 * ROLE=all's StateSource: the market state of this process, one epoch drawn at start (a
 * restarted server is a new numbering: it keeps no state), and the recovery history fed with
 * every published batch. REST's snapshots read through `snapshot` too, so they carry the epoch.
 */
import { CHANNELS, type Channel, type StreamPosition } from '../../shared/protocol.js';
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

  /** Starts every stream's history at the market's current state. */
  constructor(market: MarketState, symbols: string[], epoch: string, limits: HistoryLimits, now: () => number) {
    this.#market = market;
    this.epoch = epoch;
    this.#now = now;
    this.history = new History(limits);
    const t = now();
    for (const s of symbols) for (const ch of CHANNELS) this.#reset(s, ch, t);
  }

  isSymbol(symbol: string): boolean {
    return this.#market.has(symbol);
  }

  snapshot(symbol: string, ch: Channel): StreamSnapshot | undefined {
    const snap = this.#market.snapshot(symbol, ch);
    return snap && { ...snap, epoch: this.epoch };
  }

  recover(p: StreamPosition, now: number): Recovery {
    return this.history.recover(p, now);
  }

  /** Records one published batch (call before the hub sees it, at the same moment). */
  record(events: readonly StreamEvent[]): void {
    const now = this.#now();
    for (const key of this.history.record(events, now, this.epoch)) {
      const [s, ch] = key.split('|') as [string, Channel];
      this.#reset(s, ch, now);
    }
  }

  #reset(s: string, ch: Channel, now: number): void {
    const snap = this.snapshot(s, ch);
    if (snap) this.history.reset(snap, this.epoch, now);
  }
}
