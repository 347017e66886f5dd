/**
 * The pure market engine: per-symbol price walks that start where the back-fill ends and turn
 * into quote and trade events. No timers, no clock: the caller passes event times and steps.
 */
import { INTERVAL_NAMES, type Candle, type Interval } from '../../shared/protocol.js';
import type { Instrument, MarketEvent, SymbolHistory } from './tick-source.js';
import { anchorState, backfillBars, backfillHead, endPrice, endState, perSecondVol, stepWalk, volMultiplier, type BackfillBars, type PackedBars, type WalkState } from './backfill.js';
import { microstructure, type Microstructure } from './universe.js';
import type { Rng } from './rng.js';
import { bookParams, OrderBook } from './order-book.js';
import { packHead, type HistoryRecipe, type HistoryPart, type PackedHead, type PackedHistory } from './history-job.js';
import { CandleSeries } from '../market/candle-series.js';

export interface SimulatorOptions {
  /** Probability that an event carries a trade (default 0.5). */
  tradeProbability?: number;
  /** Trades per second behind the back-filled volumes (default 1). */
  backfillTradeRate?: number;
  /** Levels per side the book publishes (BOOK_DEPTH, default 20); the simulation keeps a margin beyond. */
  bookDepth?: number;
}

/** Levels simulated per side for a published depth: enough beyond it for levels to enter and leave. */
export const bookLevelsFor = (depth: number): number => depth + Math.max(5, Math.ceil(depth / 2));

interface SymbolState {
  inst: Instrument;
  ms: Microstructure;
  rng: Rng;
  sigma: number;
  walk: WalkState;
  /** The walk's state at 00:00 UTC of startMs's day, which the history's path is anchored to. */
  anchor: WalkState;
  /** The walk's state at startMs, where the history ends and the live walk starts. */
  end: WalkState;
  /** The history's last price (a function of `end`). */
  last: number;
  book: OrderBook;
  /** 10^sizeDecimals: book units per unit of size. */
  unit: number;
  sizeDecimals: number;
  decimals: number;
  /** ms.fromTicks, bound once. */
  price: (ticks: number) => number;
}

export class Simulator {
  readonly instruments: readonly Instrument[];
  readonly startMs: number;
  /** Universe index by symbol. */
  #index = new Map<string, number>();
  /** Live state by universe index, made on first use. */
  #states: (SymbolState | undefined)[] = [];
  #rng: Rng;
  #tradeProbability: number;
  #backfillTradeRate: number;
  #bookLevels: number;
  /** Back-fills computed elsewhere (a worker: see history-job.ts), each taken by its first use. */
  #provided = new Map<string, PackedHistory>();
  /** Heads computed elsewhere, each taken by its first use. */
  #providedHeads = new Map<string, PackedHead>();

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
    this.#bookLevels = bookLevelsFor(opts.bookDepth ?? 20);
    instruments.forEach((inst, i) => this.#index.set(inst.symbol, i));
    this.#states = instruments.map(() => undefined); // packed, not holey: filled in any order
  }

  /**
   * The symbol's history up to startMs. `quote`, `last`, `book` and `asOf` are there at once;
   * `session` and `openBars` are computed when first read (about half a millisecond: see
   * backfillHead), `bars` when first read (about a millisecond more: see backfillBars), once
   * per returned object, so that thousands of symbols start without their histories. Each call
   * returns fresh arrays, which the caller owns. Throws on an unknown symbol.
   */
  history(symbol: string): SymbolHistory {
    const st = this.#state(symbol);
    const { ms, book, unit } = st;
    const level = ([t, q]: [number, number]): [number, number] => [ms.fromTicks(t), q / unit];
    const bids = book.levelsOf('bid').map(level);
    const asks = book.levelsOf('ask').map(level);
    let packed: BackfillBars | undefined;
    let bars: SymbolHistory['bars'] | undefined;
    const history = (): BackfillBars => (packed ??= this.backfill(symbol));
    let head: PackedHead | undefined;
    const headOf = (): PackedHead => (head ??= this.head(symbol));
    const h: SymbolHistory = {
      get bars() {
        return (bars ??= toBars(history()));
      },
      get session() {
        return { ...headOf().session };
      },

      quote: { bid: bids[0]![0], ask: asks[0]![0], bidSize: bids[0]![1], askSize: asks[0]![1] },
      last: st.last,
      book: { decimals: st.decimals, sizeDecimals: st.sizeDecimals, bids, asks },
      asOf: this.startMs,
    };
    // Not enumerable: a history compares (and copies) as its data.
    const eachBar: SymbolHistory['eachBar'] = (iv, push) => {
      const b = history().bars[iv];
      const d = b.data;
      for (let i = 0, o = 0; i < b.count; i++, o += 5) push(b.time0 + i * b.seconds, ms.fromTicks(d[o]), ms.fromTicks(d[o + 1]), ms.fromTicks(d[o + 2]), ms.fromTicks(d[o + 3]), d[o + 4]);
    };
    // A series built with a provided back-fill is adopted once (its storage moves to the reader).
    const takeSeries: SymbolHistory['takeSeries'] = (iv) => {
      const all = history().series;
      const st = all?.[iv];
      if (!st) return undefined;
      delete all[iv];
      return CandleSeries.from(st);
    };
    const openBars: SymbolHistory['openBars'] = () => {
      const open = {} as Record<Interval, Candle>;
      for (const iv of INTERVAL_NAMES) open[iv] = { ...headOf().open[iv] };
      return open;
    };
    Object.defineProperty(h, 'openBars', { value: openBars, enumerable: false });
    Object.defineProperty(h, 'takeSeries', { value: takeSeries, enumerable: false });
    return Object.defineProperty(h, 'eachBar', { value: eachBar, enumerable: false });
  }

