/**
 * What FEED_SEED repeats (the README's "What a seed repeats"): the instruments, the price, quote
 * and book at start, and the 1-minute closes walked back from that price, whatever the start
 * time; the session's open depends on where the UTC day begins in that walk, so it may differ.
 */
import { describe, expect, it } from 'vitest';
import { SimSource } from '../../server/feed/sim-source.js';

const at = (t: number) => new SimSource({ seed: 'tickwire', rate: 5, symbols: 20, now: () => t });

describe('FEED_SEED', () => {
  it('repeats the instruments, the start and the walk back from it at any start time', () => {
    const a = at(Date.UTC(2026, 11, 6, 10, 0, 0));
    const b = at(Date.UTC(2026, 11, 7, 15, 0, 0)); // the next day, another hour
    expect(b.instruments).toEqual(a.instruments);
    for (const symbol of ['AAPL', 'BTC-USD', 'EURUSD']) {
      const [ha, hb] = [a.history(symbol), b.history(symbol)];
      expect(hb.last).toBe(ha.last);
      expect(hb.quote).toEqual(ha.quote);
      expect(hb.book).toEqual(ha.book);
      // Whole-minute starts: the same closes, minute for minute back from the start.
      expect(hb.bars['1m'].slice(-120).map((x) => x.close)).toEqual(ha.bars['1m'].slice(-120).map((x) => x.close));
    }
    expect(at(Date.UTC(2026, 11, 6, 10, 0, 0)).history('AAPL').session).toEqual(a.history('AAPL').session);
  });
});
