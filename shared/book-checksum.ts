/**
 * The `book` channel's checksum (protocol v1.1 section 3, Kraken's book v2 algorithm).
 * Pure and dependency-free: runs in Node and in browsers alike.
 *
 * Take the best 10 asks (lowest first), then the best 10 bids (highest first). For each level
 * write the price with exactly `decimals` digits after the point and the size with exactly
 * `sizeDecimals`, remove the `.`, strip leading zeros, and append price then size. The checksum
 * is the CRC32 (IEEE 802.3, as zlib's `crc32`) of that ASCII string, unsigned 32-bit.
 */

/** A price level: [price, size]. */
export type BookLevel = readonly [price: number, size: number];
/** Both sides, best first: bids highest first, asks lowest first. */
export interface BookSides {
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
}

/** Levels per side that enter the checksum. */
export const CHECKSUM_LEVELS = 10;

const TABLE = /* @__PURE__ */ (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC32 (IEEE, reflected, as zlib) of an ASCII string (char codes above 255 are truncated). */
export function crc32(ascii: string, seed = 0): number {
  let c = ~seed >>> 0;
  for (let i = 0; i < ascii.length; i++) c = TABLE[(c ^ ascii.charCodeAt(i)) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** CRC32 as `crc32`, of the bytes `from` to `to` (exclusive) of `buf`. */
export function crc32Bytes(buf: Uint8Array, from: number, to: number, seed = 0): number {
  let c = ~seed >>> 0;
  for (let i = from; i < to; i++) c = TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

const POW10 = Array.from({ length: 21 }, (_, i) => 10 ** i);

/**
 * The fast path of a number's part: a grid value times 10^digits rounds to its exact integer
 * while the product stays far below 2^53 (the double's error is then well under 0.5). That
 * integer, or -1 when the value is beyond it (the part is then made with toFixed).
 */
function gridInteger(x: number, digits: number): number {
  const scaled = x * (POW10[digits] ?? 10 ** digits);
  return scaled >= 0 && scaled < 2 ** 50 && digits <= 20 ? Math.round(scaled) : -1;
}

/**
 * One number's part: fixed `digits` after the point (never the language's float printing),
 * the `.` removed, leading zeros stripped (so zero gives ""). Numbers are assumed >= 0 and
 * on their grid, so rounding is never at a tie and every language agrees.
 */
export function checksumDigits(x: number, digits: number): string {
  const g = gridInteger(x, digits);
  if (g >= 0) return g === 0 ? '' : String(g);
  const s = x.toFixed(digits);
  let i = 0;
  const n = s.length;
  while (i < n && (s.charCodeAt(i) === 48 || s.charCodeAt(i) === 46)) i++; // '0' or '.'
  const rest = s.slice(i);
  return digits > 0 ? rest.replace('.', '') : rest;
}

/**
 * `checksumDigits(x, digits)` as ASCII into `out` from `at`, without making a string: returns
 * where it ends, or -1 when the value takes the slow path (then use checksumDigits). At most 16
 * bytes are written.
 */
export function checksumDigitsInto(x: number, digits: number, out: Uint8Array, at: number): number {
  let n = gridInteger(x, digits);
  if (n < 0) return -1;
  let end = at;
  while (n > 0) {
    const q = Math.floor(n / 10);
    out[end++] = 48 + n - q * 10;
    n = q;
  }
  for (let i = at, j = end - 1; i < j; i++, j--) {
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return end;
}

/** One level's contribution: price digits then size digits. */
export const levelChecksumString = (price: number, size: number, decimals: number, sizeDecimals: number): string =>
  checksumDigits(price, decimals) + checksumDigits(size, sizeDecimals);

/** The string whose CRC32 is the checksum: best 10 asks, then best 10 bids. */
export function bookChecksumString(book: BookSides, decimals: number, sizeDecimals: number): string {
  let s = '';
  const na = Math.min(CHECKSUM_LEVELS, book.asks.length);
  for (let i = 0; i < na; i++) s += levelChecksumString(book.asks[i]![0], book.asks[i]![1], decimals, sizeDecimals);
  const nb = Math.min(CHECKSUM_LEVELS, book.bids.length);
  for (let i = 0; i < nb; i++) s += levelChecksumString(book.bids[i]![0], book.bids[i]![1], decimals, sizeDecimals);
  return s;
}

/** The checksum of a book (sides best first), an unsigned 32-bit integer. */
export const bookChecksum = (book: BookSides, decimals: number, sizeDecimals: number): number =>
  crc32(bookChecksumString(book, decimals, sizeDecimals));
