/**
 * Token refresh (v1.1 section 4): with `hello.expires` set and a `getToken` callback, a new
 * token is sent as `{type: "refresh", id, token}` before the old one expires; each `refreshed`
 * reply arms the next refresh. One instance per live connection; stop() when it ends.
 */
import type { ClientMessage } from '../protocol.js';
import type { Link } from './link.js';

/** When to refresh a token expiring at `expires` (ms), seen at `now`: at 80% of the time left, at least 1 s before expiry, never in the past. */
export function refreshDelay(expires: number, now: number): number {
  const left = expires - now;
  return Math.max(0, Math.min(left * 0.8, left - 1000));
}

export interface RefreshPort {
  getToken(): string | Promise<string>;
  /** Sends the refresh message; returns its id. */
  send(token: string): number;
  /** The server took the token: later requests of the connection should carry it. */
  adopt(token: string): void;
  now(): number;
}

/** After a refused or failed refresh, try again after this long (ms), while at least 1.5 s is left. */
const RETRY_MS = 5000;

export class TokenRefresher {
  readonly #p: RefreshPort;
  #timer?: ReturnType<typeof setTimeout>;
  #expires = 0;
  #inFlight?: { id: number; token: string };
  #stopped = false;

  constructor(p: RefreshPort) {
    this.#p = p;
  }

  /** The connection's token expires at `expires` (ms since epoch): schedules its refresh. */
  arm(expires: number): void {
    this.#expires = expires;
    this.#schedule(refreshDelay(expires, this.#p.now()));
  }

  /** A `refreshed` reply (`id` echoed when the server does). */
  refreshed(id: number | undefined, expires: number): void {
    const f = this.#inFlight;
    if (!f || (id !== undefined && id !== f.id)) return;
    this.#inFlight = undefined;
    this.#p.adopt(f.token);
    this.arm(expires);
  }

  /** An `error`: true when it answered our refresh (which is then retried while time is left). */
  refused(id: number | undefined): boolean {
    if (!this.#inFlight || id !== this.#inFlight.id) return false;
    this.#inFlight = undefined;
    this.#retry();
    return true;
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #schedule(ms: number): void {
    clearTimeout(this.#timer);
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.#run(), ms);
  }

  #retry(): void {
    const left = this.#expires - this.#p.now();
    if (left > 1500) this.#schedule(Math.min(RETRY_MS, left / 2));
  }

  async #run(): Promise<void> {
    let token: string;
    try {
      token = await this.#p.getToken();
    } catch {
      return this.#retry();
    }
    if (this.#stopped) return;
    if (typeof token !== 'string' || token === '') return this.#retry();
    this.#inFlight = { id: this.#p.send(token), token };
  }
}

/** A refresher for one live link: refresh messages go over it, and an accepted token becomes its token. */
export function refresherOn(link: Link, getToken: () => string | Promise<string>, now: () => number, nextId: () => number): TokenRefresher {
  return new TokenRefresher({
    getToken,
    now,
    send: (token) => {
      const id = nextId();
      link.send({ type: 'refresh', id, token } as unknown as ClientMessage);
      return id;
    },
    adopt: (token) => link.setToken?.(token),
  });
}
