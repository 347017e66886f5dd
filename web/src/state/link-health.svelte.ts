/**
 * What the top bar says about the dashboard's connection: its status, the reconnects, the
 * server's latest error (shown for ERROR_MS) and whether the token was refused. Fed by the
 * market's client (market.svelte.ts); reactive.
 */
import type { ClientStatus } from '../../../shared/client/types.js';
import { fetchSymbols, UnauthorizedError } from '../lib/api.js';
import type { Staleness } from './stale.svelte.js';

/** How long a server error stays in the top bar, ms. */
const ERROR_MS = 10_000;
/** Shortest time between two token checks while reconnecting, ms. */
const TOKEN_CHECK_MS = 2000;

export class LinkHealth {
  status = $state.raw<ClientStatus>({ state: 'closed' });
  /** Rises each time the stream is live again after a drop: history may have a hole to refill. */
  reconnects = $state(0);
  lastError = $state('');
  /** The server refused the token (expired, or not valid any more): the dashboard asks for a new one. */
  tokenRefused = $state(false);
  #tokenCheckedAt = -Infinity;
  #dropped = false;
  #errorTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #stale: Staleness;

  constructor(stale: Staleness) {
    this.#stale = stale;
  }

  follow(s: ClientStatus): void {
    this.status = s;
    this.#stale.follow(s.state, Date.now());
    if (s.state === 'live') {
      if (this.#dropped) this.reconnects++;
      this.#dropped = false;
    } else if (s.state === 'reconnecting') {
      this.#dropped = true;
      // A close for an expired or refused token: reconnecting with it cannot help.
      if (/unauthori[sz]ed|token_expired|\b401\b/i.test(s.reason)) this.tokenRefused = true;
      else this.#checkToken();
    }
  }

  /** An error message from the server: shown for ERROR_MS; a refused token is remembered. */
  error(code: string, message: string): void {
    if (code === 'token_expired' || code === 'unauthorized') this.tokenRefused = true;
    this.lastError = `${code}: ${message}`;
    clearTimeout(this.#errorTimer);
    this.#errorTimer = setTimeout(() => (this.lastError = ''), ERROR_MS);
  }

  /**
   * While reconnecting, asks REST whether the token still holds: a browser never sees the 401
   * that refuses a WebSocket upgrade or an EventSource, so an expired token would otherwise look
   * like a server that is down. At most once per TOKEN_CHECK_MS.
   */
  #checkToken(): void {
    const now = Date.now();
    if (now - this.#tokenCheckedAt < TOKEN_CHECK_MS) return;
    this.#tokenCheckedAt = now;
    fetchSymbols().catch((err) => {
      if (err instanceof UnauthorizedError) this.tokenRefused = true;
    });
  }
}
