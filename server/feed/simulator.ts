/**
 * The pure market engine: per-symbol price walks that start where the back-fill ends and turn
 * into quote and trade events. No timers, no clock: the caller passes event times and steps.
 */
import type { Candle } from '../../shared/protocol.js';
import type { Instrument, MarketEvent, SymbolHistory } from './tick-source.js';
import { backfill, perSecondVol, stepWalk, volMultiplier, type Backfill, type PackedBars, type WalkState } from './backfill.js';
import type { Microstructure } from './universe.js';
import type { Rng } from './rng.js';

export interface SimulatorOptions {
  /** Probability that an event carries a trade (default 0.5). */
  tradeProbability?: number;
  /** Trades per second behind the back-filled volumes (default 1). */
  backfillTradeRate?: number;
}

interface SymbolState {
  ms: Microstructure;
  rng: Rng;
  sigma: number;
  walk: WalkState;
  backfill: Backfill;
}

export class Simulator {
  readonly instruments: readonly Instrument[];
  readonly startMs: number;
  #bySymbol = new Map<string, Instrument>();
  #states = new Map<string, SymbolState>();
  #rng: Rng;
  #tradeProbability: number;
  #backfillTradeRate: number;

  /**
   * `startMs` is when history ends and live events begin. Each symbol draws from
   * `rng.fork(symbol)`, so a symbol's history and events depend only on the seed, the symbol
   * and the steps asked of it, not on other symbols.
   */
  constructor(instruments: readonly Instrument[], rng: Rng, startMs: number, opts: SimulatorOptions = {}) {
    this.instruments = instruments;
    this.startMs = startMs;
    this.#rng = rng;
    this.#tradeProbability = opts.tradeProbability ?? 0.5;
    this.#backfillTradeRate = opts.backfillTradeRate ?? 1;
    for (const inst of instruments) this.#bySymbol.set(inst.symbol, inst);
  }

  /**
   * The symbol's history up to startMs. The back-fill is computed once, on first use (by this
   * or `next`), and kept packed; each call returns fresh arrays, which the caller owns.
   * Throws on an unknown symbol.
   */
  history(symbol: string): SymbolHistory {
    return toHistory(this.#state(symbol).backfill);
  }

  /** The packed back-fill behind `history` (shared: do not mutate). Throws on an unknown symbol. */
  backfill(symbol: string): Backfill {
    return this.#state(symbol).backfill;
  }

  /**
   * Advances `symbol` by `dtMs` (<= 0: no price move) and returns its event stamped `ts`.
   * Every event carries a fresh quote; with probability `tradeProbability` it
   * also has a trade at the new ask (buy) or bid (sell), no larger than the size shown.
   * Throws on an unknown symbol.
   */
  next(symbol: string, ts: number, dtMs: number): MarketEvent {
    const st = this.#state(symbol);
    const { ms, rng, walk } = st;
    const x0 = walk.x;
    stepWalk(walk, st.sigma, dtMs / 1000, rng);
    const quote = ms.quote(Math.exp(walk.x), volMultiplier(walk.h), rng);
    const event: MarketEvent = { symbol, ts, quote };
    if (rng.next() < this.#tradeProbability) {
      // Aggressors lean with the move: buyers lift offers as the price rises.
      const pBuy = walk.x > x0 ? 0.7 : walk.x < x0 ? 0.3 : 0.5;
      const side = rng.next() < pBuy ? 'buy' : 'sell';
      const shown = side === 'buy' ? quote.askSize : quote.bidSize;
      event.trade = {
        price: side === 'buy' ? quote.ask : quote.bid,
        size: Math.min(ms.tradeSize(rng), shown),
        side,
      };
    }
    return event;
  }

  #state(symbol: string): SymbolState {
    let st = this.#states.get(symbol);
    if (st) return st;
    const inst = this.#bySymbol.get(symbol);
    if (!inst) throw new Error(`unknown symbol: ${symbol}`);
    const rng = this.#rng.fork(symbol);
    const filled = backfill(inst, rng, this.startMs, { tradeRate: this.#backfillTradeRate });
    st = {
      ms: filled.micro,
      rng,
      sigma: perSecondVol(inst.vol),
      walk: { ...filled.state }, // the live walk continues where the back-fill ends
      backfill: filled,
    };
    this.#states.set(symbol, st);
    return st;
  }
}

/** Candle objects from packed bars, oldest first (fresh objects: the caller owns them). */
export function unpack(bars: PackedBars, ms: Microstructure): Candle[] {
  const out: Candle[] = new Array(bars.count);
  const d = bars.data;
  for (let i = 0, o = 0; i < bars.count; i++, o += 5) {
    out[i] = {
      time: bars.time0 + i * bars.seconds,
      open: ms.fromTicks(d[o]),
      high: ms.fromTicks(d[o + 1]),
      low: ms.fromTicks(d[o + 2]),
      close: ms.fromTicks(d[o + 3]),
      volume: d[o + 4],
    };
  }
  return out;
}

/** The SymbolHistory view of a back-fill, with fresh candle arrays. */
export function toHistory(b: Backfill): SymbolHistory {
  const ms = b.micro;
  return {
    bars: { '1s': unpack(b.bars['1s'], ms), '1m': unpack(b.bars['1m'], ms), '5m': unpack(b.bars['5m'], ms), '1h': unpack(b.bars['1h'], ms) },
    quote: { ...b.quote },
    last: b.last,
    session: { ...b.session },
  };
}
