/**
 * The dashboard's preferences and how they persist: the watchlist and settings in
 * localStorage, the selected symbol also in the URL (`?symbol=AAPL`, so a link opens it).
 * Pure: storage and URLs come in; anything malformed falls back to the defaults.
 */
import { INTERVAL_NAMES, type Interval } from '../../../shared/protocol.js';
import type { TransportChoice } from '../../../shared/client/types.js';
import { defaultChartPrefs, parseChartPrefs, type ChartPrefs } from './chart-prefs.js';

/** A first visit's watchlist: equities, ETFs, crypto and FX. */
export const DEFAULT_WATCHLIST: readonly string[] = [
  'AAPL', 'MSFT', 'NVDA', 'AMZN', 'TSLA', 'SPY', 'QQQ', 'BTC-USD', 'ETH-USD', 'SOL-USD', 'EURUSD', 'USDJPY', 'GBPUSD',
];

/** Throttle choices in ms; 0 is every event. */
export const THROTTLES = [0, 100, 250, 1000] as const;
export type Throttle = (typeof THROTTLES)[number];
export const TRANSPORTS: readonly TransportChoice[] = ['auto', 'ws', 'sse'];

export interface Prefs {
  watchlist: string[];
  selected: string;
  interval: Interval;
  transport: TransportChoice;
  throttle: Throttle;
  chart: ChartPrefs;
  /** The comparison panel opened or collapsed by hand; unset: by the screen's width. */
  compareOpen?: boolean;
}

export const STORAGE_KEY = 'tickwire.prefs.v1';
/** Symbols are short upper-case tickers like `AAPL`, `BTC-USD`, `SYM048`. */
const SYMBOL_RE = /^[A-Z0-9][A-Z0-9.\-/_]{0,23}$/;

export const isSymbol = (s: unknown): s is string => typeof s === 'string' && SYMBOL_RE.test(s);

export function defaultPrefs(): Prefs {
  return { watchlist: [...DEFAULT_WATCHLIST], selected: DEFAULT_WATCHLIST[0], interval: '1m', transport: 'auto', throttle: 0, chart: defaultChartPrefs() };
}

/** Reads the stored prefs, then lets the URL's `?symbol=` override the selection. */
export function loadPrefs(storage: Pick<Storage, 'getItem'> | undefined, search = ''): Prefs {
  const p = defaultPrefs();
  let raw: unknown;
  try {
    raw = JSON.parse(storage?.getItem(STORAGE_KEY) ?? 'null');
  } catch {
    raw = null;
  }
  if (raw && typeof raw === 'object') {
    const r = raw as Record<string, unknown>;
    if (Array.isArray(r.watchlist)) p.watchlist = [...new Set(r.watchlist.filter(isSymbol))];
    if (isSymbol(r.selected)) p.selected = r.selected;
    if (INTERVAL_NAMES.includes(r.interval as Interval)) p.interval = r.interval as Interval;
    if (TRANSPORTS.includes(r.transport as TransportChoice)) p.transport = r.transport as TransportChoice;
    if (THROTTLES.includes(r.throttle as Throttle)) p.throttle = r.throttle as Throttle;
    p.chart = parseChartPrefs(r.chart);
    if (typeof r.compareOpen === 'boolean') p.compareOpen = r.compareOpen;
  }
  const fromUrl = selectionFromSearch(search);
  if (fromUrl) p.selected = fromUrl;
  else if (!p.watchlist.includes(p.selected) && p.watchlist.length) p.selected = p.watchlist[0];
  return p;
}

export function savePrefs(storage: Pick<Storage, 'setItem'> | undefined, p: Prefs): void {
  try {
    storage?.setItem(STORAGE_KEY, JSON.stringify(p));
  } catch {
    // Private mode or a full quota: the session still works, it just is not remembered.
  }
}

/** The `symbol` query parameter, upper-cased, when it is a valid symbol. */
export function selectionFromSearch(search: string): string | undefined {
  const s = new URLSearchParams(search).get('symbol')?.trim().toUpperCase();
  return isSymbol(s) ? s : undefined;
}

/** `href` with `?symbol=` set to `symbol`, other parameters kept. */
export function hrefWithSelection(href: string, symbol: string): string {
  const u = new URL(href);
  u.searchParams.set('symbol', symbol);
  return u.toString();
}

/** The list with `symbol` appended (no duplicates). */
export const withSymbol = (list: readonly string[], symbol: string): string[] =>
  list.includes(symbol) ? [...list] : [...list, symbol];

/** The list without `symbol`. */
export const withoutSymbol = (list: readonly string[], symbol: string): string[] => list.filter((s) => s !== symbol);
