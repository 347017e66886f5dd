/**
 * MessagePack codec for protocol v1: standard MessagePack only (maps, arrays, strings,
 * numbers, booleans, nil), never msgpackr records or extensions, so any library decodes it.
 */
import { Packr, Unpackr } from 'msgpackr';

const packr = new Packr({
  useRecords: false,
  moreTypes: false,
  structuredClone: false,
  bundleStrings: false,
  encodeUndefinedAsNil: true,
  variableMapSize: true, // fixmap headers for small maps: fewer bytes per item
});

const unpackr = new Unpackr({
  useRecords: false,
  mapsAsObjects: true,
  moreTypes: false,
  structuredClone: false,
  int64AsType: 'number',
});

/** Encodes one value. Non-integers become float64. Returns a Node Buffer (a Uint8Array in browsers). */
export function encode(value: unknown): Uint8Array {
  return packr.pack(value);
}

export type Decoded = { ok: true; value: unknown } | { ok: false; error: string };

/**
 * Decodes exactly one MessagePack value from `bytes`. Never throws: hostile input (truncated,
 * trailing bytes, reserved type 0xc1, extension types) yields `{ ok: false }`. A map key
 * `__proto__` arrives as `__proto_` (msgpackr's guard against prototype pollution); the protocol
 * has no such key.
 */
export function decode(bytes: Uint8Array): Decoded {
  if (bytes.length === 0) return { ok: false, error: 'empty frame' };
  try {
    const values: unknown[] = [];
    unpackr.unpackMultiple(bytes as Buffer, (v: unknown) => {
      values.push(v);
      return values.length < 2; // stop early on trailing garbage
    });
    if (values.length !== 1) return { ok: false, error: 'frame holds more than one MessagePack value' };
    const bad = unsupported(values[0], 0);
    if (bad) return { ok: false, error: bad };
    return { ok: true, value: values[0] };
  } catch (err) {
    return { ok: false, error: `not MessagePack: ${(err as Error).message}` };
  }
}

/** Nesting deeper than any protocol message needs. */
const MAX_DEPTH = 32;

/** msgpackr turns known extensions (timestamps) into objects; the protocol has none. */
function unsupported(v: unknown, depth: number): string | undefined {
  if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v)) return undefined; // bin is standard
  if (depth > MAX_DEPTH) return `nesting deeper than ${MAX_DEPTH} levels`;
  const proto = Object.getPrototypeOf(v);
  if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) return 'MessagePack extension types are not accepted';
  for (const k in v) {
    const bad = unsupported((v as Record<string, unknown>)[k], depth + 1);
    if (bad) return bad;
  }
  return undefined;
}

// ---- Pieces for building frames from items encoded once (shared by many sessions).

/** MessagePack header for an array of `n` elements. */
export function arrayHeader(n: number): Uint8Array {
  if (n < 16) return Uint8Array.of(0x90 | n);
  if (n < 0x10000) return Uint8Array.of(0xdc, n >> 8, n & 0xff);
  return Uint8Array.of(0xdd, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}
