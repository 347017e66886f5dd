import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bookChecksum, bookChecksumString, checksumDigits, checksumDigitsInto, crc32, crc32Bytes, levelChecksumString } from '../../shared/book-checksum.js';

// The worked vectors of docs/book.md: the Python client tests the same numbers.
const VECTOR_BOOK = {
  asks: [[50000.5, 0.15], [50001, 1], [50002.25, 0.0025]],
  bids: [[50000, 0.5], [49999.75, 2.1], [49998, 10]],
} as const;

describe('book checksum', () => {
  it('computes the IEEE CRC32 check value', () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
    expect(crc32('')).toBe(0);
  });

  it('gives vector 1: one price/size pair', () => {
    expect(levelChecksumString(0.05, 0.00000304, 5, 8)).toBe('5000304');
    expect(crc32('5000304')).toBe(3935865742);
  });

  it('gives vector 2: a whole small book, asks first', () => {
    expect(bookChecksumString(VECTOR_BOOK, 2, 4)).toBe(
      '50000501500500010010000500022525500000050004999975210004999800100000',
    );
    expect(bookChecksum(VECTOR_BOOK, 2, 4)).toBe(2423825216);
  });

  it('formats with fixed decimals, never float printing', () => {
    expect(checksumDigits(10, 2)).toBe('1000');
    expect(checksumDigits(0.1 + 0.2, 2)).toBe('30');
    expect(checksumDigits(1e-7, 8)).toBe('10');
    expect(checksumDigits(123, 0)).toBe('123');
    expect(checksumDigits(0, 3)).toBe('');
  });

  it('gives the digits of toFixed for every grid value (the fast integer path agrees)', () => {
    const slow = (x: number, d: number) => x.toFixed(d).replace('.', '').replace(/^0+/, '');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8 }), fc.bigInt({ min: 0n, max: 10n ** 15n }), (d, n) => {
        const x = Number(n) / 10 ** d; // the grid value's double, as Microstructure makes them
        expect(checksumDigits(x, d)).toBe(slow(x, d));
      }),
      { numRuns: 5000 },
    );
    expect(checksumDigits(1e17, 2)).toBe(slow(1e17, 2)); // beyond the fast path: toFixed
  });

  it('writes the same digits as bytes, and their CRC is the string\'s (or says to take the string)', () => {
    const buf = new Uint8Array(40).fill(7);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 }), fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 16n }).map((n) => Number(n)), fc.double({ min: 0, max: 1e25, noNaN: true })), fc.integer({ min: 0, max: 4 }), (d, n, at) => {
        const x = n / 10 ** Math.min(d, 8);
        const end = checksumDigitsInto(x, d, buf, at);
        const text = checksumDigits(x, d);
        if (end < 0) return; // the slow path: the caller takes the string
        expect(end - at).toBeLessThanOrEqual(16);
        expect(String.fromCharCode(...buf.subarray(at, end))).toBe(text);
        expect(crc32Bytes(buf, at, end, 12345)).toBe(crc32(text, 12345));
      }),
      { numRuns: 3000 },
    );
    expect(checksumDigitsInto(1e17, 2, buf, 0)).toBe(-1);
  });

  it('chains: the CRC of a concatenation is the CRC of the tail seeded with the head', () => {
    expect(crc32('5000304', crc32('5000050'))).toBe(crc32('50000505000304'));
  });

  it('uses only the best 10 levels of each side', () => {
    const side = (from: number, step: number) => Array.from({ length: 15 }, (_, i) => [from + i * step, 1] as const);
    const full = { asks: side(101, 1), bids: side(100, -1) };
    const top = { asks: full.asks.slice(0, 10), bids: full.bids.slice(0, 10) };
    expect(bookChecksum(full, 0, 0)).toBe(bookChecksum(top, 0, 0));
    const changedDeep = { asks: full.asks, bids: [...full.bids.slice(0, 12), [50, 9] as const] };
    expect(bookChecksum(changedDeep, 0, 0)).toBe(bookChecksum(full, 0, 0));
    const changedTenth = { asks: full.asks, bids: full.bids.map((l, i) => (i === 9 ? ([l[0], 2] as const) : l)) };
    expect(bookChecksum(changedTenth, 0, 0)).not.toBe(bookChecksum(full, 0, 0));
  });
});
