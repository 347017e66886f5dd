import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FULL_RIGHTS, isPattern, parseClaims, rightsOf } from '../../server/auth/entitlements.js';

describe('entitlement patterns', () => {
  const r = rightsOf({ symbols: ['AAPL', 'BTC-*'], channels: ['ticker', 'candles:*'] });

  it('cover exact names, prefixes ending in *, and * alone', () => {
    expect(['AAPL', 'BTC-USD', 'BTC-', 'AAP', 'AAPLX', 'aapl', 'ETH-USD', 'BTC'].map((s) => r.allowsSymbol(s))).toEqual([true, true, true, false, false, false, false, false]);
    expect(['ticker', 'candles:1m', 'candles:1h', 'trades', 'book', 'Ticker'].map((c) => r.allowsChannel(c))).toEqual([true, true, true, false, false, false]);
    expect(r.allows('BTC-USD', 'candles:5m')).toBe(true);
    expect(r.allows('BTC-USD', 'trades')).toBe(false);
    expect(r.allows('MSFT', 'ticker')).toBe(false);
    expect(r.full).toBe(false);
    const star = rightsOf({ symbols: ['*'], channels: ['ticker'] });
    expect(star.allowsSymbol('ANYTHING')).toBe(true);
    expect(star.allowsChannel('trades')).toBe(false);
  });

  it('list what is refused and filter what is covered, keeping order', () => {
    expect(r.refused(['MSFT', 'AAPL', 'BTC-EUR', 'ETH-USD'], ['trades', 'ticker', 'book'])).toEqual({ symbols: ['MSFT', 'ETH-USD'], channels: ['trades', 'book'] });
    expect(r.filterSymbols(['MSFT', 'BTC-EUR', 'AAPL'])).toEqual(['BTC-EUR', 'AAPL']);
    expect(r.filterChannels(['trades', 'candles:1s', 'ticker'])).toEqual(['candles:1s', 'ticker']);
    expect(FULL_RIGHTS.refused(['X'], ['y'])).toEqual({ symbols: [], channels: [] });
    expect(FULL_RIGHTS.full).toBe(true);
  });

  it('an empty list covers nothing; absent covers all', () => {
    const none = rightsOf({ symbols: [] });
    expect(none.allowsSymbol('AAPL')).toBe(false);
    expect(none.allowsChannel('ticker')).toBe(true);
    expect(rightsOf({}).full).toBe(true);
  });

  it('never treat prototype keys as covered', () => {
    for (const k of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) expect(r.allowsSymbol(k)).toBe(false);
  });

  it('match a brute-force reading of the patterns (property)', () => {
    const name = fc.string({ unit: fc.constantFrom('A', 'B', '-', '*', 'x'), maxLength: 5 });
    fc.assert(
      fc.property(fc.array(name.filter(isPattern), { maxLength: 5 }), fc.array(name, { maxLength: 10 }), (patterns, names) => {
        const rights = rightsOf({ symbols: patterns });
        for (const n of names) {
          const expected = patterns.some((p) => p === '*' || (p.endsWith('*') ? n.startsWith(p.slice(0, -1)) : n === p));
          expect(rights.allowsSymbol(n)).toBe(expected);
        }
      }),
    );
  });
});

describe('claims parsing', () => {
  it('reads sub, symbols and channels', () => {
    const c = parseClaims({ sub: 'ann', exp: 1, symbols: ['AAPL'], channels: ['ticker'] });
    expect(c.ok && c.sub).toBe('ann');
    expect(c.ok && c.rights.allows('AAPL', 'ticker')).toBe(true);
    expect(c.ok && c.rights.allows('AAPL', 'trades')).toBe(false);
  });

  it('treats absent or null lists as all, and has no sub when none is given', () => {
    const c = parseClaims({ exp: 1, symbols: null });
    expect(c).toMatchObject({ ok: true });
    expect(c.ok && c.rights.full).toBe(true);
    expect(c.ok && 'sub' in c).toBe(false);
  });

  it('refuses claims of the wrong shape instead of widening rights', () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ sub: 42 }, /`sub` must be a string/],
      [{ symbols: 'AAPL' }, /`symbols` must be a list/],
      [{ symbols: { 0: 'AAPL' } }, /`symbols` must be a list/],
      [{ channels: [1] }, /`channels` holds an invalid pattern "1"/],
      [{ symbols: ['A*B'] }, /invalid pattern "A\*B"/],
      [{ symbols: ['**'] }, /invalid pattern/],
      [{ symbols: [''] }, /invalid pattern/],
      [{ symbols: ['AAPL,MSFT'] }, /invalid pattern/],
      [{ symbols: ['A APL'] }, /invalid pattern/],
      [{ symbols: ['X'.repeat(34)] }, /invalid pattern "X{33}"/],
      [{ symbols: Array.from({ length: 1001 }, (_, i) => `S${i}`) }, /more than 1000 patterns/],
    ];
    for (const [claims, msg] of bad) {
      const r = parseClaims(claims);
      expect(r.ok, JSON.stringify(claims).slice(0, 40)).toBe(false);
      expect(!r.ok && r.message).toMatch(msg);
    }
  });

  it('ignores inherited keys: a parsed JSON __proto__ is an own key, but not a claim we read', () => {
    const claims = JSON.parse('{"__proto__": {"symbols": ["*"]}, "symbols": ["AAPL"]}');
    const r = parseClaims(claims);
    expect(r.ok && r.rights.allowsSymbol('MSFT')).toBe(false);
    const inherited = Object.create({ symbols: ['*'] });
    const r2 = parseClaims(Object.assign(inherited, { symbols: ['AAPL'] }));
    expect(r2.ok && r2.rights.allowsSymbol('MSFT')).toBe(false);
    const onlyInherited = parseClaims(Object.create({ sub: 7, symbols: 'x' }));
    expect(onlyInherited.ok).toBe(true);
  });
});
