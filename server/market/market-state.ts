/**
 * Per-symbol market state on the feed side: ticker, recent trades, candles at every interval
 * and the order book's top-`bookDepth` window, each stream with its own `seq`. Pure: no timers,
 * no sockets, no clock; time comes in with each event.
 */
import { CANDLE_CHANNEL, INTERVALS, INTERVAL_NAMES, type BookDelta, type Candle, type Channel, type Interval, type Ticker, type Trade } from '../../shared/protocol.js';
import type { BookInit, MarketEvent, SymbolHistory } from './market-event.js';
import { BookState } from './book-state.js';
import { CandleSeries, CLOSE, HIGH, LOW, TIME, VOLUME } from './candle-series.js';
import { TradeRing } from './trade-ring.js';
import type { StreamEvent, StreamSnapshot } from './stream-event.js';
import { addSize, ASK, ASK_SIZE, BID, BID_SIZE, HIGH_, HISTORY_CAP, LAST, load, loadOlder, LOW_, OPEN, set, SNAPSHOT_TRADES, tickerOf, TS, VOL, type CandleStream, type SymbolState } from './symbol-state.js';

export { HISTORY_CAP, SNAPSHOT_TRADES } from './symbol-state.js';

export interface MarketStateOptions {
  /** Levels per side in the `book` channel (BOOK_DEPTH; default 20). */
  bookDepth?: number;
  /**
   * Quiet symbols (default: none): until a symbol's first snapshot, `apply` moves its state and
   * seqs but builds no events (no deltas, no book window or checksum). For a node whose every
   * client position comes from a snapshot (ROLE=all): nobody can hold state an event of an
   * unwatched symbol would apply to, and with 10,000 symbols most are never watched. A quiet
   * book (the symbol's, or its `book` stream's while only its other streams are watched) has
   * its changes counted, not applied: at the first snapshot of its `book` stream it is rebuilt
   * from `bookOf`, the source's whole book of the symbol as it stands (the book the events'
   * level changes describe). Keeping a second copy of every unwatched book cost a sixth of the
   * feed's time at 10,000 symbols.
   */
  quiet?: { bookOf: (symbol: string) => BookInit };
}

/** An empty book's state, for symbols without one (CRC32 of the empty string is 0). */
const EMPTY_BOOK = { bids: [], asks: [], checksum: 0, ts: 0 };

/** The optional starting sequence numbers of one symbol (a restarted feed continues them). */
export type SeqStart = Partial<Record<Channel, number>>;

export class MarketState {
  readonly #symbols = new Map<string, SymbolState>();
  readonly bookDepth: number;
  /** Set for quiet symbols (MarketStateOptions.quiet). */
  readonly #bookOf: ((symbol: string) => BookInit) | undefined;

  constructor(opts: MarketStateOptions = {}) {
    this.bookDepth = opts.bookDepth ?? 20;
    this.#bookOf = opts.quiet?.bookOf;
  }

