import { describe, expect, it } from 'vitest';
import type { BookData } from '../../shared/protocol.js';
import { ladderLines } from '../../scripts/subscribe/ladder.js';

const book: BookData = {
  asks: [[50000.5, 0.15], [50001, 1], [50002.25, 0.0025]],
  bids: [[50000, 0.5], [49999.75, 2.1], [49998, 10]],
  checksum: 2423825216,
  ts: 0,
};

describe('ladder', () => {
  const lines = ladderLines('BTC-USD', book, { decimals: 2, sizeDecimals: 4, seq: 7, checksumOk: true, barWidth: 10 });

  it('puts asks above (highest first), the spread between, bids below (best first)', () => {
    expect(lines[0]).toBe('BTC-USD book  seq 7  checksum 2423825216 ok');
    const prices = lines.slice(2).map((l) => l.trim().split(/\s+/)[0]);
    expect(prices).toEqual(['50002.25', '50001.00', '50000.50', '----', '50000.00', '49999.75', '49998.00']);
    expect(lines[5]).toContain('spread 0.50 (0.1 bps)');
  });

  it('prints sizes and cumulative sizes with fixed decimals, and bars that grow with the total', () => {
    const bestAsk = lines[4]!.trim().split(/\s+/);
    expect(bestAsk.slice(0, 3)).toEqual(['50000.50', '0.1500', '0.1500']);
    const deepBid = lines[8]!.trim().split(/\s+/);
    expect(deepBid.slice(0, 3)).toEqual(['49998.00', '10.0000', '12.6000']);
    const bar = (l: string) => (l.match(/█+/)?.[0].length ?? 0);
    expect(bar(lines[8]!)).toBe(10); // the largest total gets the whole width
    expect(bar(lines[6]!)).toBeLessThan(bar(lines[7]!));
    expect(bar(lines[4]!)).toBeGreaterThanOrEqual(1); // every level shows at least one block
  });

  it('says so on a checksum mismatch, and copes with an empty side and fewer levels', () => {
    const bad = ladderLines('X', { ...book, asks: [] }, { decimals: 2, sizeDecimals: 4, checksumOk: false, levels: 2 });
    expect(bad[0]).toContain('MISMATCH');
    expect(bad).toContain('---- one side empty ----');
    expect(bad.length).toBe(2 + 1 + 2);
  });
});
