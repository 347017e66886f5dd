/**
 * The market data a message carries (`d` of each channel, the symbol list, the market clock):
 * PROTOCOL.md's data shapes. Types only; protocol.ts re-exports them with the messages.
 */
export interface Ticker {
  last: number;
  bid: number;
  ask: number;
  bidSize: number;
  askSize: number;
  /** Session open, high, low and volume. */
  open: number;
  high: number;
  low: number;
  volume: number;
  /** Source event time, ms since epoch. */
  ts: number;
}

export interface Trade {
  id: number;
  price: number;
  size: number;
  side: 'buy' | 'sell';
  ts: number;
  /** 1.2: a recorded trade's own id at its source. */
  xid?: string;
}

/** A bar; `time` is its open time in seconds since epoch. */
export interface Candle {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** One book level: [price, size]; in an update, size 0 means the level is gone. */
export type BookLevel = [price: number, size: number];
/**
 * A `book` state (snapshot `d`): the top `hello.book.depth` levels of each side, best first
 * (bids highest first, asks lowest first), every size > 0; `checksum` as in shared/book-checksum.ts.
 */
export interface BookData {
  bids: BookLevel[];
  asks: BookLevel[];
  checksum: number;
  ts: number;
}
/** A `book` update's `d`: the levels changed since `prev`, best first, 0 = removed; checksum and ts of the result. */
export interface BookDelta {
  bids?: BookLevel[];
  asks?: BookLevel[];
  checksum: number;
  ts: number;
}

export interface SymbolInfo {
  symbol: string;
  name: string;
  kind: 'equity' | 'etf' | 'crypto' | 'fx';
  decimals: number;
  tickSize: number;
  currency: string;
  /** Book sizes are multiples of 10^-sizeDecimals (protocol 1.1). */
  sizeDecimals?: number;
  /** 1.2: the recording's exchange name (replay). */
  exchange?: string;
  /** 1.2: where the symbol's data comes from. */
  source?: 'sim' | 'replay';
}

/** 1.2 section 2: a replay's speed, market ms per wall ms, or as fast as the server can send. */
export type ReplaySpeed = number | 'max';
/** 1.2 section 2: the market clock (`hello.clock`, the `clock` message, GET /api/replay). */
export type MarketClock =
  | { mode: 'live' }
  | {
      mode: 'replay';
      speed: ReplaySpeed;
      /** Market time (ms since epoch) at `t` (the message's, or hello's). */
      at: number;
      paused: boolean;
      ended: boolean;
      /** First and last market times of the recording. */
      from: number;
      to: number;
      /** Extension (PROTOCOL.md): in `hello.clock`, whether this connection holds the replay right. */
      control?: boolean;
    };
