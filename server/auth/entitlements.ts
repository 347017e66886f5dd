/**
 * Entitlements: what a token's claims let a connection subscribe, snapshot and fetch (pure).
 * Claims (protocol 1.1 section 4): `symbols` and `channels`, each an optional list of
 * patterns; absent means all. A pattern is an exact name (`AAPL`), a prefix ending in `*`
 * (`BTC-*`, `candles:*`) or `*` alone. Names are compared exactly (case matters).
 */

/** Longest pattern accepted in a claim (a 32-character name plus `*`). */
export const MAX_PATTERN = 33;
/** Most patterns one claim may hold: a token rides in a header, and checks stay cheap. */
export const MAX_PATTERNS = 1000;

/** One list of patterns compiled for lookups: a Set of exact names and a list of prefixes. */
class Patterns {
  readonly all: boolean;
  readonly #exact: ReadonlySet<string>;
  readonly #prefixes: readonly string[];

  constructor(patterns: readonly string[] | undefined) {
    this.all = patterns === undefined || patterns.includes('*');
    this.#exact = new Set(patterns?.filter((p) => !p.endsWith('*')));
    this.#prefixes = patterns?.filter((p) => p.endsWith('*')).map((p) => p.slice(0, -1)) ?? [];
  }

  covers(name: string): boolean {
    if (this.all || this.#exact.has(name)) return true;
    for (const p of this.#prefixes) if (name.startsWith(p)) return true;
    return false;
  }
}

/** What one principal may see. Instances are immutable; a refresh replaces them. */
export interface Rights {
  /** True when nothing is limited (static tokens, or a JWT without `symbols`/`channels`). */
  readonly full: boolean;
  allowsSymbol(symbol: string): boolean;
  allowsChannel(channel: string): boolean;
  /** The stream `symbol` on `channel`: both must be covered. */
  allows(symbol: string, channel: string): boolean;
  /** The covered ones, in their order. */
  filterSymbols<T extends string>(symbols: readonly T[]): T[];
  filterChannels<T extends string>(channels: readonly T[]): T[];
  /** The names not covered, for an `error` `forbidden` listing (empty lists: nothing refused). */
  refused(symbols: readonly string[], channels: readonly string[]): { symbols: string[]; channels: string[] };
}

export interface Grant {
  /** Patterns, or undefined for all. */
  symbols?: readonly string[];
  channels?: readonly string[];
}

export function rightsOf(grant: Grant = {}): Rights {
  const sym = new Patterns(grant.symbols);
  const chan = new Patterns(grant.channels);
  return {
    full: sym.all && chan.all,
    allowsSymbol: (s) => sym.covers(s),
    allowsChannel: (c) => chan.covers(c),
    allows: (s, c) => sym.covers(s) && chan.covers(c),
    filterSymbols: (xs) => (sym.all ? [...xs] : xs.filter((s) => sym.covers(s))),
    filterChannels: (xs) => (chan.all ? [...xs] : xs.filter((c) => chan.covers(c))),
    refused: (ss, cs) => ({ symbols: sym.all ? [] : ss.filter((s) => !sym.covers(s)), channels: chan.all ? [] : cs.filter((c) => !chan.covers(c)) }),
  };
}

/** Everything: what static AUTH_TOKENS and an open server grant. */
export const FULL_RIGHTS: Rights = rightsOf();

export type ClaimsResult = { ok: true; sub?: string; rights: Rights } | { ok: false; message: string };

/**
 * Reads `sub`, `symbols` and `channels` from a verified claims set. A claim of the wrong shape
 * makes the whole token invalid (a typo must not widen rights): lists of strings, each a valid
 * pattern, at most MAX_PATTERNS of them. An empty list covers nothing.
 */
export function parseClaims(claims: Readonly<Record<string, unknown>>): ClaimsResult {
  const sub = own(claims, 'sub');
  if (sub !== undefined && typeof sub !== 'string') return { ok: false, message: 'claim `sub` must be a string' };
  const symbols = patternList(claims, 'symbols');
  if (typeof symbols === 'string') return { ok: false, message: symbols };
  const channels = patternList(claims, 'channels');
  if (typeof channels === 'string') return { ok: false, message: channels };
  return { ok: true, ...(sub !== undefined ? { sub } : {}), rights: rightsOf({ symbols, channels }) };
}

/** The claim's patterns, undefined when absent, or a message saying what is wrong. */
function patternList(claims: Readonly<Record<string, unknown>>, name: string): string[] | undefined | string {
  const v = own(claims, name);
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) return `claim \`${name}\` must be a list of patterns`;
  if (v.length > MAX_PATTERNS) return `claim \`${name}\` holds more than ${MAX_PATTERNS} patterns`;
  for (const p of v) if (!isPattern(p)) return `claim \`${name}\` holds an invalid pattern ${JSON.stringify(String(p).slice(0, MAX_PATTERN))}`;
  return v as string[];
}

/** A non-empty name of printable ASCII without `,` or spaces, with at most one `*`, at its end. */
export function isPattern(p: unknown): p is string {
  return typeof p === 'string' && p.length > 0 && p.length <= MAX_PATTERN && /^[\x21-\x29\x2b\x2d-\x7e]*\*?$/.test(p);
}

/** Own properties only: `constructor` or `__proto__` in a claims set is just a missing claim. */
const own = (o: Readonly<Record<string, unknown>>, key: string): unknown => (Object.hasOwn(o, key) ? o[key] : undefined);
