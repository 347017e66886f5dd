/**
 * The public surface of MarketClient (implemented in market-client.ts): what the dashboard,
 * the CLI and third-party TypeScript code program against. No DOM in the core.
 */
import type { Channel, ErrorMsg } from '../protocol.js';
import type { ClientClock } from './market-clock.js';

export type { ClientClock } from './market-clock.js';

export type TransportKind = 'ws' | 'sse';
export type TransportChoice = TransportKind | 'auto';

export type ClientStatus =
  | { state: 'connecting'; url: string; transport: TransportKind }
  | { state: 'live'; url: string; transport: TransportKind; fallback: boolean }
  | { state: 'reconnecting'; attempt: number; delayMs: number; reason: string }
  | { state: 'closed' };

export interface ClientOptions {
  /** One or more server base URLs (http(s)://host:port); the client moves to the next when one is down. */
  urls: string | string[];
  transport?: TransportChoice;
  /** Node 20: pass `ws`'s WebSocket and `eventsource`'s EventSource; browsers have both. */
  WebSocket?: unknown;
  EventSource?: unknown;
  /** Reconnect backoff: full jitter between 0 and min(maxDelayMs, baseDelayMs * 2^attempt). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /**
   * With `auto` on SSE fallback: how often to try WebSocket again (ms). The first retry after
   * a fallback comes after at most 2 s: a WebSocket that failed while the server was restarting
   * should not leave the client on SSE for a whole period.
   */
  wsRetryMs?: number;
  /** Client ping period for RTT (ms). */
  pingMs?: number;
  /** Token for servers that require one (sent as `?token=`, and as a Bearer header on SSE control POSTs and REST). */
  token?: string;
  /**
   * Called for every connection attempt for the token to use (instead of `token`), and again
   * before `hello.expires` to refresh the connection's token (a `refresh` message over
   * WebSocket, a control POST over SSE). After `token_expired` or a refused token the client
   * reconnects with a fresh one.
   */
  getToken?: () => string | Promise<string>;
  /** SSE control POSTs: a `fetch` implementation (default: the global one). */
  fetch?: unknown;
  /** How long a connection attempt may take to reach `hello` before it counts as failed (ms, default 10000). */
  connectTimeoutMs?: number;
  /** Trades kept per `trades` stream, newest last (default 200). */
  tradesKept?: number;
  /** Clock (ms since epoch) and randomness (in [0, 1)), injectable for tests. */
  now?: () => number;
  random?: () => number;
}

/** One applied change: the stream's new state after a snapshot or an update item. */
export interface StreamChange {
  symbol: string;
  channel: Channel;
  seq: number;
  kind: 'snapshot' | 'update';
  /** Ticker or Candle fields (the whole state), a BookState for `book`, or for `trades` the recent trades list. */
  state: unknown;
  /** For updates: the delta as received (`d`); for trades, the new trades. */
  delta: unknown;
  /** Server send time `t` of the message that carried it, and receive time, ms. */
  t: number;
  receivedAt: number;
}

export interface LatencySample {
  transport: TransportKind;
  /** now - t (ms), now - ts (ms) when the item has `ts`. */
  transportMs: number;
  ageMs?: number;
  bytes: number;
  items: number;
}

/**
 * Why a stream's state broke off: `prev` (an update did not chain on the seq held; a snapshot
 * was requested), `unrecovered` (after a reconnect the server could not resume from the
 * position held and sends a snapshot: what happened in between is lost), `checksum` (a book's
 * levels did not give the server's checksum; a snapshot was requested).
 */
export type GapReason = 'prev' | 'unrecovered' | 'checksum';

export interface GapInfo {
  symbol: string;
  channel: Channel;
  /** The seq held (-1: none). */
  have: number;
  /** The `prev` of the update that did not chain (-1 when the reason is not `prev`). */
  prev: number;
  reason: GapReason;
}

/** Counts of book states checked against their checksum since the client started. */
export interface BookCheckCounts {
  verified: number;
  mismatched: number;
  /** Not checkable: the symbol's decimals could not be had from `/api/symbols`. */
  unverified: number;
}

export interface ClientEvents {
  status: (s: ClientStatus) => void;
  change: (c: StreamChange) => void;
  /** A stream's state broke off (see GapReason); its next snapshot repairs it. */
  gap: (info: GapInfo) => void;
  /** After a reconnect, these streams resumed from the positions held: nothing was missed. */
  recovered: (info: { streams: { symbol: string; channel: Channel }[] }) => void;
  /** Per received data message. */
  latency: (s: LatencySample) => void;
  rtt: (ms: number) => void;
  error: (e: ErrorMsg) => void;
  /** Protocol 1.2: the market clock, from hello and every `clock` message (a replay paused, resumed, sought, sped up, looped, ended). */
  clock: (c: ClientClock) => void;
}

/** What `new MarketClient(options)` gives: it connects at once and keeps connecting until close(). */
export interface MarketClientApi {
  /** Adds a listener; returns the function that removes it. */
  on<E extends keyof ClientEvents>(event: E, fn: ClientEvents[E]): () => void;
  /** Adds or changes subscriptions; they survive reconnects. Default channels ['ticker'], throttle 0. */
  subscribe(symbols: string[], opts?: { channels?: Channel[]; throttle?: number }): void;
  /** Default channels: all of those symbols'. */
  unsubscribe(symbols: string[], channels?: Channel[]): void;
  /** The current state of a stream (Ticker, Candle, BookState or Trade[]), with its seq and epoch. */
  state<T = unknown>(symbol: string, channel: Channel): { seq: number; state: T; epoch?: string } | undefined;
  /** How many book states were checked against their checksum, and how they fared. */
  readonly bookChecks: BookCheckCounts;
  readonly status: ClientStatus;
  /** Protocol 1.2: the market clock (`{mode: 'live'}` on a live market or a 1.1 server). */
  readonly clock: ClientClock;
  /** Market time now, ms since epoch: the wall clock when live, the replay's position otherwise. */
  marketNow(): number;
  close(): void;
}
