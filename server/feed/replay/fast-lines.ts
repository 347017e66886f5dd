/**
 * The hot path of the reader for the big Tardis files (trades, incremental_book_L2): a line is
 * read in place, by comma positions and digits, without splitting it into strings; numbers come
 * out as `Number()` would give them (an integer mantissa below 2^53 divided once by an exact
 * power of ten is correctly rounded). Anything unusual (an exponent, a sign, too many digits)
 * falls back to `Number()` on the field. Both formats end with price,amount (the scan relies on
 * it: cursor.ts). Pure.
 */
import type { Row } from './row.js';

const COMMA = 44, DOT = 46, ZERO = 48, NINE = 57;
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** Comma positions of `line` into `at`; returns how many there were (stops past `at`'s length). */
function commas(line: string, at: Int32Array): number {
  let n = 0;
  for (let i = line.indexOf(',', 0); i >= 0 && n < at.length; i = line.indexOf(',', i + 1)) at[n++] = i;
  return n;
}

/** The decimal number in line[from, to), NaN when it is not one. */
export function decimalAt(line: string, from: number, to: number): number {
  if (from >= to) return NaN;
  let m = 0;
  let frac = -1;
  for (let i = from; i < to; i++) {
    const c = line.charCodeAt(i);
    if (c >= ZERO && c <= NINE) {
      m = m * 10 + (c - ZERO);
      if (frac >= 0) frac++;
    } else if (c === DOT && frac < 0) frac = 0;
    else return Number(line.slice(from, to)); // exponent, sign, spaces: the slow, exact way
  }
  if (m > Number.MAX_SAFE_INTEGER || frac > 22) return Number(line.slice(from, to));
  return frac > 0 ? m / POW10[frac]! : frac === 0 && to - from === 1 ? NaN : m;
}

/** A non-negative integer of µs in line[from, to) as ms, NaN when it is not one. */
function microsAt(line: string, from: number, to: number): number {
  if (from >= to || to - from > 16) return NaN;
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = line.charCodeAt(i);
    if (c < ZERO || c > NINE) return NaN;
    v = v * 10 + (c - ZERO);
  }
  return v / 1000;
}

/** Line readers for one file: they keep the last symbol string, so rows of one symbol share it. */
export function fastTardis(kind: 'trades' | 'incremental_book_L2'): (line: string) => Row | string {
  const at = new Int32Array(8);
  let symbol = '';
  const symbolOf = (line: string, from: number, to: number): string => {
    if (to - from !== symbol.length || !line.startsWith(symbol, from)) symbol = line.slice(from, to);
    return symbol;
  };
  return (line) => {
    if (commas(line, at) !== 7) return `expected 8 columns, got ${line.split(',').length}`;
    const sym = symbolOf(line, at[0]! + 1, at[1]!);
    const ts = microsAt(line, at[1]! + 1, at[2]!);
    const recv = microsAt(line, at[2]! + 1, at[3]!);
    if (Number.isNaN(ts) || Number.isNaN(recv)) return 'timestamp is not a time';
    const price = decimalAt(line, at[5]! + 1, at[6]!);
    const amount = decimalAt(line, at[6]! + 1, line.length);
    if (!(price > 0)) return 'price is not a number';
    if (!(amount >= 0)) return 'amount is not a number';
    const f = line.slice(at[4]! + 1, at[5]!);
    if (kind === 'trades') {
      const side = f === 'buy' || f === 'sell' ? f : 'unknown';
      return { kind: 'trade', symbol: sym, recv, ts, id: line.slice(at[3]! + 1, at[4]!), side, price, amount };
    }
    const snap = line.slice(at[3]! + 1, at[4]!);
    if (snap !== 'true' && snap !== 'false') return 'is_snapshot must be true or false';
    if (f !== 'bid' && f !== 'ask') return 'side must be bid or ask';
    return { kind: 'l2', symbol: sym, recv, ts, snapshot: snap === 'true', side: f, price, amount };
  };
}
