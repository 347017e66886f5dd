/**
 * The two encodings a session can speak: MessagePack (WebSocket) and JSON (SSE). Items are
 * encoded once and the frame around them is built by concatenation, so an item shared by
 * many sessions at one flush costs one encoding.
 */
import { encode } from '../../shared/codec.js';

export type Encoded = Uint8Array | string;

export interface Wire {
  /** Index into per-encoding caches. */
  readonly index: 0 | 1;
  message(msg: object): Encoded;
  item(item: object): Encoded;
  /** A `{type, t, items}` message from items already encoded by this wire. */
  frame(type: 'update' | 'snapshot', t: number, items: Encoded[]): Encoded;
  /**
   * Bytes free in front of every frame() result, in the same memory and owned by that frame
   * alone: a transport may write its own header there and send header and frame as one buffer.
   */
  readonly room: number;
}

/** Room in front of MessagePack frames: the longest WebSocket server frame header (2 + 8 length bytes). */
export const FRAME_ROOM = 10;

const ITEMS_KEY = encode('items');
/** `{type: <type>, t: ` up to t's value: fixmap of 3 (type, t, items), keys and type pre-encoded. */
const HEADS = {
  update: Buffer.concat([Uint8Array.of(0x83), encode('type'), encode('update'), encode('t')]),
  snapshot: Buffer.concat([Uint8Array.of(0x83), encode('type'), encode('snapshot'), encode('t')]),
};

export const msgpackWire: Wire = {
  index: 0,
  room: FRAME_ROOM,
  message: (m) => encode(m),
  item: (i) => encode(i),
  // One allocation and one copy per item; the bytes are those encode({type, t, items}) gives,
  // after FRAME_ROOM bytes left for the transport's header.
  frame(type, t, items) {
    const head = HEADS[type];
    // encode() writes 32-bit integers as ints and every other number as float64 (Date.now() included).
    const tInt = t >>> 0 === t || t >> 0 === t ? encode(t) : undefined;
    const n = items.length;
    let size = head.length + (tInt ? tInt.length : 9) + ITEMS_KEY.length + (n < 16 ? 1 : n < 0x10000 ? 3 : 5);
    for (let i = 0; i < n; i++) size += items[i].length;
    const out = Buffer.allocUnsafe(FRAME_ROOM + size).subarray(FRAME_ROOM);
    out.set(head, 0);
    let o = head.length;
    if (tInt) {
      out.set(tInt, o);
      o += tInt.length;
    } else {
      out[o] = 0xcb;
      o = out.writeDoubleBE(t, o + 1);
    }
    out.set(ITEMS_KEY, o);
    o += ITEMS_KEY.length;
    if (n < 16) out[o++] = 0x90 | n;
    else if (n < 0x10000) (out[o] = 0xdc), (o = out.writeUInt16BE(n, o + 1));
    else (out[o] = 0xdd), (o = out.writeUInt32BE(n, o + 1));
    for (let i = 0; i < n; i++) {
      const it = items[i] as Uint8Array;
      out.set(it, o);
      o += it.length;
    }
    return out;
  },
};

export const jsonWire: Wire = {
  index: 1,
  room: 0,
  message: (m) => JSON.stringify(m),
  item: (i) => JSON.stringify(i),
  frame: (type, t, items) => `{"type":"${type}","t":${t},"items":[${(items as string[]).join(',')}]}`,
};
