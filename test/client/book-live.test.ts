/**
 * MarketClient books (protocol 1.1 section 3) against a real node: BTC-USD kept from snapshot
 * + level pairs over WebSocket and SSE, at throttle 0 and throttled, every state checked
 * against its checksum with the decimals from /api/symbols; a corrupted checksum in transit is
 * caught, reported as a `checksum` gap and repaired by snapshot.
 */
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import type { BookState, MarketClient } from '../../shared/client/index.js';
import { decode, encode } from '../../shared/codec.js';
import type { UpdateMsg } from '../../shared/protocol.js';
import { startNode, type Running } from '../helpers/node.js';
import { makeClient } from './recorder.js';

const clients: MarketClient[] = [];
const nodes: Running[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(nodes.splice(0).map((n) => n.close()));
});

async function node(): Promise<Running> {
  const n = await startNode({ FEED_RATE: '50', FEED_SYMBOLS: '10', HEARTBEAT_MS: '1000' });
  nodes.push(n);
  return n;
}

describe.each([
  ['ws', 0],
  ['sse', 0],
  ['ws', 250],
  ['sse', 250],
] as const)('MarketClient book over %s at throttle %d', (transport, throttle) => {
  it('verifies the checksum of every book state, without a gap, and ends at the server book', async () => {
    const n = await node();
    const r = makeClient({ urls: n.url, transport }, clients);
    r.client.subscribe(['BTC-USD', 'ETH-USD'], { channels: ['book', 'ticker'], throttle });
    const books = () => r.count((c) => c.channel === 'book');
    await r.until('book changes', () => books() >= (throttle ? 12 : 60), 15_000);
    await r.until('every book state checked', () => r.client.bookChecks.verified === books());
    expect(r.client.bookChecks).toEqual({ verified: books(), mismatched: 0, unverified: 0 });
    expect(r.gaps).toEqual([]);
    const book = r.client.state<BookState>('BTC-USD', 'book')!.state;
    expect(book.bids.length).toBeGreaterThan(0);
    expect(book.asks[0]![0]).toBeGreaterThan(book.bids[0]![0]);
    for (let i = 1; i < book.bids.length; i++) expect(book.bids[i]![0]).toBeLessThan(book.bids[i - 1]![0]);
    for (let i = 1; i < book.asks.length; i++) expect(book.asks[i]![0]).toBeGreaterThan(book.asks[i - 1]![0]);

    n.node.feed.stop();
    const server = (await (await fetch(`${n.url}/api/snapshot?symbols=BTC-USD&channels=book`)).json()) as { items: { seq: number; d: BookState }[] };
    await r.until('the last book update', () => r.client.state('BTC-USD', 'book')!.seq === server.items[0]!.seq);
    expect(r.client.state<BookState>('BTC-USD', 'book')!.state).toEqual(server.items[0]!.d);
  }, 30_000);
});

describe('MarketClient book checksum mismatch', () => {
  it('reports a checksum gap, asks for a snapshot and verifies again after it', async () => {
    const n = await node();
    let seen = 0;
    let corrupted = 0;
    // A WebSocket that flips the checksum of the 5th BTC-USD book update, as a faulty relay would.
    const Corrupting = function (url: string) {
      const ws = new WebSocket(url);
      const emit = ws.emit.bind(ws);
      ws.emit = ((event: string, ...args: unknown[]) => {
        if (event === 'message' && corrupted === 0) {
          const r = decode(args[0] as Buffer);
          const m = r.ok ? (r.value as UpdateMsg) : undefined;
          const it = m?.type === 'update' ? m.items.find((i) => i.s === 'BTC-USD' && i.ch === 'book') : undefined;
          if (it && ++seen === 5) {
            corrupted++;
            (it.d as { checksum: number }).checksum = ((it.d as { checksum: number }).checksum + 1) >>> 0;
            return emit(event, Buffer.from(encode(m)), ...args.slice(1));
          }
        }
        return emit(event, ...args);
      }) as typeof ws.emit;
      return ws;
    } as unknown as typeof WebSocket;
    const r = makeClient({ urls: n.url, transport: 'ws', WebSocket: Corrupting }, clients);
    r.client.subscribe(['BTC-USD'], { channels: ['book'] });
    await r.until('the checksum gap', () => r.gaps.length > 0, 15_000);
    expect(r.gaps[0]).toMatchObject({ symbol: 'BTC-USD', channel: 'book', reason: 'checksum' });
    const gapAt = r.gapAt[0]!;
    await r.until('the repairing snapshot', () => r.count((c) => c.channel === 'book' && c.kind === 'snapshot', gapAt) > 0);
    const mark = r.changes.length;
    await r.until('updates after the repair', () => r.count((c) => c.channel === 'book' && c.kind === 'update', mark) > 5);
    await r.until('every state checked', () => r.client.bookChecks.verified + r.client.bookChecks.mismatched === r.count((c) => c.channel === 'book'));
    expect(r.client.bookChecks.mismatched).toBe(1);
    expect(r.gaps).toHaveLength(1);
  }, 30_000);
});
