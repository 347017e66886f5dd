/**
 * ROLE=all's StateSource: the market state of this process, one epoch drawn at start (a
 * restarted server is a new numbering: it keeps no state), and the recovery history fed with
 * every published batch. REST's snapshots read through `snapshot` too, so they carry the epoch.
 *
 * Lazy: a stream's history starts when its first position is handed out, that is, at its first
 * snapshot (WebSocket, SSE or REST: every position a client can hold comes from one, or from
 * updates that follow one). Until then nobody can hold a position to resume from, so its events
 * are not kept: with 10,000 symbols and a few watched, only the watched streams cost history.
 * Nothing is read at start either (that would compute every symbol's back-fill).
 */
import { isChannel, type Channel, type StreamPosition } from '../../shared/protocol.js';
import type { StateSource } from '../fanout/state-source.js';
import { History } from '../history/history.js';
import type { HistoryLimits, Recovery } from '../history/stream-history.js';
import type { MarketState } from '../market/market-state.js';
import type { StreamEvent, StreamSnapshot } from '../market/stream-event.js';
import type { Warmup } from './warmup.js';

export class LocalSource implements StateSource {
  readonly epoch: string;
  readonly history: History;
  readonly #market: MarketState;
  readonly #now: () => number;
  /** Watched symbols by when a snapshot of theirs was last handed out (see quietIdle). */
  readonly #lastUse = new Map<string, number>();
  /** First-touch back-fills off the event loop (absent: computed at the first snapshot). */
  warmup?: Warmup;

  /**
   * `market` must be as of now with every seq at 0 (a fresh state); from here on every batch it
   * publishes goes through `record`.
   */
  constructor(market: MarketState, epoch: string, limits: HistoryLimits, now: () => number) {
    this.#market = market;
    this.epoch = epoch;
    this.#now = now;
    this.history = new History(limits);
  }

  isSymbol(symbol: string): boolean {
    return this.#market.has(symbol);
  }

  cold(symbol: string): boolean {
    return this.warmup?.cold(symbol) ?? false;
  }

  warm(symbols: string[], owner: object, inline?: number): Promise<void> {
    return this.warmup?.warm(symbols, owner, inline) ?? Promise.resolve();
  }

  /** The stream's state in this epoch; the first one handed out starts the stream's history. */
  snapshot(symbol: string, ch: Channel): StreamSnapshot | undefined {
    const snap = this.#market.snapshot(symbol, ch);
    if (!snap) return undefined;
    this.#lastUse.set(symbol, this.#now());
    const out = { ...snap, epoch: this.epoch };
    if (this.history.limits.ms > 0 && !this.history.get(symbol, ch)) this.history.reset(out, this.epoch, this.#now());
    return out;
  }

  /**
   * A stream nobody has had a snapshot of holds no history: only its current seq 0 (no event
   * yet) is recovered (1.1 §2); any other position there was never handed out, so it gets a snapshot.
   */
  recover(p: StreamPosition, now: number): Recovery {
    if (!isChannel(p.ch) || this.history.get(p.s, p.ch)) return this.history.recover(p, now);
    const ok = this.history.limits.ms > 0 && p.epoch === this.epoch && p.seq === 0 && this.#market.seq(p.s, p.ch) === 0;
    return ok ? { ok: true } : { ok: false };
  }

  /**
   * Watching ends: every watched symbol not `inUse` (no stream record: nobody subscribes, nothing
   * lingers) whose last snapshot is `afterMs` old or more goes quiet again, its recovery history
   * dropped (a position of it is then answered with a snapshot). Returns how many went quiet.
   */
  quietIdle(now: number, afterMs: number, inUse: (symbol: string) => boolean): number {
    let n = 0;
    for (const [s, at] of this.#lastUse) if (now - at >= afterMs && this.#quiet(s, inUse)) n++;
    return n;
  }

  /** Quiets these symbols now unless `inUse` (a REST read ends its symbols' watch with its answer). */
  quietNow(symbols: readonly string[], inUse: (symbol: string) => boolean): void {
    for (const s of symbols) if (this.#lastUse.has(s)) this.#quiet(s, inUse);
  }

  #quiet(s: string, inUse: (symbol: string) => boolean): boolean {
    if (inUse(s)) return false;
    this.#lastUse.delete(s);
    this.history.drop(s);
    return this.#market.unwatch(s);
  }

  /** Records one published batch into the started streams (call before the hub sees it, at the same moment). */
  record(events: readonly StreamEvent[]): void {
    const now = this.#now();
    for (const key of this.history.record(events, now, this.epoch)) {
      const [s, ch] = key.split('|') as [string, Channel];
      const snap = this.#market.snapshot(s, ch);
      if (snap) this.history.reset({ ...snap, epoch: this.epoch }, this.epoch, now);
    }
  }
}
