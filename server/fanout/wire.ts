/**
 * The two encodings a session can speak: MessagePack (WebSocket) and JSON (SSE). Items are
 * encoded once and the frame around them is built by concatenation, so an item shared by
 * many sessions at one flush costs one encoding.
 */
import { arrayHeader, encode } from '../../shared/codec.js';

export type Encoded = Uint8Array | string;

export interface Wire {
  /** Index into per-encoding caches. */
  readonly index: 0 | 1;
  message(msg: object): Encoded;
  item(item: object): Encoded;
  /** A `{type, t, items}` message from items already encoded by this wire. */
  frame(type: 'update' | 'snapshot', t: number, items: Encoded[]): Encoded;
}

const ITEMS_KEY = encode('items');

export const msgpackWire: Wire = {
  index: 0,
  message: (m) => encode(m),
  item: (i) => encode(i),
  frame(type, t, items) {
    const head = encode({ type, t });
    const arr = arrayHeader(items.length);
    let size = head.length + ITEMS_KEY.length + arr.length;
    for (const it of items) size += (it as Uint8Array).length;
    const out = Buffer.allocUnsafe(size);
    out.set(head, 0);
    out[0] = 0x83; // fixmap of 3: type, t, items
    let o = head.length;
    out.set(ITEMS_KEY, o);
    o += ITEMS_KEY.length;
    out.set(arr, o);
    o += arr.length;
    for (const it of items) {
      out.set(it as Uint8Array, o);
      o += (it as Uint8Array).length;
    }
    return out;
  },
};

export const jsonWire: Wire = {
  index: 1,
  message: (m) => JSON.stringify(m),
  item: (i) => JSON.stringify(i),
  frame: (type, t, items) => `{"type":"${type}","t":${t},"items":[${(items as string[]).join(',')}]}`,
};
