/**
 * Per-symbol market state on the feed side: ticker, recent trades, candles at every interval
 * and the order book's top-`bookDepth` window, each stream with its own `seq`. Pure: no timers,
 * no sockets, no clock; time comes in with each event.
 */
import { INTERVALS, INTERVAL_NAMES, type BookDelta, type Candle, type Channel, type Interval, type Ticker, type Trade } from '../../shared/protocol.js';
import type { MarketEvent, SymbolHistory } from '../feed/tick-source.js';
import { BookState } from './book-state.js';
import { CandleSeries } from './candle-series.js';
import type { StreamEvent, StreamSnapshot } from './stream-event.js';

/** Bars kept per interval: an hour of 1s, two days of 1m, a week of 5m, a month of 1h. */
export const HISTORY_CAP: Record<Interval, number> = { '1s': 3600, '1m': 2880, '5m': 2016, '1h': 720 };
/** Recent trades kept per symbol; a `trades` snapshot carries the newest SNAPSHOT_TRADES. */
export const TRADES_KEPT = 200;
export const SNAPSHOT_TRADES = 50;

interface CandleStream {
  series: CandleSeries;
  /** The open bar: the series' newest, held open (CandleSeries.openLast), updated in place. */
  bar: Candle | undefined;
  seq: number;
}

interface SymbolState {
  ticker: Ticker;
  tickerSeq: number;
  trades: Trade[];
  tradesSeq: number;
  candles: Record<Interval, CandleStream>;
  /** Absent when the source has no book for the symbol (its `book` stream stays empty). */
  book: BookState | undefined;
  bookSeq: number;
  /**
   * A lazy history not read yet (see addSymbol): meanwhile the ticker's open/high/low/volume
   * and the candle series hold the live part only.
   */
  pending: SymbolHistory | undefined;
  /** Whether its events are built (see MarketStateOptions.quiet); set for good by its first snapshot. */
  watched: boolean;
}

export interface MarketStateOptions {
  /** Levels per side in the `book` channel (BOOK_DEPTH; default 20). */
  bookDepth?: number;
  /**
   * Quiet symbols (default false): until a symbol's first snapshot, `apply` moves its state and
   * seqs but builds no events (no deltas, no book window or checksum). For a node whose every
   * client position comes from a snapshot (ROLE=all): nobody can hold state an event of an
   * unwatched symbol would apply to, and with 10,000 symbols most are never watched.
   */
  quiet?: boolean;
}

/** Where a quiet symbol's field changes go: written, never read. */
const SCRATCH: Record<string, number> = {};

/** An empty book's state, for symbols without one (CRC32 of the empty string is 0). */
const EMPTY_BOOK = { bids: [], asks: [], checksum: 0, ts: 0 };

/** Sums of fractional sizes (crypto) without float noise such as 0.30000000000000004. */
const addSize = (a: number, b: number): number => Math.round((a + b) * 1e8) / 1e8;

/** Sets a ticker field and records it in the event's `d` when it changed. */
function set(t: Ticker, d: Record<string, number>, k: keyof Ticker, v: number): void {
  if (t[k] !== v) {
    t[k] = v;
    d[k] = v;
  }
}

/** The optional starting sequence numbers of one symbol (a restarted feed continues them). */
export type SeqStart = Partial<Record<Channel, number>>;

export class MarketState {
  readonly #symbols = new Map<string, SymbolState>();
  readonly bookDepth: number;
  readonly #quiet: boolean;

  constructor(opts: MarketStateOptions = {}) {
    this.bookDepth = opts.bookDepth ?? 20;
    this.#quiet = opts.quiet ?? false;
  }