  /**
   * Adds a symbol from its back-filled history (with `h.book`, the whole book of the source).
   * A history with `asOf` is read lazily: its `bars` and `session` only when the symbol is first
   * asked for (snapshot, candles). Until then the ticker's session fields and the candles hold
   * the live events only, so those streams' items carry partial values; no client can hold
   * state they would apply to (every client starts from a snapshot, which reads the history
   * first), and the state after reading is what reading it at once would have given.
   * `h` is the market state's from here: its `book` is dropped once read into the book state
   * (a lazy history is kept until read, and 10,000 symbols' levels as pairs are 800,000 objects
   * that every full GC would mark).
   */
  addSymbol(symbol: string, h: SymbolHistory, seqs: SeqStart = {}): void {
    const lazy = h.asOf !== undefined;
    const candles = {} as Record<Interval, CandleStream>;
    for (const iv of INTERVAL_NAMES) {
      const series = new CandleSeries(HISTORY_CAP[iv]);
      if (!lazy) for (const c of h.bars[iv]) series.push(c);
      candles[iv] = { series, seq: seqs[`candles:${iv}`] ?? 0 };
    }
    const lastTs = lazy ? Math.floor(h.asOf! / 1000) * 1000 : (h.bars['1s'].at(-1)?.time ?? 0) * 1000;
    const session = lazy ? { open: h.last, high: h.last, low: h.last, volume: 0 } : h.session;
    const q = h.quote;
    this.#symbols.set(symbol, {
      ticker: Float64Array.of(h.last, q.bid, q.ask, q.bidSize, q.askSize, session.open, session.high, session.low, session.volume, lastTs),
      tickerSeq: seqs.ticker ?? 0,
      trades: new TradeRing(SNAPSHOT_TRADES),
      tradesSeq: seqs.trades ?? 0,
      candles,
      book: h.book ? new BookState(h.book, this.bookDepth, lastTs) : undefined,
      bookSeq: seqs.book ?? 0,
      bookStale: false,
      bookTs: lastTs,
      pending: lazy ? h : undefined,
      older: undefined,
      watched: !this.#bookOf,
      bookWatched: !this.#bookOf,
    });
    h.book = undefined;
  }

  /** Whether the symbol's history has been read, its head at least (always, for a history without `asOf`). */
  loaded(symbol: string): boolean {
    return this.#symbols.get(symbol)?.pending === undefined;
  }

  /** Whether the symbol's whole history has been read, its bars before the head included. */
  complete(symbol: string): boolean {
    const st = this.#symbols.get(symbol);
    return st?.pending === undefined && st?.older === undefined;
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
      if (st.bookWatched) bookDelta = book.apply(e.book, e.ts);
      else if (e.book.bids.length + e.book.asks.length > 0) {
        ++st.bookSeq;
        st.bookStale = true;
        st.bookTs = e.ts;
      }
    }
    const t = st.ticker;
    const d: Record<string, number> | undefined = loud ? {} : undefined;
    // A stale book's touch is the event's quote (the source's touch after the event: the same numbers).
    if (book && !st.bookStale && book.bids.p.length && book.asks.p.length) {
      set(t, BID, book.bids.p[0]!, d, 'bid');
      set(t, ASK, book.asks.p[0]!, d, 'ask');
      set(t, BID_SIZE, book.bids.q[0]!, d, 'bidSize');
      set(t, ASK_SIZE, book.asks.q[0]!, d, 'askSize');
    } else {
      set(t, BID, e.quote.bid, d, 'bid');
      set(t, ASK, e.quote.ask, d, 'ask');
      set(t, BID_SIZE, e.quote.bidSize, d, 'bidSize');
      set(t, ASK_SIZE, e.quote.askSize, d, 'askSize');
    }
    const trade = e.trade;
    const sweep = e.sweep;
    const prints = trade ? 1 + (sweep ? sweep.length : 0) : 0;
    if (trade) {
      let volume = t[VOL]!;
      for (let i = 0; i < prints; i++) {
        const p = i === 0 ? trade : sweep![i - 1]!;
        volume = addSize(volume, p.size);
        if (p.price > t[HIGH_]!) set(t, HIGH_, p.price, d, 'high');
        if (p.price < t[LOW_]!) set(t, LOW_, p.price, d, 'low');
      }
      set(t, LAST, prints > 1 ? sweep![prints - 2]!.price : trade.price, d, 'last');
      set(t, VOL, volume, d, 'volume');
    }
    t[TS] = e.ts;
    if (d) {
      d.ts = e.ts;
      out.push({ s: e.symbol, ch: 'ticker', seq: ++st.tickerSeq, d });
    } else ++st.tickerSeq;
    // The book's d is levels, not flat fields: the fan-out's field codec maps it (book-fields.ts).
    if (bookDelta) out.push({ s: e.symbol, ch: 'book', seq: ++st.bookSeq, d: bookDelta as unknown as Record<string, number> });
    if (trade) {
      for (let i = 0; i < prints; i++) {
        const p = i === 0 ? trade : sweep![i - 1]!;
        const id = ++st.tradesSeq;
        st.trades.push(id, p.price, p.size, p.side, e.ts, p.xid);
        if (loud) out.push({ s: e.symbol, ch: 'trades', seq: id, d: p.xid === undefined ? { id, price: p.price, size: p.size, side: p.side, ts: e.ts } satisfies Trade : { id, price: p.price, size: p.size, side: p.side, ts: e.ts, xid: p.xid } });
        for (let k = 0; k < INTERVAL_NAMES.length; k++) {
          const iv = INTERVAL_NAMES[k]!;
          const c = this.#candle(e.symbol, iv, st.candles[iv], p.price, p.size, e.ts, loud);
          if (c) out.push(c);
        }
      }
    }
    return out;
  }

  /** Moves one interval's open bar; its change as an event when `loud`. */
  #candle(symbol: string, iv: Interval, cs: CandleStream, price: number, size: number, ts: number, loud: boolean): StreamEvent | undefined {
    const len = INTERVALS[iv];
    const time = Math.floor(ts / 1000 / len) * len;
    const s = cs.series;
    ++cs.seq;
    // lastAt is NaN when empty: no comparison holds, so the first trade opens a bar.
    if (!(time <= s.lastAt(TIME))) {
      s.pushBar(time, price, price, price, price, size);
      return loud ? { s: symbol, ch: CANDLE_CHANNEL[iv], seq: cs.seq, d: { time, open: price, high: price, low: price, close: price, volume: size } } : undefined;
    }
    // A late event for an older bar still counts in the open bar: bars never go back in time.
    const volume = addSize(s.lastAt(VOLUME), size);
    s.setLast(CLOSE, price);
    s.setLast(VOLUME, volume);
    const d: Record<string, number> | undefined = loud ? { close: price, volume } : undefined;
    if (price > s.lastAt(HIGH)) {
      s.setLast(HIGH, price);
      if (d) d.high = price;
    }
    if (price < s.lastAt(LOW)) {
      s.setLast(LOW, price);
      if (d) d.low = price;
    }
    return d && { s: symbol, ch: CANDLE_CHANNEL[iv], seq: cs.seq, d };
  }

  /** The whole state of one stream with its seq, or undefined for an unknown symbol. Watches a quiet symbol from here on. */
  snapshot(symbol: string, ch: Channel): StreamSnapshot | undefined {
    const st = this.#loaded(symbol);
    if (!st) return undefined;
    st.watched = true;
    // The book is kept up only once its own stream is watched (its window and checksum are the
    // costliest part of an event, and most clients watch tickers).
    if (ch === 'book' && !st.bookWatched) {
      st.bookWatched = true;
      if (st.bookStale) st.book = new BookState(this.#bookOf!(symbol), this.bookDepth, st.bookTs);
      st.bookStale = false;
    }
    if (ch === 'ticker') return { s: symbol, ch, seq: st.tickerSeq, d: tickerOf(st.ticker) };
    if (ch === 'trades') return { s: symbol, ch, seq: st.tradesSeq, d: st.trades.tail(SNAPSHOT_TRADES) };
    if (ch === 'book') {
      const d = st.book ? st.book.snapshot() : { ...EMPTY_BOOK, ts: st.ticker[TS]! };
      return { s: symbol, ch, seq: st.bookSeq, d: d as unknown as Record<string, number> };
    }
    const cs = st.candles[ch.slice(8) as Interval];
    return { s: symbol, ch, seq: cs.seq, d: { ...(cs.series.last() ?? { time: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 }) } };
  }

  /** Whether the symbol's events are built (a quiet symbol's are not: MarketStateOptions.quiet). */
  watched(symbol: string): boolean {
    return this.#symbols.get(symbol)?.watched ?? false;
  }

  /**
   * Makes a watched symbol quiet again (quiet states only; false otherwise): its events are no
   * longer built, and its book is rebuilt from the source at its next snapshot, as at the first.
   * For a symbol nobody holds a position of any more: its seqs move on, events unseen.
   */
  unwatch(symbol: string): boolean {
    const st = this.#symbols.get(symbol);
    if (!st || !st.watched || !this.#bookOf) return false;
    st.watched = false;
    if (st.book && st.bookWatched) {
      st.bookStale = true;
      st.bookTs = st.book.ts;
    }
    st.bookWatched = false;
    return true;
  }

  /**
   * The newest `limit` bars of one interval, oldest first (the last one may be open). A lazy
   * history's older bars are read in only when fewer than `limit` bars are held.
   */
  candles(symbol: string, iv: Interval, limit: number): Candle[] | undefined {
    const st = this.#loaded(symbol);
    if (st?.older && limit > st.candles[iv].series.length) loadOlder(st);
    return st?.candles[iv].series.tail(limit);
  }
}
