import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../server/lib/token-bucket.js';

describe('TokenBucket', () => {
  it('admits a full burst, refuses the next, and refills at the rate', () => {
    const b = new TokenBucket(10, 20, 1000);
    for (let i = 0; i < 20; i++) expect(b.take(1000)).toBe(true);
    expect(b.take(1000)).toBe(false);
    expect(b.take(1050)).toBe(false); // half a token
    expect(b.take(1100)).toBe(true); // one token after 100 ms at 10/s
    expect(b.full(1100)).toBe(false);
    expect(b.full(1100 + 2000)).toBe(true);
    expect(b.take(0)).toBe(true); // a clock going back adds nothing, takes from what is there
  });
});
