/**
 * Reads the top of a server message without decoding it: its `type`, `t` and how many `items`
 * it carries. Walks the top-level map and skips values it does not need, so counting an
 * `update` costs a few byte reads however many items it holds.
 */

export interface Peek {
  type: string;
  t: number;
  items: number;
}

/** Returns undefined when the bytes are not a MessagePack map with a string `type`. */
export function peek(b: Uint8Array): Peek | undefined {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let o = 0;
  const h = b[o++];
  let n: number;
  if ((h & 0xf0) === 0x80) n = h & 0x0f;
  else if (h === 0xde) (n = dv.getUint16(o)), (o += 2);
  else return undefined;
  const out: Peek = { type: '', t: 0, items: 0 };
  for (let i = 0; i < n && o < b.length; i++) {
    const k = b[o];
    if ((k & 0xe0) !== 0xa0) return out.type ? out : undefined; // keys are short strings here
    const klen = k & 0x1f;
    const key = klen <= 5 ? latin1(b, o + 1, klen) : '';
    o += 1 + klen;
    if (key === 'type' && (b[o] & 0xe0) === 0xa0) out.type = latin1(b, o + 1, b[o] & 0x1f);
    else if (key === 't') out.t = num(b, dv, o);
    else if (key === 'items') {
      const a = b[o];
      out.items = (a & 0xf0) === 0x90 ? a & 0x0f : a === 0xdc ? dv.getUint16(o + 1) : a === 0xdd ? dv.getUint32(o + 1) : 0;
      if (out.type) return out; // items come last in Tickwire frames: never walk them
    }
    o = skip(b, dv, o);
  }
  return out.type ? out : undefined;
}

function latin1(b: Uint8Array, o: number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(b[o + i]);
  return s;
}

function num(b: Uint8Array, dv: DataView, o: number): number {
  const h = b[o];
  if (h < 0x80) return h;
  switch (h) {
    case 0xcb: return dv.getFloat64(o + 1);
    case 0xca: return dv.getFloat32(o + 1);
    case 0xcc: return b[o + 1];
    case 0xcd: return dv.getUint16(o + 1);
    case 0xce: return dv.getUint32(o + 1);
    case 0xcf: return Number(dv.getBigUint64(o + 1));
    case 0xd3: return Number(dv.getBigInt64(o + 1));
    default: return NaN;
  }
}

/** Offset just past the value at `o`. */
export function skip(b: Uint8Array, dv: DataView, o: number): number {
  const h = b[o];
  if (h < 0x80 || h >= 0xe0 || h === 0xc0 || h === 0xc2 || h === 0xc3) return o + 1;
  if ((h & 0xe0) === 0xa0) return o + 1 + (h & 0x1f);
  if ((h & 0xf0) === 0x90) return skipN(b, dv, o + 1, h & 0x0f);
  if ((h & 0xf0) === 0x80) return skipN(b, dv, o + 1, (h & 0x0f) * 2);
  switch (h) {
    case 0xcc: case 0xd0: return o + 2;
    case 0xcd: case 0xd1: return o + 3;
    case 0xca: case 0xce: case 0xd2: return o + 5;
    case 0xcb: case 0xcf: case 0xd3: return o + 9;
    case 0xd9: case 0xc4: return o + 2 + b[o + 1];
    case 0xda: case 0xc5: return o + 3 + dv.getUint16(o + 1);
    case 0xdb: case 0xc6: return o + 5 + dv.getUint32(o + 1);
    case 0xdc: return skipN(b, dv, o + 3, dv.getUint16(o + 1));
    case 0xdd: return skipN(b, dv, o + 5, dv.getUint32(o + 1));
    case 0xde: return skipN(b, dv, o + 3, dv.getUint16(o + 1) * 2);
    case 0xdf: return skipN(b, dv, o + 5, dv.getUint32(o + 1) * 2);
    default: throw new Error(`unexpected MessagePack byte 0x${h.toString(16)}`);
  }
}

function skipN(b: Uint8Array, dv: DataView, o: number, n: number): number {
  for (let i = 0; i < n; i++) o = skip(b, dv, o);
  return o;
}
