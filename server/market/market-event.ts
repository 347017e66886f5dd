/**
 * What the market state takes in: one symbol's events (quote, trades, book changes) and its
 * history as live events begin. Feeds produce them (feed/tick-source.ts); the market state, the
 * recorder and the feed node's Redis store read them.
 */
import type { CandleSeries } from './candle-series.js';
import type { Candle, Interval } from '../../shared/protocol.js';

export interface Quote {
  bid: number;
  ask: number;
  bidSize: number;
  askSize: number;
}

export interface TradePrint {
  price: number;
  size: number;
  side: 'buy' | 'sell';
  /** A recorded trade's own id at its source (protocol 1.2: `xid`). */
  xid?: string;
}

/** Book levels, [price, size] (prices on the tick grid, sizes multiples of 10^-sizeDecimals). */
export interface BookLevels {
  bids: [price: number, size: number][];
  asks: [price: number, size: number][];
}

/** A symbol's whole simulated book (every level the feed keeps, best first) and its number formats. */
export interface BookInit extends BookLevels {
  decimals: number;
  sizeDecimals: number;
}

/**
 * One ticker event for one symbol: the quote after the event and, when the event was a trade,
 * the trade (which moves `last` and `volume`). Prices are already rounded to the tick size.
 * With a book, `quote` is the book's touch after the event and every print was at a best level.
 */
export interface MarketEvent {
  symbol: string;
  /** Source event time, ms since epoch. */
  ts: number;
  quote: Quote;
  trade?: TradePrint;
  /** A trade that walked the book: the prints after `trade`, each at the next level. */
  sweep?: TradePrint[];
  /** Levels the event changed, each with its new size (0: gone), in no particular order. */
  book?: BookLevels;
}

/** What a symbol looks like when live events begin: history, quote, last price, session. */
export interface SymbolHistory {
  /** Bars oldest first, per interval; the last bar of each may still be open. */
  bars: Record<Interval, Candle[]>;
  quote: Quote;
  last: number;
  session: { open: number; high: number; low: number; volume: number };
  /** The book as of the last event (at the start: as live events begin); `quote` is its touch. */
  book?: BookInit;
  /**
   * The bars of one interval, oldest first, as fields: what `bars` holds without a Candle object
   * per bar (a first watch reads thousands). Optional: readers fall back to `bars`.
   */
  eachBar?(iv: Interval, push: (time: number, open: number, high: number, low: number, close: number, volume: number) => void): void;
  /**
   * The bars of one interval as the candle series the market state keeps, when they were built
   * with the back-fill (off the event loop): the reader adopts it; undefined after the first
   * call, or when there is none (then `eachBar`).
   */
  takeSeries?(iv: Interval): CandleSeries | undefined;
  /**
   * The newest bar of each interval (the one still open at `asOf`), as `bars` ends. With
   * `session` and `last`, what a first read needs: the bars before it are then read (`bars`,
   * `takeSeries`, `eachBar`) only when older bars are asked for. Optional: without it a first
   * read takes the whole history.
   */
  openBars?(): Record<Interval, Candle>;
  /**
   * When the history ends (ms since epoch). When set, `bars` and `session` may be computed on
   * first read (the market state then reads them only when the symbol is first asked for).
   */
  asOf?: number;
}
