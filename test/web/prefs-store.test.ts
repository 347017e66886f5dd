import { describe, expect, it } from 'vitest';
import {
  DEFAULT_WATCHLIST, STORAGE_KEY, hrefWithSelection, loadPrefs, savePrefs, selectionFromSearch, withSymbol, withoutSymbol,
} from '../../web/src/lib/prefs-store.js';
import { defaultChartPrefs, parseChartPrefs } from '../../web/src/lib/chart-prefs.js';

const chart = defaultChartPrefs();

const memory = () => {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), m };
};

describe('prefs store', () => {
  it('gives a first visit ten or more symbols across equities, ETFs, crypto and FX', () => {
    const p = loadPrefs(memory(), '');
    expect(p.watchlist.length).toBeGreaterThanOrEqual(10);
    expect(p.watchlist).toEqual(expect.arrayContaining(['AAPL', 'SPY', 'BTC-USD', 'EURUSD']));
    expect(p.selected).toBe(DEFAULT_WATCHLIST[0]);
    expect(p).toMatchObject({ interval: '1m', transport: 'auto', throttle: 0 });
  });

  it('round-trips what was saved', () => {
    const s = memory();
    const saved = { style: 'area', log: true, sma: { on: true, period: 9 }, ema: { on: false, period: 21 }, vwap: true, zone: 'exchange' } as const;
    savePrefs(s, { watchlist: ['TSLA', 'ETH-USD'], selected: 'ETH-USD', interval: '5m', transport: 'sse', throttle: 250, chart: saved });
    expect(loadPrefs(s, '')).toEqual({ watchlist: ['TSLA', 'ETH-USD'], selected: 'ETH-USD', interval: '5m', transport: 'sse', throttle: 250, chart: saved });
  });

  it('lets the URL choose the selection', () => {
    const s = memory();
    savePrefs(s, { watchlist: ['TSLA'], selected: 'TSLA', interval: '1m', transport: 'auto', throttle: 0, chart });
    expect(loadPrefs(s, '?symbol=msft').selected).toBe('MSFT');
    expect(loadPrefs(s, '?symbol=%3Cscript%3E').selected).toBe('TSLA');
  });

  it('falls back to defaults, field by field, on malformed storage', () => {
    const s = memory();
    s.m.set(STORAGE_KEY, '{not json');
    expect(loadPrefs(s, '').watchlist).toEqual(DEFAULT_WATCHLIST);
    s.m.set(STORAGE_KEY, JSON.stringify({ watchlist: ['AAPL', 42, 'lower', 'AAPL', 'SPY'], interval: '2m', transport: 'x', throttle: 7 }));
    expect(loadPrefs(s, '')).toEqual({ watchlist: ['AAPL', 'SPY'], selected: 'AAPL', interval: '1m', transport: 'auto', throttle: 0, chart });
    expect(parseChartPrefs({ style: 'renko', log: 'yes', sma: { on: true, period: 1 }, ema: { period: 30 }, zone: 'Mars/Base' }))
      .toEqual({ ...chart, sma: { on: true, period: 20 }, ema: { on: false, period: 30 } });
  });

  it('keeps an emptied watchlist empty', () => {
    const s = memory();
    savePrefs(s, { watchlist: [], selected: 'AAPL', interval: '1m', transport: 'auto', throttle: 0, chart });
    expect(loadPrefs(s, '').watchlist).toEqual([]);
  });

  it('survives a storage that throws', () => {
    const broken = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('quota'); } };
    expect(() => savePrefs(broken, loadPrefs(undefined, ''))).not.toThrow();
  });

  it('adds without duplicates and removes', () => {
    expect(withSymbol(['A'], 'B')).toEqual(['A', 'B']);
    expect(withSymbol(['A', 'B'], 'A')).toEqual(['A', 'B']);
    expect(withoutSymbol(['A', 'B'], 'A')).toEqual(['B']);
  });

  it('reads and writes the selection in the URL, keeping other parameters', () => {
    expect(selectionFromSearch('?x=1&symbol=BTC-USD')).toBe('BTC-USD');
    expect(selectionFromSearch('')).toBeUndefined();
    expect(hrefWithSelection('http://h:1/?x=1', 'ETH-USD')).toBe('http://h:1/?x=1&symbol=ETH-USD');
    expect(hrefWithSelection('http://h:1/?symbol=A', 'B')).toBe('http://h:1/?symbol=B');
  });
});
