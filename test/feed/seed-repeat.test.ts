/**
 * What FEED_SEED repeats (README, "What a seed repeats"): the history's path is anchored to the
 * UTC day, so every start on the same UTC day gives the same bars for the same times (1s, 1m,
 * 5m, 1h: all but each start's own last, partial bar), and the live walk starts where that path
 * is at the start. Another day, or another seed, gives another path.
 */
import { describe, expect, it } from 'vitest';
import type { Candle, Interval } from '../../shared/protocol.js';
import { SimSource } from '../../server/feed/sim-source.js';

const at = (t: number, seed = 'tickwire') => new SimSource({ seed, rate: 5, symbols: 20, now: () => t });
const INTERVALS: Interval[] = ['1s', '1m', '5m', '1h'];

/** The bars of `b` at the times of `a`'s whole bars (a's last one is partial), and those of `a`. */
function overlap(a: Candle[], b: Candle[]): [Candle[], Candle[]] {
  const byTime = new Map(b.map((x) => [x.time, x]));
  const mine = a.slice(0, -1).filter((x) => byTime.has(x.time));
  return [mine, mine.map((x) => byTime.get(x.time)!)];
}

describe('FEED_SEED', () => {
  it('gives the same bars for the same times to every start on the same UTC day', () => {
    const a = at(Date.UTC(2026, 11, 6, 10, 17, 41, 250));
    const b = at(Date.UTC(2026, 11, 6, 10, 58, 3, 900)); // 40 minutes later: the 1s hours overlap
    const c = at(Date.UTC(2026, 11, 6, 23, 59, 59, 999)); // the day's last millisecond
    expect(b.instruments).toEqual(a.instruments);
    for (const symbol of ['AAPL', 'BTC-USD', 'EURUSD']) {
      const [ha, hb, hc] = [a.history(symbol), b.history(symbol), c.history(symbol)];
      for (const iv of INTERVALS) {
        const [mine, theirs] = overlap(ha.bars[iv], hb.bars[iv]);
        expect(mine.length, `${symbol} ${iv}`).toBeGreaterThan(iv === '1h' ? 5 : 30);
        expect(theirs, `${symbol} ${iv}`).toEqual(mine);
      }
      const [mine, theirs] = overlap(ha.bars['1m'], hc.bars['1m']);
      expect(mine.length).toBeGreaterThan(600); // from 00:00 UTC on: c's window starts at the anchor
      expect(theirs).toEqual(mine);
    }
  });

  it('starts the live walk where the path is at the start: two starts at the same time are identical', () => {
    const t = Date.UTC(2026, 11, 6, 15, 30, 0, 123);
    const [a, b] = [at(t), at(t)];
    for (const symbol of ['AAPL', 'BTC-USD']) {
      const [ha, hb] = [a.history(symbol), b.history(symbol)];
      expect(hb.quote).toEqual(ha.quote);
      expect(hb.book).toEqual(ha.book);
      expect(hb.last).toBe(ha.last);
      expect(ha.last).toBe(ha.bars['1s'].at(-1)!.close);
    }
  });

  it('gives another path on another UTC day, and for another seed', () => {
    const late = at(Date.UTC(2026, 11, 6, 23, 0, 0)); // anchored at Dec 6, 00:00 UTC
    const nextDay = at(Date.UTC(2026, 11, 7, 1, 0, 0)); // anchored at Dec 7: 22 h of the same times
    const otherSeed = at(Date.UTC(2026, 11, 6, 23, 0, 0), 'other');
    const [mine, theirs] = overlap(late.history('AAPL').bars['1m'], nextDay.history('AAPL').bars['1m']);
    expect(mine.length).toBeGreaterThan(1000);
    expect(theirs.filter((x, i) => x.close !== mine[i].close).length).toBeGreaterThan(900);
    const [own, other] = overlap(late.history('AAPL').bars['1m'], otherSeed.history('AAPL').bars['1m']);
    expect(other.filter((x, i) => x.close !== own[i].close).length).toBeGreaterThan(1000);
  });
});
