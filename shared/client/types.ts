/**
 * The public surface of MarketClient (implemented in market-client.ts): what the dashboard,
 * the CLI and third-party TypeScript code program against. No DOM in the core.
 */
import type { Channel, ErrorMsg } from '../protocol.js';

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
  /** With `auto` on SSE fallback: how often to try WebSocket again (ms). */
  wsRetryMs?: number;
  /** Client ping period for RTT (ms). */
  pingMs?: number;
  /** Token for servers that require one (sent as `?token=`, and as a Bearer header on SSE control POSTs). */
  token?: string;
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
  /** Ticker or Candle fields (the whole state), or for `trades` the recent trades list. */
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

export interface ClientEvents {
  status: (s: ClientStatus) => void;
  change: (c: StreamChange) => void;
  /** A `prev` mismatch was detected and a snapshot requested. */
  gap: (info: { symbol: string; channel: Channel; have: number; prev: number }) => void;
  /** Per received data message. */
  latency: (s: LatencySample) => void;
  rtt: (ms: number) => void;
  error: (e: ErrorMsg) => void;
}

/** What `new MarketClient(options)` gives: it connects at once and keeps connecting until close(). */
export interface MarketClientApi {
  /** Adds a listener; returns the function that removes it. */
  on<E extends keyof ClientEvents>(event: E, fn: ClientEvents[E]): () => void;
  /** Adds or changes subscriptions; they survive reconnects. Default channels ['ticker'], throttle 0. */
  subscribe(symbols: string[], opts?: { channels?: Channel[]; throttle?: number }): void;
  /** Default channels: all of those symbols'. */
  unsubscribe(symbols: string[], channels?: Channel[]): void;
  /** The current state of a stream (Ticker, Candle or Trade[]), with its seq. */
  state<T = unknown>(symbol: string, channel: Channel): { seq: number; state: T } | undefined;
  readonly status: ClientStatus;
  close(): void;
}
