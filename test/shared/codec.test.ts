import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arrayHeader, decode, encode } from '../../shared/codec.js';

describe('codec', () => {
  it('round-trips protocol messages exactly', () => {
    const msg = { type: 'update', t: 1795714524790.25, items: [{ ch: 'ticker', s: 'AAPL', seq: 5, prev: 4, d: { bid: 232.68, ts: 1795714524778.56 } }] };
    expect(decode(encode(msg))).toEqual({ ok: true, value: msg });
  });

  // Any map key but `__proto__`, which the next test covers.
  const hasProtoKey = (v: unknown): boolean =>
    typeof v === 'object' && v !== null &&
    (Array.isArray(v) ? v.some(hasProtoKey) : Object.entries(v).some(([k, x]) => k === '__proto__' || hasProtoKey(x)));

  it('round-trips arbitrary JSON-like values', () => {
    fc.assert(
      fc.property(fc.jsonValue().filter((v) => !hasProtoKey(v)), (v) => {
        const r = decode(encode(v));
        expect(r.ok).toBe(true);
        // -0 encodes as 0 in MessagePack integers
        expect(JSON.stringify(r.ok && r.value)).toEqual(JSON.stringify(v));
      }),
    );
  });

  it('never lets a __proto__ key reach a prototype: it decodes as __proto_', () => {
    const hostile = JSON.parse('{"a":{"__proto__":{"polluted":1}}}') as unknown;
    expect(hasProtoKey(hostile)).toBe(true);
    const r = decode(encode(hostile));
    expect(r.ok).toBe(true);
    const a = (r as { value: { a: Record<string, unknown> } }).value.a;
    expect(Object.getPrototypeOf(a)).toBe(Object.prototype);
    expect(a.polluted).toBeUndefined();
    expect(Object.keys(a)).toEqual(['__proto_']);
    expect(a.__proto_).toEqual({ polluted: 1 });
    expect((({}) as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('writes non-integers as float64 and small maps as fixmap, with no extension types', () => {
    const b = encode({ x: 1.5 });
    expect(b[0]).toBe(0x81);
    expect([...b.slice(3)]).toEqual([0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0]);
    const all = encode({ type: 'hello', n: [1, -1, 2 ** 40, 0.1], s: 'x'.repeat(40), b: true, z: null });
    for (const byte of [0xc7, 0xc8, 0xc9, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8]) expect(all.includes(byte) && byte === all[0]).toBe(false);
  });

  it('rejects hostile bytes without throwing', () => {
    const cases: number[][] = [
      [], // empty
      [0xc1], // reserved
      [0x81, 0xa1, 0x61], // truncated map
      [0xdd, 0x7f, 0xff, 0xff, 0xff], // array claiming 2^31 elements
      [0xdb, 0xff, 0xff, 0xff, 0xff], // str32 claiming 4 GiB
      [0xd6, 0xff, 0, 0, 0, 1], // timestamp extension
      [0xc7, 0x05, 0x01, 1, 2, 3, 4, 5], // ext8
      [0x01, 0x02], // two values
      [...new Array(100000).fill(0x91), 0xc0], // deeply nested arrays
    ];
    for (const c of cases) expect(decode(Uint8Array.from(c)).ok, `bytes ${c.slice(0, 6)}`).toBe(false);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => void decode(bytes)));
  });

  it('builds array headers of every size class', () => {
    for (const n of [0, 15, 16, 65535, 65536]) {
      const items = new Array(n).fill(0);
      const built = Buffer.concat([arrayHeader(n), Buffer.alloc(n, 0)]);
      expect(decode(built)).toEqual({ ok: true, value: items });
    }
  });
});
