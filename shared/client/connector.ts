/**
 * Keeps one live link to one of several servers: tries the URLs in turn, backs off with full
 * jitter once a whole round has failed, and in `auto` mode falls back from WebSocket to SSE on
 * the same server when WebSocket cannot connect, trying WebSocket again after at most
 * FIRST_WS_RETRY_MS (its failure may have been the outage a reconnect rides out, not a proxy
 * that blocks it), then every `wsRetryMs`.
 * A link is live once the server's `hello` arrives; one that stays silent for twice the
 * heartbeat is dropped. Knows nothing of subscriptions: its owner resubscribes on `live`.
 * With `getToken`, every attempt (and every WebSocket retry) asks it for the token to use, so
 * a reconnect after a refused or expired token carries a fresh one.
 */
import type { HelloMsg, ServerMessage } from '../protocol.js';
import { backoffDelay, nextAttempt } from './backoff.js';
import { sseEndpoint, wsEndpoint } from './endpoints.js';
import type { Link, LinkHandlers } from './link.js';
import { openSseLink, type EventSourceCtor, type FetchLike } from './sse-link.js';
import { linkAfterToken } from './token-link.js';
import type { ClientStatus, TransportChoice, TransportKind } from './types.js';
import { openWsLink, type WebSocketCtor } from './ws-link.js';

/** The first WebSocket retry after falling back to SSE comes after at most this, ms. */
export const FIRST_WS_RETRY_MS = 2000;

export interface ConnectorOptions {
  urls: string[];
  transport: TransportChoice;
  WebSocket?: WebSocketCtor;
  EventSource?: EventSourceCtor;
  fetch?: FetchLike;
  token?: string;
  getToken?: () => string | Promise<string>;
  baseDelayMs: number;
  maxDelayMs: number;
  wsRetryMs: number;
  connectTimeoutMs: number;
  now: () => number;
  random: () => number;
}

export interface ConnectorHooks {
  status(s: ClientStatus): void;
  /** A link is live (its hello arrived); it replaces any previous one. */
  live(link: Link, hello: HelloMsg): void;
  /** Every later message of the live link. */
  message(msg: ServerMessage, size: number, link: Link): void;
  /** The live link is gone; a reconnect is scheduled. */
  down(): void;
}

export class Connector {
  readonly #o: ConnectorOptions;
  readonly #h: ConnectorHooks;
  #link?: Link;
  #live = false;
  #probe?: Link;
  #urlIndex = 0;
  #failures = 0;
  /** WebSocket retries since the last fallback to SSE. */
  #wsRetries = 0;
  #closed = false;
  #lastRecv = 0;
  #silenceMs = 0;
  #connectTimer?: ReturnType<typeof setTimeout>;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #watchdog?: ReturnType<typeof setInterval>;

  constructor(o: ConnectorOptions, h: ConnectorHooks) {
    this.#o = o;
    this.#h = h;
  }

