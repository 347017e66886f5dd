/**
 * WebSocket frames written in one piece (server/transports/ws-frame.ts): the header bytes, and
 * over a real socket that a `ws` client decodes them, in order with what ws.send wrote, that
 * the bytes queued count in bufferedAmount, and that permessage-deflate turns the path off.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { decode, encode } from '../../shared/codec.js';
import { FRAME_ROOM, msgpackWire } from '../../server/fanout/wire.js';
import { frameInPlace, frameWriter, headerLength, writeBinaryHeader } from '../../server/transports/ws-frame.js';

describe('frame header', () => {
  it('uses the 7-bit, 16-bit and 64-bit lengths of RFC 6455 at their bounds', () => {
    const cases: [number, number[]][] = [
      [0, [0x82, 0]],
      [125, [0x82, 125]],
      [126, [0x82, 126, 0, 126]],
      [65535, [0x82, 126, 0xff, 0xff]],
      [65536, [0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]],
      [2 ** 32 + 5, [0x82, 127, 0, 0, 0, 1, 0, 0, 0, 5]],
    ];
    for (const [n, bytes] of cases) {
      const buf = new Uint8Array(10);
      expect(writeBinaryHeader(buf, 0, n)).toBe(bytes.length);
      expect(headerLength(n)).toBe(bytes.length);
      expect([...buf.subarray(0, bytes.length)]).toEqual(bytes);
    }
  });

  it('writes the header into the room in front of a frame, without copying the payload', () => {
    const frame = msgpackWire.frame('update', 5, [encode({ a: 1 })]) as Buffer;
    const whole = frameInPlace(frame, FRAME_ROOM)!;
    expect(whole.buffer).toBe(frame.buffer);
    expect(whole.length).toBe(frame.length + 2);
    expect([...whole.subarray(0, 2)]).toEqual([0x82, frame.length]);
    expect(frameInPlace(frame, 1)).toBeUndefined();
  });
});

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** A ws server whose connection handler gets the server-side socket; resolves its URL. */
async function serve(onConnection: (ws: WebSocket) => void, perMessageDeflate = false): Promise<string> {
  server = createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate });
  wss.on('connection', onConnection);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const items = (n: number, size: number) => Array.from({ length: n }, (_, i) => encode({ i, pad: 'x'.repeat(size) }));

describe('one buffer per frame over a real WebSocket', () => {
  it('frames of every header size arrive whole and in order with frames ws.send wrote', async () => {
    const sizes = [0, 1, 3, 10, 700, 3000]; // items per frame; with padding: 7-bit to 64-bit lengths
    let fast = 0;
    const url = await serve((ws) => {
      const w = frameWriter(ws)!;
      for (const [k, n] of sizes.entries()) {
        const f = msgpackWire.frame('update', k, items(n, 20)) as Buffer;
        if (w.write(f, FRAME_ROOM)) fast++;
        ws.send(encode({ type: 'heartbeat', t: k })); // through ws itself, between ours
      }
      w.cork();
      w.write(msgpackWire.frame('snapshot', 99, items(2, 1)) as Buffer, FRAME_ROOM);
      ws.send(encode({ type: 'pong', t: 99 }));
      w.uncork();
      ws.close(1000);
    });
    const got: unknown[] = [];
    const c = new WebSocket(url);
    c.on('message', (data, binary) => {
      expect(binary).toBe(true);
      got.push((decode(data as Buffer) as { value: unknown }).value);
    });
    await new Promise((r) => c.on('close', r));
    expect(fast).toBe(sizes.length);
    const want: unknown[] = [];
    for (const [k, n] of sizes.entries()) {
      want.push({ type: 'update', t: k, items: Array.from({ length: n }, (_, i) => ({ i, pad: 'x'.repeat(20) })) });
      want.push({ type: 'heartbeat', t: k });
    }
    want.push({ type: 'snapshot', t: 99, items: [{ i: 0, pad: 'x' }, { i: 1, pad: 'x' }] }, { type: 'pong', t: 99 });
    expect(got).toEqual(want);
  });

  it('counts every byte it queues in bufferedAmount (what the write gate reads)', async () => {
    let paused: () => void = () => {};
    const ready = new Promise<void>((r) => (paused = r));
    let done: (d: (number | boolean)[]) => void = () => {};
    const result = new Promise<(number | boolean)[]>((r) => (done = r));
    const url = await serve(async (ws) => {
      await ready;
      const w = frameWriter(ws)!;
      const big = items(1, 1 << 20);
      // Until the kernel holds no more (the client reads nothing): at most 256 MiB.
      for (let i = 0; i < 256 && ws.bufferedAmount === 0; i++) w.write(msgpackWire.frame('update', i, big) as Buffer, FRAME_ROOM);
      const out: (number | boolean)[] = [];
      for (const n of [1, 200, 5000]) {
        const f = msgpackWire.frame('update', n, items(n, 4)) as Buffer;
        const before = ws.bufferedAmount;
        out.push(w.write(f, FRAME_ROOM), ws.bufferedAmount - before - f.length - headerLength(f.length));
      }
      ws.terminate();
      done(out);
    });
    const c = new WebSocket(url);
    await new Promise((r) => c.on('open', r));
    c.pause();
    paused();
    const deltas = await result;
    c.terminate();
    expect(deltas).toEqual([true, 0, true, 0, true, 0]);
  });

  it('is off when permessage-deflate was negotiated, and after close', async () => {
    let writer: unknown = 'unset';
    const url = await serve((ws) => {
      writer = frameWriter(ws);
      ws.close(1000);
    }, true);
    const c = new WebSocket(url, { perMessageDeflate: true });
    await new Promise((r) => c.on('close', r));
    expect(writer).toBeUndefined();

    let afterClose: boolean | undefined;
    const url2 = await serve((ws) => {
      const w = frameWriter(ws)!;
      ws.close(1000);
      afterClose = w.write(msgpackWire.frame('update', 1, []) as Buffer, FRAME_ROOM);
    });
    const c2 = new WebSocket(url2);
    await new Promise((r) => c2.on('close', r));
    expect(afterClose).toBe(false);
  });
});
