/**
 * BookState keeps the checksum chain's value after each level and redoes it only from the
 * lowest level changed: every event's checksum equals the whole recomputation, through
 * inserts, removals and size changes at every depth, sides thinner than 10 levels included. Pure.
 */
import { describe, expect, it } from 'vitest';
import { bookChecksum } from '../../shared/book-checksum.js';
import { Rng } from '../../server/feed/rng.js';
import { BookState } from '../../server/market/book-state.js';

describe('the book checksum chain', () => {
  for (const depth of [5, 10, 20]) {
    it(`equals the whole recomputation after every event (depth ${depth})`, () => {
      const rng = new Rng(`chain/${depth}`);
      const mk = (n: number, base: number, dir: number) => Array.from({ length: n }, (_, i) => [Math.round((base + dir * (i + 1) * 0.01) * 100) / 100, 1 + rng.int(900)] as [number, number]);
      const b = new BookState({ decimals: 2, sizeDecimals: 0, bids: mk(12, 100, -1), asks: mk(12, 100, 1) }, depth);
      expect(b.checksum).toBe(bookChecksum(b.snapshot(), 2, 0));
      let changed = 0;
      for (let step = 0; step < 3000; step++) {
        // Levels 0.01 apart around 100; sizes 0 (removal) often enough to thin a side below 10.
        const level = (dir: number): [number, number] => [Math.round((100 + dir * (1 + rng.int(step % 500 < 250 ? 16 : 11)) * 0.01) * 100) / 100, rng.next() < (step % 300 < 150 ? 0.7 : 0.3) ? 0 : 1 + rng.int(900)];
        const bids = Array.from({ length: rng.int(4) }, () => level(-1));
        const asks = Array.from({ length: rng.int(4) }, () => level(1));
        const d = b.apply({ bids, asks }, step);
        if (d) changed++;
        expect(b.checksum, `step ${step}`).toBe(bookChecksum(b.snapshot(), 2, 0));
      }
      expect(changed).toBeGreaterThan(1000);
    });
  }
});
