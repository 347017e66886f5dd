/**
 * Slow consumers: a client that stops reading is skipped once SLOW_CONSUMER_BYTES are pending,
 * then cut off after SLOW_CONSUMER_GRACE_MS with `slow_consumer` and close 1013. What the server
 * holds for it stays bounded meanwhile, and well-behaved clients keep their chain.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { decode, encode } from '../../shared/codec.js';
import type { Session } from '../../server/fanout/session.js';
import { CHANNELS } from '../../shared/protocol.js';
import { RawClient, startNode, type Running } from '../helpers/node.js';
import { sleep } from '../helpers/wait.js';

const HIGH_WATER = 64 * 1024;
const GRACE_MS = 300;

/** The ws client's TCP socket: pausing it stops reading, so the server's buffers fill. */
const socketOf = (ws: WebSocket) => (ws as unknown as { _socket: Socket })._socket;

/**
 * A client that subscribes to everything, then stops reading. It keeps only its last frames
 * (undecoded), so that once resumed it drains megabytes fast: the server terminates a peer that
 * has not completed the closing handshake 2 s after close, and this runs on a busy 2-core box.
 */
class StalledClient {
  readonly ws: WebSocket;
  readonly last: Buffer[] = [];
  readonly closed: Promise<number>;
  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on('message', (data: Buffer) => {
      this.last.push(data);
      if (this.last.length > 3) this.last.shift();
    });
    this.closed = new Promise((r) => this.ws.on('close', (code) => r(code)));
  }
  lastMessage(): unknown {
    const r = decode(this.last.at(-1)!);
    return r.ok ? r.value : undefined;
  }
}

describe('a client that stops reading', () => {
  let n: Running;
  beforeAll(
    async () =>
      (n = await startNode({
        FEED_SYMBOLS: '20',
        FEED_RATE: '300',
        SLOW_CONSUMER_BYTES: String(HIGH_WATER),
        SLOW_CONSUMER_GRACE_MS: String(GRACE_MS),
        LIMIT_NEW_CONNECTIONS: '0',
      })),
  );
  afterAll(() => n.close());

  it('is skipped, then cut off with slow_consumer and 1013, with bounded server memory', async () => {
    const hub = n.node.hub;
    const good = await RawClient.open(n.wsUrl);
    good.send({ type: 'subscribe', symbols: ['AAPL', 'MSFT'], channels: ['ticker', 'trades'] });
    await good.next('subscribed');

    const symbols = (await (await fetch(`${n.url}/api/symbols`)).json()).map((s: { symbol: string }) => s.symbol);
    const slow: { client: StalledClient; session: Session }[] = [];
    for (let i = 0; i < 3; i++) {
      const client = new StalledClient(n.wsUrl);
      await new Promise((r) => client.ws.once('open', r));
      await sleep(20);
      const session = [...hub.sessions].at(-1)!;
      client.ws.send(encode({ type: 'subscribe', symbols, channels: [...CHANNELS], throttle: 0 }));
      while (session.subs.size < symbols.length * CHANNELS.length) await sleep(10);
      socketOf(client.ws).pause();
      slow.push({ client, session });
    }

    const heapBefore = process.memoryUsage().heapUsed;
    let maxBuffered = 0;
    let maxHeap = heapBefore;
    const cutAt: number[] = [];
    const t0 = Date.now();
    for (;;) {
      for (const s of slow) {
        if (!s.session.closed) maxBuffered = Math.max(maxBuffered, s.session.transport.bufferedAmount());
        else if (socketOf(s.client.ws).isPaused()) {
          socketOf(s.client.ws).resume();
          cutAt.push(Date.now() - t0);
        }
      }
      maxHeap = Math.max(maxHeap, process.memoryUsage().heapUsed);
      if (cutAt.length === slow.length) break;
      // Filling the kernel's socket buffers first takes ~3 s here, longer on a loaded machine.
      if (Date.now() - t0 > 30_000) throw new Error(`not cut off within 30 s; buffered ${slow.map((s) => s.session.transport.bufferedAmount())}`);
      await sleep(10);
    }
    console.info(`slow consumers cut after ${cutAt.join(', ')} ms; max buffered ${maxBuffered} B; heap +${((maxHeap - heapBefore) / 2 ** 20).toFixed(1)} MB`);

    // Skipped past the high-water mark: at most one more flush's frame beyond it.
    expect(maxBuffered).toBeGreaterThan(HIGH_WATER);
    expect(maxBuffered).toBeLessThan(HIGH_WATER + 512 * 1024);
    expect(maxHeap - heapBefore).toBeLessThan(96 * 2 ** 20);
    expect(hub.sessions.size).toBe(1);
    expect(hub.stats.slowConsumers).toBe(3);

    for (const { client } of slow) {
      expect(await client.closed).toBe(1013);
      expect(client.lastMessage()).toMatchObject({ type: 'error', code: 'slow_consumer' });
    }

    // The good client was never held back and its chain holds.
    good.send({ type: 'ping', id: 5 });
    await good.next('pong', (p) => p.id === 5);
    const held = new Map<string, number>();
    let items = 0;
    for (const m of good.messages) {
      if (m.type === 'snapshot') for (const it of m.items) held.set(`${it.s}|${it.ch}`, it.seq);
      if (m.type === 'update')
        for (const it of m.items) {
          expect(held.get(`${it.s}|${it.ch}`)).toBe(it.prev);
          held.set(`${it.s}|${it.ch}`, it.seq);
          items++;
        }
    }
    expect(items).toBeGreaterThan(50);
    good.close();
  }, 60_000);
});