  /**
   * Adds a symbol from its back-filled history (with `h.book`, the whole book of the source).
   * A history with `asOf` is read lazily: its `bars` and `session` only when the symbol is first
   * asked for (snapshot, candles). Until then the ticker's session fields and the candles hold
   * the live events only, so those streams' items carry partial values; no client can hold
   * state they would apply to (every client starts from a snapshot, which reads the history
   * first), and the state after reading is what reading it at once would have given.
   */
  addSymbol(symbol: string, h: SymbolHistory, seqs: SeqStart = {}): void {
    const lazy = h.asOf !== undefined;
    const candles = {} as Record<Interval, CandleStream>;
    for (const iv of INTERVAL_NAMES) {
      const series = new CandleSeries(HISTORY_CAP[iv]);
      if (!lazy) for (const c of h.bars[iv]) series.push(c);
      candles[iv] = { series, bar: series.openLast(), seq: seqs[`candles:${iv}`] ?? 0 };
    }
    const lastTs = lazy ? Math.floor(h.asOf! / 1000) * 1000 : (h.bars['1s'].at(-1)?.time ?? 0) * 1000;
    const session = lazy ? { open: h.last, high: h.last, low: h.last, volume: 0 } : h.session;
    this.#symbols.set(symbol, {
      ticker: { last: h.last, ...h.quote, ...session, ts: lastTs },
      tickerSeq: seqs.ticker ?? 0,
      trades: [],
      tradesSeq: seqs.trades ?? 0,
      candles,
      book: h.book ? new BookState(h.book, this.bookDepth, lastTs) : undefined,
      bookSeq: seqs.book ?? 0,
      pending: lazy ? h : undefined,
      watched: !this.#quiet,
    });
  }

  /** Whether the symbol's history has been read (always, for a history without `asOf`). */
  loaded(symbol: string): boolean {
    return this.#symbols.get(symbol)?.pending === undefined;
  }

  /** The symbol's state with its history read in (undefined for an unknown symbol). */
  #loaded(symbol: string): SymbolState | undefined {
    const st = this.#symbols.get(symbol);
    if (st?.pending) load(st);
    return st;
  }

  has(symbol: string): boolean {
    return this.#symbols.has(symbol);
  }

  /** The stream's current seq without reading a lazy history (undefined for an unknown symbol). */
  seq(symbol: string, ch: Channel): number | undefined {
    const st = this.#symbols.get(symbol);
    if (!st) return undefined;
    if (ch === 'ticker') return st.tickerSeq;
    if (ch === 'trades') return st.tradesSeq;
    if (ch === 'book') return st.bookSeq;
    return st.candles[ch.slice(8) as Interval].seq;
  }

  /**
   * Applies one source event and returns the changes it made, one per stream it touched (a
   * trade that walked the book gives one `trades` and candle change per print). With a book,
   * the ticker's bid/ask and sizes are the book's touch after the event. A quiet symbol's
   * state and seqs move the same, but it returns no changes.
   */
  apply(e: MarketEvent, out: StreamEvent[] = []): StreamEvent[] {
    const st = this.#symbols.get(e.symbol);
    if (!st) return out;
    const book = st.book;
    const loud = st.watched;
    let bookDelta: BookDelta | undefined;
    if (book && e.book) {
      if (loud) bookDelta = book.apply(e.book, e.ts);
      else if (book.applyQuiet(e.book, e.ts)) ++st.bookSeq;
    }
    const t = st.ticker;
    const d: Record<string, number> = loud ? {} : SCRATCH;
    if (book && book.bids.p.length && book.asks.p.length) {
      set(t, d, 'bid', book.bids.p[0]!);
      set(t, d, 'ask', book.asks.p[0]!);
      set(t, d, 'bidSize', book.bids.q[0]!);
      set(t, d, 'askSize', book.asks.q[0]!);
    } else {
      set(t, d, 'bid', e.quote.bid);
      set(t, d, 'ask', e.quote.ask);
      set(t, d, 'bidSize', e.quote.bidSize);
      set(t, d, 'askSize', e.quote.askSize);
    }
    const trade = e.trade;
    const sweep = e.sweep;
    const prints = trade ? 1 + (sweep ? sweep.length : 0) : 0;
    if (trade) {
      let volume = t.volume;
      for (let i = 0; i < prints; i++) {
        const p = i === 0 ? trade : sweep![i - 1]!;
        volume = addSize(volume, p.size);
        if (p.price > t.high) set(t, d, 'high', p.price);
        if (p.price < t.low) set(t, d, 'low', p.price);
      }
      set(t, d, 'last', prints > 1 ? sweep![prints - 2]!.price : trade.price);
      set(t, d, 'volume', volume);
    }
    t.ts = e.ts;
    d.ts = e.ts;
    if (loud) out.push({ s: e.symbol, ch: 'ticker', seq: ++st.tickerSeq, d });
    else ++st.tickerSeq;
    // The book's d is levels, not flat fields: the fan-out's field codec maps it (book-fields.ts).
    if (bookDelta) out.push({ s: e.symbol, ch: 'book', seq: ++st.bookSeq, d: bookDelta as unknown as Record<string, number> });
    if (trade) {
      for (let i = 0; i < prints; i++) {
        const p = i === 0 ? trade : sweep![i - 1]!;
        const tr: Trade = { id: st.tradesSeq + 1, price: p.price, size: p.size, side: p.side, ts: e.ts };
        st.trades.push(tr);
        ++st.tradesSeq;
        if (loud) out.push({ s: e.symbol, ch: 'trades', seq: st.tradesSeq, d: tr });
        for (let k = 0; k < INTERVAL_NAMES.length; k++) {
          const iv = INTERVAL_NAMES[k]!;
          const c = this.#candle(e.symbol, iv, st.candles[iv], p.price, p.size, e.ts, loud);
          if (c) out.push(c);
        }
      }
      if (st.trades.length > TRADES_KEPT * 1.5) st.trades.splice(0, st.trades.length - TRADES_KEPT);
    }
    return out;
  }

  /** Moves one interval's open bar; its change as an event when `loud`. */
  #candle(symbol: string, iv: Interval, cs: CandleStream, price: number, size: number, ts: number, loud: boolean): StreamEvent | undefined {
    const len = INTERVALS[iv];
    const time = Math.floor(ts / 1000 / len) * len;
    const ch: Channel = `candles:${iv}`;
    const bar = cs.bar;
    if (!bar || time > bar.time) {
      const nb: Candle = { time, open: price, high: price, low: price, close: price, volume: size };
      cs.bar = nb;
      cs.series.pushOpen(nb); // the series reads the open bar from `nb`, updated below in place
      ++cs.seq;
      return loud ? { s: symbol, ch, seq: cs.seq, d: { ...nb } } : undefined;
    }
    // A late event for an older bar still counts in the open bar: bars never go back in time.
    bar.close = price;
    bar.volume = addSize(bar.volume, size);
    const d: Record<string, number> = loud ? { close: price, volume: bar.volume } : SCRATCH;
    if (price > bar.high) d.high = bar.high = price;
    if (price < bar.low) d.low = bar.low = price;
    ++cs.seq;
    return loud ? { s: symbol, ch, seq: cs.seq, d } : undefined;
  }

  /** The whole state of one stream with its seq, or undefined for an unknown symbol. Watches a quiet symbol from here on. */
  snapshot(symbol: string, ch: Channel): StreamSnapshot | undefined {
    const st = this.#loaded(symbol);
    if (!st) return undefined;
    if (!st.watched) {
      st.watched = true;
      st.book?.publishQuiet();
    }
    if (ch === 'ticker') return { s: symbol, ch, seq: st.tickerSeq, d: { ...st.ticker } };
    if (ch === 'trades') return { s: symbol, ch, seq: st.tradesSeq, d: st.trades.slice(-SNAPSHOT_TRADES) };
    if (ch === 'book') {
      const d = st.book ? st.book.snapshot() : { ...EMPTY_BOOK, ts: st.ticker.ts };
      return { s: symbol, ch, seq: st.bookSeq, d: d as unknown as Record<string, number> };
    }
    const cs = st.candles[ch.slice(8) as Interval];
    return { s: symbol, ch, seq: cs.seq, d: { ...(cs.bar ?? { time: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 }) } };
  }

  /** The newest `limit` bars of one interval, oldest first (the last one may be open). */
  candles(symbol: string, iv: Interval, limit: number): Candle[] | undefined {
    return this.#loaded(symbol)?.candles[iv].series.tail(limit);
  }
}

/**
 * Reads a pending history into `st`: the session under the live extremes and volume, the
 * history's bars under the live ones (the history's open bar and the first live bar of the
 * same period become one bar).
 */
function load(st: SymbolState): void {
  const h = st.pending!;
  st.pending = undefined;
  const t = st.ticker;
  const s = h.session;
  t.open = s.open;
  t.high = Math.max(s.high, t.high);
  t.low = Math.min(s.low, t.low);
  t.volume = addSize(s.volume, t.volume);
  for (const iv of INTERVAL_NAMES) {
    const cs = st.candles[iv];
    const live = cs.series.tail(cs.series.length);
    const past = h.bars[iv];
    const series = new CandleSeries(HISTORY_CAP[iv]);
    const open = past.at(-1);
    const first = live[0];
    const merge = open !== undefined && first !== undefined && first.time === open.time;
    for (let i = 0; i < past.length - (merge ? 1 : 0); i++) series.push(past[i]!);
    if (merge) {
      live[0] = { time: open.time, open: open.open, high: Math.max(open.high, first.high), low: Math.min(open.low, first.low), close: first.close, volume: addSize(open.volume, first.volume) };
    }
    for (const c of live) series.push(c);
    cs.series = series;
    cs.bar = series.openLast();
  }
}