  start(): void {
    if (this.#closed || this.#link) return;
    this.#attempt(this.#firstKind());
  }

  /** Drops the live link (or the attempt under way) and reconnects at once, e.g. when its token expired. */
  reconnect(reason: string): void {
    const link = this.#link;
    if (this.#closed || !link) return;
    link.close();
    this.#failures = 0;
    this.#closedLink(link, reason, 0);
  }

  close(): void {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    clearInterval(this.#watchdog);
    this.#probe?.close();
    this.#link?.close();
    this.#link = this.#probe = undefined;
  }

  #firstKind(): TransportKind {
    return this.#o.transport === 'sse' ? 'sse' : 'ws';
  }

  #later(ms: number, fn: () => void): ReturnType<typeof setTimeout> {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      if (!this.#closed) fn();
    }, ms);
    this.#timers.add(t);
    return t;
  }

  #cancel(t: ReturnType<typeof setTimeout> | undefined): void {
    if (t === undefined) return;
    clearTimeout(t);
    this.#timers.delete(t);
  }

  #attempt(kind: TransportKind): void {
    const url = this.#o.urls[this.#urlIndex];
    this.#h.status({ state: 'connecting', url, transport: kind });
    const link = this.#open(kind, url);
    this.#link = link;
    this.#live = false;
    this.#connectTimer = this.#later(this.#o.connectTimeoutMs, () => {
      if (this.#link !== link || this.#live) return;
      link.close();
      this.#closedLink(link, `no hello within ${this.#o.connectTimeoutMs} ms`);
    });
  }

  /**
   * Opens a link; one that cannot even be created fails asynchronously, like a refused one.
   * With `getToken` the link is opened once the token is there (sends before that are dropped,
   * as on any link that is not open yet).
   */
  #open(kind: TransportKind, url: string): Link {
    const ref: { link?: Link } = {};
    const h: LinkHandlers = {
      message: (m, size) => this.#message(ref.link!, m, size),
      closed: (reason) => this.#closedLink(ref.link!, reason),
    };
    const { getToken } = this.#o;
    let token: string | Promise<string> | undefined = this.#o.token;
    try {
      if (getToken) token = getToken();
    } catch (err) {
      token = Promise.reject(err);
    }
    if (typeof token === 'string' || token === undefined) return (ref.link = this.#openWith(kind, url, token, h));
    return (ref.link = linkAfterToken(kind, Promise.resolve(token), (t) => (this.#closed ? undefined : this.#openWith(kind, url, t, h)), h.closed));
  }

  #openWith(kind: TransportKind, url: string, token: string | undefined, h: LinkHandlers): Link {
    try {
      const { WebSocket: WS, EventSource: ES, fetch: f } = this.#o;
      if (kind === 'ws' && !WS) throw new Error('no WebSocket implementation');
      if (kind === 'sse' && (!ES || !f)) throw new Error('no EventSource or fetch implementation');
      return kind === 'ws' ? openWsLink(WS!, wsEndpoint(url, token), h, token) : openSseLink(ES!, f!, sseEndpoint(url, token), token, h);
    } catch (err) {
      this.#later(0, () => h.closed(`cannot open ${kind}: ${(err as Error).message}`));
      return { kind, send() {}, close() {} };
    }
  }

  #message(link: Link, msg: ServerMessage, size: number): void {
    if (this.#closed) return;
    if (link === this.#probe) {
      if (msg.type === 'hello') this.#adopt(link, msg);
      return;
    }
    if (link !== this.#link) return;
    this.#lastRecv = this.#o.now();
    if (this.#live) return this.#h.message(msg, size, link);
    if (msg.type !== 'hello') return;
    this.#cancel(this.#connectTimer);
    this.#failures = 0;
    this.#goLive(link, msg, link.kind === 'sse' && this.#o.transport === 'auto');
  }

  #goLive(link: Link, hello: HelloMsg, fallback: boolean): void {
    this.#live = true;
    this.#lastRecv = this.#o.now();
    // Two heartbeats of silence (and a margin for slow networks) mean the link is dead.
    this.#silenceMs = hello.heartbeat * 2 + 1000;
    clearInterval(this.#watchdog);
    this.#watchdog = setInterval(() => this.#checkSilence(), Math.max(250, hello.heartbeat / 2));
    this.#h.status({ state: 'live', url: this.#o.urls[this.#urlIndex], transport: link.kind, fallback });
    this.#h.live(link, hello);
    this.#wsRetries = 0;
    if (fallback) this.#scheduleWsRetry();
  }

  #checkSilence(): void {
    const link = this.#link;
    if (!link || !this.#live) return;
    const silent = this.#o.now() - this.#lastRecv;
    if (silent <= this.#silenceMs) return;
    link.close();
    this.#closedLink(link, `no message for ${silent} ms`);
  }

  /** `delayMs`: the delay before the next attempt when it is known (otherwise the backoff's). */
  #closedLink(link: Link, reason: string, delayMs?: number): void {
    if (this.#closed) return;
    if (link === this.#probe) {
      this.#probe = undefined;
      if (this.#live) this.#scheduleWsRetry();
      return;
    }
    if (link !== this.#link) return;
    this.#cancel(this.#connectTimer);
    this.#link = undefined;
    const wasLive = this.#live;
    this.#live = false;
    if (!wasLive && link.kind === 'ws' && this.#o.transport === 'auto') return this.#attempt('sse');
    clearInterval(this.#watchdog);
    this.#probe?.close();
    this.#probe = undefined;
    if (wasLive) {
      this.#failures = 0;
      this.#h.down();
    } else this.#failures++;
    const n = this.#o.urls.length;
    const next = nextAttempt(this.#failures, n, (a) => backoffDelay(a, this.#o.baseDelayMs, this.#o.maxDelayMs, this.#o.random));
    if (delayMs !== undefined) next.delayMs = delayMs;
    if (next.advance) this.#urlIndex = (this.#urlIndex + 1) % n;
    this.#h.status({ state: 'reconnecting', attempt: this.#failures + 1, delayMs: next.delayMs, reason });
    this.#later(next.delayMs, () => this.#attempt(this.#firstKind()));
  }

  /** On SSE fallback: try WebSocket again later; the SSE link stays until a WebSocket is live. */
  #scheduleWsRetry(): void {
    if (!this.#o.WebSocket) return;
    const wait = this.#wsRetries++ === 0 ? Math.min(this.#o.wsRetryMs, FIRST_WS_RETRY_MS) : this.#o.wsRetryMs;
    this.#later(wait, () => {
      if (!this.#live || this.#link?.kind !== 'sse' || this.#probe) return;
      const probe = this.#open('ws', this.#o.urls[this.#urlIndex]);
      this.#probe = probe;
      this.#later(this.#o.connectTimeoutMs, () => {
        if (this.#probe !== probe) return;
        probe.close();
        this.#closedLink(probe, 'WebSocket retry timed out');
      });
    });
  }

  #adopt(probe: Link, hello: HelloMsg): void {
    this.#probe = undefined;
    this.#link?.close();
    this.#link = probe;
    this.#goLive(probe, hello, false);
  }
}
