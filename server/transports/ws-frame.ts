/**
 * One buffer, one write per WebSocket frame. `ws` frames a message as two buffers (its header,
 * then our payload) written through writev; our MessagePack frames leave room in front
 * (wire.ts FRAME_ROOM), so the header is written there and the frame goes to the socket in one
 * piece. Only when that is exactly what `ws` would have put on the wire next: the socket is
 * open and writable, no extension (permessage-deflate) was negotiated, and the sender holds
 * nothing back (no queue, no compression or blob read under way, no fragmented message open).
 * Otherwise `ws.send` takes it, in order. Bytes written either way are in the socket's
 * writable length, so `ws.bufferedAmount` (the write gate) counts them the same.
 */
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

/** Bytes of an unmasked server frame header for a payload of `n` bytes (RFC 6455 section 5.2). */
export function headerLength(n: number): number {
  return n < 126 ? 2 : n < 0x10000 ? 4 : 10;
}

/** Writes a FIN binary frame header for `n` payload bytes at `at`; returns its length. Pure. */
export function writeBinaryHeader(buf: Uint8Array, at: number, n: number): number {
  buf[at] = 0x82;
  if (n < 126) {
    buf[at + 1] = n;
    return 2;
  }
  if (n < 0x10000) {
    buf[at + 1] = 126;
    buf[at + 2] = n >>> 8;
    buf[at + 3] = n & 0xff;
    return 4;
  }
  buf[at + 1] = 127;
  // 64-bit length, big-endian; payloads stay far below 2^53.
  const hi = Math.floor(n / 0x1_0000_0000);
  const lo = n >>> 0;
  for (let i = 0; i < 4; i++) buf[at + 2 + i] = (hi >>> (24 - 8 * i)) & 0xff;
  for (let i = 0; i < 4; i++) buf[at + 6 + i] = (lo >>> (24 - 8 * i)) & 0xff;
  return 10;
}

/**
 * The whole frame (header + payload) as one Buffer over `payload`'s memory, the header written
 * into the `room` bytes before it; undefined when the room is too small. Pure but for those bytes.
 */
export function frameInPlace(payload: Uint8Array, room: number): Buffer | undefined {
  const h = headerLength(payload.length);
  if (room < h || payload.byteOffset < h) return undefined;
  const out = Buffer.from(payload.buffer, payload.byteOffset - h, payload.length + h);
  writeBinaryHeader(out, 0, payload.length);
  return out;
}

/** The parts of ws 8's WebSocket and Sender the fast path reads (private fields, checked at open). */
interface WsInternals {
  _socket?: Socket | null;
  _sender?: { _state?: unknown; _queue?: unknown; _bufferedBytes?: unknown; _firstFragment?: unknown } | null;
}

export interface FrameWriter {
  /** Writes `payload` as one binary frame if that is safe now; false: use ws.send instead. */
  write(payload: Uint8Array, room: number): boolean;
  cork(): void;
  uncork(): void;
}

/**
 * A writer for this socket, or undefined when the fast path never applies to it (an extension
 * was negotiated, or this `ws` does not look like the version read: then ws.send does it all).
 */
export function frameWriter(ws: WebSocket): FrameWriter | undefined {
  const w = ws as unknown as WsInternals;
  const socket = w._socket;
  const sender = w._sender;
  if (ws.extensions !== '' || !socket || typeof socket.write !== 'function' || !sender) return undefined;
  if (sender._state !== 0 || !Array.isArray(sender._queue) || sender._bufferedBytes !== 0 || sender._firstFragment !== true) return undefined;
  return {
    write(payload, room) {
      if (ws.readyState !== 1 || sender._state !== 0 || (sender._queue as unknown[]).length !== 0 || sender._bufferedBytes !== 0 || sender._firstFragment !== true) return false;
      if (!socket.writable || socket.destroyed) return false;
      const frame = frameInPlace(payload, room);
      if (!frame) return false;
      socket.write(frame);
      return true;
    },
    cork: () => socket.cork(),
    uncork: () => socket.uncork(),
  };
}