  /**
   * The packed back-fill behind `history`, computed afresh on each call (the same every time:
   * from the seed, the symbol and startMs; a bar's values from the seed, the symbol, the UTC
   * day and its time only). Throws on an unknown symbol.
   */
  backfill(symbol: string): BackfillBars {
    const st = this.#state(symbol);
    const given = this.#provided.get(symbol);
    const own = () => backfillBars(st.inst, st.anchor, this.#rng.fork(symbol).fork('history'), this.startMs, { tradeRate: this.#backfillTradeRate });
    if (given) {
      this.#provided.delete(symbol);
      // Handed on without its bars (series only): computed here only if something reads them.
      return { get bars() { return (given.bars ??= own().bars); }, last: given.last, session: given.session, micro: st.ms, series: given.series };
    }
    return own();
  }

  /**
   * The head of the back-fill behind `history` (its newest bars, session and last price): a
   * provided head (taken), else a provided history's (left for its use), else computed.
   */
  head(symbol: string): PackedHead {
    const given = this.#providedHeads.get(symbol);
    if (given) return this.#providedHeads.delete(symbol), given;
    const full = this.#provided.get(symbol);
    if (full?.series) {
      const open = {} as Record<Interval, Candle>;
      for (const iv of INTERVAL_NAMES) open[iv] = CandleSeries.from(full.series[iv]).last()!;
      return { symbol, head: true, last: full.last, session: full.session, open };
    }
    const st = this.#state(symbol);
    return packHead(symbol, backfillHead(st.inst, st.anchor, this.#rng.fork(symbol).fork('history'), this.startMs, { tradeRate: this.#backfillTradeRate }));
  }

  /** What a back-fill depends on besides the symbol: historyOf(recipe, inst) equals backfill(symbol). */
  get recipe(): HistoryRecipe {
    return { simSeed: this.#rng.seed, startMs: this.startMs, tradeRate: this.#backfillTradeRate };
  }

  /**
   * Hands over a back-fill computed elsewhere (historyOf or headOf of this recipe): the next
   * `backfill` (or `head`) of the symbol takes it.
   */
  provide(h: PackedHistory | PackedHead): void {
    if (!this.#index.has(h.symbol)) return;
    if ('head' in h) this.#providedHeads.set(h.symbol, h);
    else this.#provided.set(h.symbol, h);
  }

  /** Whether a provided back-fill (or, for 'head', a provided head or back-fill) waits for its use. */
  provided(symbol: string, part: HistoryPart = 'full'): boolean {
    return this.#provided.has(symbol) || (part === 'head' && this.#providedHeads.has(symbol));
  }

  /** Sets up the symbol's live state (walk and book) now rather than on first use. Throws on an unknown symbol. */
  prepare(symbol: string): void {
    this.#state(symbol);
  }

  /**
   * Advances `symbol` by `dtMs` (<= 0: no price move) and returns its event stamped `ts`.
   * With probability `tradeProbability` the event starts with a market order against the book
   * as it was (the previous event's touch): a buy takes the best ask, a sell the best bid, and a
   * large one walks the next levels (`sweep`). Then the book follows the new mid and order flow
   * changes it near the touch. `quote` is the touch after all that; `book` lists the levels
   * changed. Throws on an unknown symbol.
   */
  next(symbol: string, ts: number, dtMs: number): MarketEvent {
    return this.nextAt(this.#indexOf(symbol), ts, dtMs);
  }

  /** `next` for the symbol at universe index `i` (the feed's timer knows it: no lookup by name). */
  nextAt(i: number, ts: number, dtMs: number): MarketEvent {
    const st = this.#states[i] ?? this.#make(i);
    const symbol = st.inst.symbol;
    const { ms, rng, walk, book, unit } = st;
    const x0 = walk.x;
    stepWalk(walk, st.sigma, dtMs / 1000, rng);
    const mid = Math.exp(walk.x);
    let prints = 0;
    let side: 'buy' | 'sell' = 'buy';
    if (rng.next() < this.#tradeProbability) {
      // Aggressors lean with the move: buyers lift offers as the price rises.
      const pBuy = walk.x > x0 ? 0.7 : walk.x < x0 ? 0.3 : 0.5;
      side = rng.next() < pBuy ? 'buy' : 'sell';
      prints = book.trade(side, Math.round(ms.tradeSize(rng) * unit));
    }
    // The prints stay in the book's scratch until its next trade (follow, flow and refill make none).
    const pt = book.printT;
    const pq = book.printQ;
    book.follow(mid * ms.ticksPerUnit, ms.spreadTicks(mid, volMultiplier(walk.h), rng), rng);
    book.flow(rng);
    book.refill(rng);
    const changes = book.takeChanges(st.price, unit);
    const bid = book.bids;
    const ask = book.asks;
    const quote = { bid: ms.fromTicks(bid.t[0]!), ask: ms.fromTicks(ask.t[0]!), bidSize: bid.q[0]! / unit, askSize: ask.q[0]! / unit };
    const event: MarketEvent = { symbol, ts, quote, book: changes };
    if (prints > 0) {
      event.trade = { price: ms.fromTicks(pt[0]!), size: pq[0]! / unit, side };
      for (let i = 1; i < prints; i++) (event.sweep ??= []).push({ price: ms.fromTicks(pt[i]!), size: pq[i]! / unit, side });
    }
    return event;
  }

  #indexOf(symbol: string): number {
    const i = this.#index.get(symbol);
    if (i === undefined) throw new Error(`unknown symbol: ${symbol}`);
    return i;
  }

  #state(symbol: string): SymbolState {
    const i = this.#indexOf(symbol);
    return this.#states[i] ?? this.#make(i);
  }

  #make(i: number): SymbolState {
    const inst = this.instruments[i]!;
    const symbol = inst.symbol;
    // The history draws from rng.fork('history') (see backfill): the live walk and the book
    // need only the end state, so the history can wait until something asks for it.
    const rng = this.#rng.fork(symbol);
    const anchor = anchorState(inst, rng);
    const end = endState(inst, anchor, rng.fork('history'), this.startMs);
    const ms = microstructure(inst);
    const mid = Math.exp(end.x);
    const book = new OrderBook(bookParams(ms, inst.sizeDecimals, mid, this.#bookLevels));
    book.init(mid * ms.ticksPerUnit, ms.spreadTicks(mid, volMultiplier(end.h), rng), rng);
    const st: SymbolState = {
      inst,
      ms,
      rng,
      sigma: perSecondVol(inst.vol),
      walk: { ...end }, // the live walk continues where the history ends
      anchor,
      end,
      last: endPrice(inst, end),
      book,
      unit: 10 ** inst.sizeDecimals,
      sizeDecimals: inst.sizeDecimals,
      decimals: inst.decimals,
      price: (t: number) => ms.fromTicks(t),
    };
    this.#states[i] = st;
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

/** Candle arrays from packed bars, per interval (fresh: the caller owns them). */
export function toBars(b: BackfillBars): SymbolHistory['bars'] {
  const ms = b.micro;
  return { '1s': unpack(b.bars['1s'], ms), '1m': unpack(b.bars['1m'], ms), '5m': unpack(b.bars['5m'], ms), '1h': unpack(b.bars['1h'], ms) };
}

/** The SymbolHistory view of a back-fill, with fresh candle arrays. */
export function toHistory(b: BackfillBars & { quote: SymbolHistory['quote'] }): SymbolHistory {
  return { bars: toBars(b), quote: { ...b.quote }, last: b.last, session: { ...b.session } };
}
