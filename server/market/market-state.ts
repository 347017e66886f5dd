/**
 * Per-symbol market state on the feed side: ticker, recent trades, candles at every interval
 * and the order book's top-`bookDepth` window, each stream with its own `seq`. Pure: no timers,
 * no sockets, no clock; time comes in with each event.
 */
import { INTERVALS, INTERVAL_NAMES, type Candle, type Channel, type Interval, type Ticker, type Trade } from '../../shared/protocol.js';
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
}

export interface MarketStateOptions {
  /** Levels per side in the `book` channel (BOOK_DEPTH; default 20). */
  bookDepth?: number;
}

/** An empty book's state, for symbols without one (CRC32 of the empty string is 0). */
const EMPTY_BOOK = { bids: [], asks: [], checksum: 0, ts: 0 };

/** Sums of fractional sizes (crypto) without float noise such as 0.30000000000000004. */
const addSize = (a: number, b: number): number => Math.round((a + b) * 1e8) / 1e8;

/** The optional starting sequence numbers of one symbol (a restarted feed continues them). */
export type SeqStart = Partial<Record<Channel, number>>;

export class MarketState {
  readonly #symbols = new Map<string, SymbolState>();
  readonly bookDepth: number;

  constructor(opts: MarketStateOptions = {}) {
    this.bookDepth = opts.bookDepth ?? 20;
  }

  /** Adds a symbol from its back-filled history (with `h.book`, the whole book of the source). */
  addSymbol(symbol: string, h: SymbolHistory, seqs: SeqStart = {}): void {
    const candles = {} as Record<Interval, CandleStream>;
    for (const iv of INTERVAL_NAMES) {
      const series = new CandleSeries(HISTORY_CAP[iv]);
      for (const c of h.bars[iv]) series.push(c);
      candles[iv] = { series, bar: series.last(), seq: seqs[`candles:${iv}`] ?? 0 };
    }
    const lastTs = (h.bars['1s'].at(-1)?.time ?? 0) * 1000;
    this.#symbols.set(symbol, {
      ticker: { last: h.last, ...h.quote, ...h.session, ts: lastTs },
      tickerSeq: seqs.ticker ?? 0,
      trades: [],
      tradesSeq: seqs.trades ?? 0,
      candles,
      book: h.book ? new BookState(h.book, this.bookDepth, lastTs) : undefined,
      bookSeq: seqs.book ?? 0,
    });
  }

  has(symbol: string): boolean {
    return this.#symbols.has(symbol);
  }

  /**
   * Applies one source event and returns the changes it made, one per stream it touched (a
   * trade that walked the book gives one `trades` and candle change per print). With a book,
   * the ticker's bid/ask and sizes are the book's touch after the event.
   */
  apply(e: MarketEvent, out: StreamEvent[] = []): StreamEvent[] {
    const st = this.#symbols.get(e.symbol);
    if (!st) return out;
    const book = st.book;
    const bookDelta = book && e.book ? book.apply(e.book, e.ts) : undefined;
    const t = st.ticker;
    const d: Record<string, number> = {};
    const set = (k: keyof Ticker, v: number) => {
      if (t[k] !== v) {
        t[k] = v;
        d[k] = v;
      }
    };
    if (book && book.bids.p.length && book.asks.p.length) {
      set('bid', book.bids.p[0]!);
      set('ask', book.asks.p[0]!);
      set('bidSize', book.bids.q[0]!);
      set('askSize', book.asks.q[0]!);
    } else {
      set('bid', e.quote.bid);
      set('ask', e.quote.ask);
      set('bidSize', e.quote.bidSize);
      set('askSize', e.quote.askSize);
    }
    const prints = e.trade ? (e.sweep ? [e.trade, ...e.sweep] : [e.trade]) : undefined;
    if (prints) {
      let volume = t.volume;
      for (const p of prints) {
        volume = addSize(volume, p.size);
        if (p.price > t.high) set('high', p.price);
        if (p.price < t.low) set('low', p.price);
      }
      set('last', prints[prints.length - 1]!.price);
      set('volume', volume);
    }
    t.ts = e.ts;
    d.ts = e.ts;
    out.push({ s: e.symbol, ch: 'ticker', seq: ++st.tickerSeq, d });
    // The book's d is levels, not flat fields: the fan-out's field codec maps it (book-fields.ts).
    if (bookDelta) out.push({ s: e.symbol, ch: 'book', seq: ++st.bookSeq, d: bookDelta as unknown as Record<string, number> });
    if (prints) {
      for (const p of prints) {
        const trade: Trade = { id: st.tradesSeq + 1, price: p.price, size: p.size, side: p.side, ts: e.ts };
        st.trades.push(trade);
        out.push({ s: e.symbol, ch: 'trades', seq: ++st.tradesSeq, d: trade });
        for (const iv of INTERVAL_NAMES) out.push(this.#candle(e.symbol, iv, st.candles[iv], p.price, p.size, e.ts));
      }
      if (st.trades.length > TRADES_KEPT * 1.5) st.trades.splice(0, st.trades.length - TRADES_KEPT);
    }
    return out;
  }

  #candle(symbol: string, iv: Interval, cs: CandleStream, price: number, size: number, ts: number): StreamEvent {
    const len = INTERVALS[iv];
    const time = Math.floor(ts / 1000 / len) * len;
    const ch: Channel = `candles:${iv}`;
    const bar = cs.bar;
    if (!bar || time > bar.time) {
      const nb: Candle = { time, open: price, high: price, low: price, close: price, volume: size };
      cs.bar = nb;
      cs.series.push(nb);
      return { s: symbol, ch, seq: ++cs.seq, d: { ...nb } };
    }
    // A late event for an older bar still counts in the open bar: bars never go back in time.
    const d: Record<string, number> = { close: price, volume: addSize(bar.volume, size) };
    bar.close = price;
    bar.volume = d.volume;
    if (price > bar.high) d.high = bar.high = price;
    if (price < bar.low) d.low = bar.low = price;
    cs.series.replaceLast(bar);
    return { s: symbol, ch, seq: ++cs.seq, d };
  }

  /** The whole state of one stream with its seq, or undefined for an unknown symbol. */
  snapshot(symbol: string, ch: Channel): StreamSnapshot | undefined {
    const st = this.#symbols.get(symbol);
    if (!st) return undefined;
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
    return this.#symbols.get(symbol)?.candles[iv].series.tail(limit);
  }
}
