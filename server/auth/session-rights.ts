/**
 * Entitlements on a live connection (pure; no sockets, no timers): which part of a `subscribe`
 * or `snapshot` the rights cover, what a narrowing `refresh` takes away, whether a refresh may
 * replace the principal, and when each connection must be cut. The fan-out calls these from
 * its control handling and from its existing beat timer (see docs/entitlements.md, "Hooks").
 */
import { isChannel } from '../../shared/protocol.js';
import type { Authenticator, Principal } from './authenticator.js';
import type { Rights } from './entitlements.js';
import { MAX_TOKEN_LENGTH } from './jwt.js';

/** Names refused for want of rights, for an `error` `forbidden` (a list is absent when empty). */
export interface Forbidden {
  symbols?: string[];
  channels?: string[];
}

export interface Entitled {
  /** The covered symbols, in request order. */
  symbols: string[];
  /**
   * The channels to use: undefined when the request named none and its defaults are covered
   * (or no defaults were given to check); else the covered ones, possibly none.
   */
  channels: string[] | undefined;
  forbidden?: Forbidden;
}

/**
 * The covered part of a request naming `symbols` and `channels` (undefined: the request's
 * defaults, `defaults`, are checked when given). Names that are not channels at all are kept,
 * so that the caller answers them `unknown_channel` as before; symbols are checked whether they
 * exist or not (a refusal must not tell which symbols exist).
 */
export function entitledPart(rights: Rights | undefined, symbols: readonly string[], channels: readonly string[] | undefined, defaults?: readonly string[]): Entitled {
  if (!rights || rights.full) return { symbols: [...symbols], channels: channels && [...channels] };
  const okSymbols = rights.filterSymbols(symbols);
  const badSymbols = okSymbols.length === symbols.length ? [] : symbols.filter((s) => !rights.allowsSymbol(s));
  const checked = channels ?? defaults ?? [];
  const badChannels = checked.filter((c) => isChannel(c) && !rights.allowsChannel(c));
  const out: Entitled = {
    symbols: okSymbols,
    channels: channels === undefined && badChannels.length === 0 ? undefined : checked.filter((c) => !badChannels.includes(c)),
  };
  const forbidden = forbiddenOf(badSymbols, badChannels);
  return forbidden ? { ...out, forbidden } : out;
}

export interface StreamRef {
  /** Symbol. */
  s: string;
  /** Channel. */
  ch: string;
}

export interface Narrowing<T extends StreamRef> {
  /** The streams the new rights no longer cover: unsubscribe them. */
  drop: T[];
  /** What to list in the `error` `forbidden` that tells the client so. */
  forbidden?: Forbidden;
}

/** What new rights take away from the streams a connection holds. */
export function narrowTo<T extends StreamRef>(rights: Rights, held: Iterable<T>): Narrowing<T> {
  if (rights.full) return { drop: [] };
  const drop: T[] = [];
  const symbols = new Set<string>();
  const channels = new Set<string>();
  for (const sub of held) {
    const symOk = rights.allowsSymbol(sub.s);
    const chOk = rights.allowsChannel(sub.ch);
    if (symOk && chOk) continue;
    drop.push(sub);
    if (!symOk) symbols.add(sub.s);
    if (!chOk) channels.add(sub.ch);
  }
  const forbidden = forbiddenOf([...symbols], [...channels]);
  return forbidden ? { drop, forbidden } : { drop };
}

export type RefreshCheck = { ok: true } | { ok: false; message: string };

/** A refresh may renew or change rights, but not change who the connection belongs to. */
export function checkRefresh(current: Principal | undefined, next: Principal): RefreshCheck {
  if (current?.sub !== undefined && next.sub !== current.sub) return { ok: false, message: 'a refresh token must be for the same subject (`sub`)' };
  return { ok: true };
}

/** A client's `refresh` control message (protocol 1.1 section 4). */
export interface RefreshMsg {
  type: 'refresh';
  id?: number;
  token: string;
}

