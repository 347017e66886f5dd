/** The client's pure parts for books and tokens: BookChecks (deferred checks until the decimals come) and the refresh schedule. */
import { describe, expect, it } from 'vitest';
import { bookChecksum } from '../../shared/book-checksum.js';
import type { BookState } from '../../shared/book.js';
import { BookChecks } from '../../shared/client/book-checks.js';
import { refreshDelay, TokenRefresher } from '../../shared/client/token-refresh.js';
import { until } from '../helpers/wait.js';

const book = (bids: [number, number][], asks: [number, number][], wrong = false): BookState => ({ bids, asks, ts: 1, checksum: bookChecksum({ bids, asks }, 2, 3) + (wrong ? 1 : 0) });
const info = [{ symbol: 'A', decimals: 2, sizeDecimals: 3 }, { symbol: 'B', decimals: 'x', sizeDecimals: 1 }];

describe('BookChecks', () => {
  it('holds books until the decimals come, then checks each and names the mismatched symbols', () => {
    const c = new BookChecks();
    expect(c.check('A', book([[1, 1]], [[2, 1]]))).toBe('later');
    expect(c.check('A', book([[1, 2]], [[2, 1]], true))).toBe('later');
    expect(c.setInfo(info)).toEqual(['A']);
    expect({ verified: c.verified, mismatched: c.mismatched }).toEqual({ verified: 1, mismatched: 1 });
    expect(c.check('A', book([[1.5, 0.25]], [[2, 1]]))).toBe('ok');
    // B's entry has no whole-number decimals; C is not listed: neither can be checked.
    expect(c.check('B', book([], []))).toBe('unverified');
    expect(c.check('C', book([], []))).toBe('unverified');
    expect(c.unverified).toBe(2);
  });

  it('accepts {symbols: [...]} too, and counts books as unverified once the fetch has failed', () => {
    const c = new BookChecks();
    c.check('A', book([], []));
    c.giveUp();
    expect(c.unverified).toBe(1);
    expect(c.check('A', book([], []))).toBe('unverified');
    c.loading();
    expect(c.check('A', book([], []))).toBe('later');
    expect(c.setInfo({ symbols: info })).toEqual([]);
    expect(c.verified).toBe(1);
  });
});

describe('token refresh', () => {
  it('refreshes at 80% of the time left, at least 1 s before expiry, never in the past', () => {
    expect(refreshDelay(100_000, 0)).toBe(80_000);
    expect(refreshDelay(4000, 0)).toBe(3000);
    expect(refreshDelay(1500, 1000)).toBe(0);
    expect(refreshDelay(0, 1000)).toBe(0);
  });

  it('sends a fresh token, adopts it when refreshed, retries when refused', async () => {
    let now = 0;
    let n = 0;
    const sent: { id: number; token: string }[] = [];
    const adopted: string[] = [];
    const r = new TokenRefresher({ getToken: async () => `t${++n}`, send: (token) => (sent.push({ id: sent.length + 1, token }), sent.length), adopt: (t) => adopted.push(t), now: () => now });
    r.arm(1000 + 20); // refresh due at 20 ms
    await until('the first refresh', () => sent.length === 1, 1000, 5);
    expect(sent[0]).toEqual({ id: 1, token: 't1' });
    r.refreshed(99, 5000); // not ours
    expect(adopted).toEqual([]);
    now = -580;
    expect(r.refused(1)).toBe(true); // refused while 1.6 s are left: retried after half of that
    await until('the retry', () => sent.length === 2, 1000, 5);
    r.refreshed(2, now + 1020);
    expect(adopted).toEqual(['t2']);
    await until('the next refresh', () => sent.length === 3, 1000, 5);
    r.stop();
  });
});
