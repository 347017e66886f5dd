import { describe, expect, it } from 'vitest';
import { IntColumns } from '../../server/market/int-columns.js';

describe('IntColumns', () => {
  it('widens one column at a time (Int8, Int16, Int32, Float64) and keeps every value, across a ring resize', () => {
    const c = new IntColumns(3, 4);
    expect(c.bytes).toBe(12);
    const values = [
      [1, -128, 127],
      [200, 5, -7],
      [-40000, 3, 2 ** 40],
      [2 ** 31, 0.5, -1],
    ];
    values.forEach((row, i) => row.forEach((v, col) => c.set(col, i, v)));
    values.forEach((row, i) => row.forEach((v, col) => expect(c.get(col, i)).toBe(v)));
    // Column 0 reached Float64 (2^31), column 1 too (0.5), column 2 too (2^40).
    expect(c.bytes).toBe(3 * 4 * 8);
    // A ring of 4 whose oldest is slot 2, unrolled into 8 slots.
    c.resize(8, 2, 4);
    [2, 3, 0, 1].forEach((from, k) => values[from]!.forEach((v, col) => expect(c.get(col, k)).toBe(v)));
    expect(c.bytes).toBe(3 * 8 * 8);
  });

  it('stays one byte a value for small integers and scales a column exactly', () => {
    const c = new IntColumns(2, 3);
    [3, -2, 9].forEach((v, i) => (c.set(0, i, v), c.set(1, i, 1)));
    expect(c.bytes).toBe(6);
    c.scale(0, 1000);
    expect([0, 1, 2].map((i) => c.get(0, i))).toEqual([3000, -2000, 9000]);
    expect(c.bytes).toBe(3 * 2 + 3);
  });
});