/** Validates a decoded map whose `type` is `refresh`; `id` as the caller already checked it. */
export function parseRefresh(v: Readonly<Record<string, unknown>>, id: number | undefined): { ok: true; msg: RefreshMsg } | { ok: false; message: string } {
  const token = Object.hasOwn(v, 'token') ? v.token : undefined;
  if (typeof token !== 'string' || token.length === 0) return { ok: false, message: '`token` must be a non-empty string' };
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, message: `\`token\` is longer than ${MAX_TOKEN_LENGTH} characters` };
  return { ok: true, msg: { type: 'refresh', ...(id !== undefined ? { id } : {}), token } };
}

export type RefreshOutcome<T extends StreamRef> =
  | { ok: false; message: string }
  | {
      ok: true;
      principal: Principal;
      /** The new cutoff for the ExpiryQueue (undefined: never). */
      cutoff: number | undefined;
      /** Streams to unsubscribe, and the `forbidden` listing for them. */
      drop: T[];
      forbidden?: Forbidden;
    };

/**
 * What a `refresh` with `token` does to a connection held by `current` with streams `held`.
 * A refused token (`ok: false`, answered `error` `unauthorized`) changes nothing: the
 * connection lives on until its current cutoff.
 */
export async function refreshOutcome<T extends StreamRef>(auth: Authenticator, current: Principal | undefined, token: string, held: Iterable<T>): Promise<RefreshOutcome<T>> {
  const r = await auth.authenticate(token);
  if (!r.ok) return { ok: false, message: r.message };
  const same = checkRefresh(current, r.principal);
  if (!same.ok) return same;
  const n = narrowTo(r.principal.rights, held);
  return { ok: true, principal: r.principal, cutoff: cutoffAt(r.principal, auth.leewayMs), drop: n.drop, ...(n.forbidden ? { forbidden: n.forbidden } : {}) };
}

/** When a connection holding `p` must be cut, ms since epoch: its `exp` plus the leeway; undefined: never. */
export const cutoffAt = (p: Principal | undefined, leewayMs: number): number | undefined =>
  p?.expires === undefined ? undefined : p.expires + leewayMs;

/**
 * Connections by the time they must be cut, polled from a timer the caller already runs (the
 * hub's heartbeat beat), so there is no timer per connection. `due` costs nothing before the
 * earliest cutoff and one pass over the entries after it.
 */
export class ExpiryQueue<T> {
  readonly #at = new Map<T, number>();
  #next = Infinity;

  get size(): number {
    return this.#at.size;
  }

  /** Sets or replaces the cutoff of `item`; undefined removes it (a token that never expires). */
  set(item: T, at: number | undefined): void {
    if (at === undefined) return void this.#at.delete(item);
    this.#at.set(item, at);
    if (at < this.#next) this.#next = at;
  }

  delete(item: T): void {
    this.#at.delete(item);
  }

  /** Removes and returns the items whose cutoff is at or before `now`, earliest first. */
  due(now: number): T[] {
    if (now < this.#next) return [];
    const out: [T, number][] = [];
    let next = Infinity;
    for (const [item, at] of this.#at) {
      if (at <= now) out.push([item, at]);
      else if (at < next) next = at;
    }
    for (const [item] of out) this.#at.delete(item);
    this.#next = next;
    return out.sort((a, b) => a[1] - b[1]).map(([item]) => item);
  }
}

/** Up to 10 refused names for an error message, each quoted and cut to 32 characters. */
export const nameList = (xs: readonly string[]): string =>
  xs.slice(0, 10).map((x) => JSON.stringify(x.slice(0, 32))).join(', ') + (xs.length > 10 ? ', …' : '');

/** The `error` `forbidden` message text for refused names. */
export function forbiddenMessage(f: Forbidden): string {
  const parts = [f.symbols?.length ? `symbol(s) ${nameList(f.symbols)}` : '', f.channels?.length ? `channel(s) ${nameList(f.channels)}` : ''];
  return `not entitled to ${parts.filter(Boolean).join(' and ')}`;
}

function forbiddenOf(symbols: string[], channels: string[]): Forbidden | undefined {
  if (!symbols.length && !channels.length) return undefined;
  return { ...(symbols.length ? { symbols } : {}), ...(channels.length ? { channels } : {}) };
}
