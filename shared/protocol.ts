/**
 * Protocol v1: the wire contract shared by the server, the web app, the client and tests.
 * See PROTOCOL.md. Types here describe decoded messages; the codec lives in codec.ts.
 */
import type { BookData, BookDelta, Candle, MarketClock, Ticker, Trade } from './market-data.js';

export const PROTOCOL_VERSION = 1;
/** `hello.minor`: 1 on a server that speaks any 1.1 addition (protocol-v1.1.md). */
export const PROTOCOL_MINOR = 2;

/** Candle intervals served, shortest first, with their length in seconds. */
export const INTERVALS = { '1s': 1, '1m': 60, '5m': 300, '1h': 3600 } as const;
export type Interval = keyof typeof INTERVALS;
export const INTERVAL_NAMES = Object.keys(INTERVALS) as Interval[];

export type Channel = 'ticker' | 'trades' | `candles:${Interval}` | 'book';
/** `book` (protocol 1.1 section 3) is a state channel too: its fields are price levels. */
/** Each interval's candles channel, one string per name: code that makes events per trade names them from here, not with a template per event. */
export const CANDLE_CHANNEL = Object.fromEntries(INTERVAL_NAMES.map((i) => [i, `candles:${i}`])) as Readonly<Record<Interval, `candles:${Interval}`>>;
export const CHANNELS: readonly Channel[] = ['ticker', 'trades', ...INTERVAL_NAMES.map((i) => CANDLE_CHANNEL[i]), 'book'];
export const isChannel = (c: unknown): c is Channel => typeof c === 'string' && (CHANNELS as readonly string[]).includes(c);
/** State channels conflate field by field; `trades` is an event channel. */
export const isStateChannel = (c: Channel): boolean => c !== 'trades';

export const ERROR_CODES = [
  'bad_request',
  'unknown_symbol',
  'unknown_channel',
  'limit_exceeded',
  'rate_limited',
  'unauthorized',
  'slow_consumer',
  // 1.1
  'forbidden',
  'token_expired',
  'unavailable',
  // 1.2
  'not_found',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const CLOSE = {
  goingAway: 1001,
  unsupportedData: 1003,
  policy: 1008,
  tooBig: 1009,
  internal: 1011,
  tryAgainLater: 1013,
} as const;

export type { BookData, BookDelta, BookLevel, Candle, MarketClock, ReplaySpeed, SymbolInfo, Ticker, Trade } from './market-data.js';

export interface Limits {
  symbols: number;
  throttle: { min: number; max: number };
  rate: number;
  payload: number;
}

// ---- client -> server
export interface SubscribeMsg {
  type: 'subscribe';
  id?: number;
  symbols: string[];
  channels?: string[];
  throttle?: number;
  /** 1.1: the positions the client holds, for recovery. */
  since?: StreamPosition[];
}
/** 1.1: a client's position in one stream. */
export interface StreamPosition {
  s: string;
  ch: string;
  epoch: string;
  seq: number;
}
/** 1.1: one stream named in `subscribed.recovered` / `unrecovered`. */
export interface StreamName {
  s: string;
  ch: Channel;
}
export interface UnsubscribeMsg {
  type: 'unsubscribe';
  id?: number;
  symbols: string[];
  channels?: string[];
}
export interface SnapshotRequestMsg {
  type: 'snapshot';
  id?: number;
  symbols: string[];
  channels?: string[];
}
export interface PingMsg {
  type: 'ping';
  id?: number;
  t?: number;
}
/** 1.1 section 4: a new token for this connection, sent before `hello.expires`. */
export interface RefreshMsg {
  type: 'refresh';
  id?: number;
  token: string;
}
export type ClientMessage = SubscribeMsg | UnsubscribeMsg | SnapshotRequestMsg | PingMsg | RefreshMsg;

// ---- server -> client
export interface HelloMsg {
  type: 'hello';
  v: number;
  session: string;
  t: number;
  heartbeat: number;
  channels: Channel[];
  limits: Limits;
  /** Protocol 1.1: the `book` channel's levels per side. */
  book?: { depth: number };
  /** SSE only: the POST path for control messages. */
  control?: string;
  /** 1.1 */
  minor?: number;
  /** 1.1 sections 1-2: the recovery window (HISTORY_MS, HISTORY_TRADES). */
  history?: { ms: number; trades: number };
  /** 1.1 section 4: when this connection's token expires, ms since epoch (JWT only). */
  expires?: number;
  /** 1.2 section 2: the market clock (absent: live). */
  clock?: MarketClock;
}
/** 1.1 section 4: the answer to `refresh`. */
export interface RefreshedMsg {
  type: 'refreshed';
  id?: number;
  /** The new token's expiry, ms since epoch (absent for a static token). */
  expires?: number;
  t: number;
}
export interface SubscribedMsg {
  type: 'subscribed';
  id?: number;
  symbols: string[];
  channels: Channel[];
  throttle: number;
  /** 1.1, with `since`: the positions resumed, and those answered with a snapshot. */
  recovered?: StreamName[];
  unrecovered?: StreamName[];
  t: number;
}
export interface UnsubscribedMsg {
  type: 'unsubscribed';
  id?: number;
  symbols: string[];
  channels: Channel[];
  t: number;
}
export interface SnapshotItem {
  ch: Channel;
  s: string;
  seq: number;
  /** 1.1: the numbering this seq belongs to. */
  epoch?: string;
  /** The whole state: Ticker, Candle, or Trade[] (newest last). */
  d: unknown;
}
export interface UpdateItem {
  ch: Channel;
  s: string;
  seq: number;
  prev: number;
  /** State channels: the fields changed since `prev`. Trades: the trades after `prev`, oldest first. */
  d: unknown;
  dropped?: number;
}
export interface SnapshotMsg {
  type: 'snapshot';
  t: number;
  items: SnapshotItem[];
}
export interface UpdateMsg {
  type: 'update';
  t: number;
  items: UpdateItem[];
}
/** 1.2 section 2: the replay clock changed other than by running (pause, resume, seek, speed, loop, end). */
export type ClockMsg = Extract<MarketClock, { mode: 'replay' }> & { type: 'clock'; t: number };
export interface HeartbeatMsg {
  type: 'heartbeat';
  t: number;
}
export interface PongMsg {
  type: 'pong';
  id?: number;
  echo?: number;
  t: number;
}
export interface ErrorMsg {
  type: 'error';
  id?: number;
  code: ErrorCode;
  message: string;
  symbols?: string[];
  /** Extension: the channels refused, with `unknown_channel`. */
  channels?: string[];
  t: number;
}
export type ServerMessage =
  | HelloMsg
  | SubscribedMsg
  | UnsubscribedMsg
  | SnapshotMsg
  | UpdateMsg
  | HeartbeatMsg
  | PongMsg
  | ErrorMsg
  | RefreshedMsg
  | ClockMsg;

/** Key of one stream: `${symbol}|${channel}`. */
export const streamKey = (symbol: string, channel: Channel): string => `${symbol}|${channel}`;
