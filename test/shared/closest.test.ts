import { describe, expect, it } from 'vitest';
import { closest, editDistance, resolveName } from '../../shared/closest.js';

const NAMES = ['AAPL', 'MSFT', 'NVDA', 'BTC-USD', 'ETH-USD', 'GOOGL', 'META', 'AMD'];

describe('closest names', () => {
  it('measures edits, a swap of neighbours counting one', () => {
    expect(editDistance('AAPL', 'AAPL')).toBe(0);
    expect(editDistance('APPL', 'AAPL')).toBe(1);
    expect(editDistance('GOGL', 'GOOGL')).toBe(1);
    expect(editDistance('', 'AMD')).toBe(3);
    expect(editDistance('MTEA', 'META')).toBe(1);
  });

  it('offers the nearest names first, none when nothing is near', () => {
    expect(closest('appl', NAMES)).toEqual(['AAPL']);
    expect(closest('btcusd', NAMES)[0]).toBe('BTC-USD');
    expect(closest('AMZ', NAMES)).toContain('AMD');
    expect(closest('zzzzzz', NAMES)).toEqual([]);
    expect(closest('', NAMES)).toEqual([]);
  });

  it('resolves any case (and punctuation) when the match is unique', () => {
    expect(resolveName('aapl', NAMES)).toBe('AAPL');
    expect(resolveName('btc-usd', NAMES)).toBe('BTC-USD');
    expect(resolveName('btcusd', NAMES)).toBe('BTC-USD');
    expect(resolveName('APPL', NAMES)).toBeUndefined();
    expect(resolveName('abc', ['ABC', 'A-BC'])).toBeUndefined();
  });
});
