/**
 * Book recovery on a gateway that never mirrored the symbols: it reads the Redis history back
 * (StreamHistory.prepend), and a level added and removed while the client was away must still
 * reach the client as a 0, or its book keeps a stale level (crossed, deeper than `depth`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SnapshotItem } from '../../shared/protocol.js';
import { BookKeeper, bookFormats, type BookFormats } from '../helpers/book-keeper.js';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { RawClient } from '../helpers/node.js';
import { until } from '../helpers/wait.js';

const SYMBOLS = ['AAPL', 'BTC-USD', 'EURUSD', 'ETH-USD'];
let c: Cluster;
let formats: BookFormats;
beforeAll(async () => {
  c = await startCluster({ FEED_RATE: '40', FEED_SYMBOLS: '8' });
  formats = await bookFormats(c.gateways[0].url);
});
afterAll(() => c?.close());

/** The book seqs Redis holds now (REST on a gateway reads Redis). */
async function bookSeqs(url: string): Promise<Map<string, number>> {
  const { items } = (await (await fetch(`${url}/api/snapshot?symbols=${SYMBOLS.join(',')}&channels=book`)).json()) as { items: SnapshotItem[] };
  return new Map(items.map((i) => [i.s, i.seq]));
}

describe('book recovery on a gateway that never mirrored the symbols', { timeout: 60_000 }, () => {
  it('recovers from the Redis history with every removed level as 0: every checksum matches', async () => {
    const keeper = new BookKeeper(formats, 20);
    const a = await RawClient.open(c.gateways[0].wsUrl);
    a.ws.on('message', () => keeper.apply(a.messages.at(-1)!));
    a.send({ type: 'subscribe', symbols: SYMBOLS, channels: ['book'] });
    const snap = await a.next('snapshot');
    await until('items', () => keeper.items > 100);
    a.close();
    await a.closed();
    const held = [...keeper.books].map(([s, b]) => ({ s, ch: 'book', epoch: (snap.items[0] as SnapshotItem).epoch!, seq: b.seq }));
    // Away long enough for levels to come and go: 60 events per book.
    await until('the books to move on', async () => {
      const now = await bookSeqs(c.gateways[0].url);
      return held.every((h) => (now.get(h.s) ?? 0) >= h.seq + 60);
    }, 20_000);
    expect(c.gateways[1].node.source.stats.symbols).toBe(0);

    const b = await RawClient.open(c.gateways[1].wsUrl);
    b.ws.on('message', () => keeper.apply(b.messages.at(-1)!));
    const before = keeper.items;
    b.send({ type: 'subscribe', symbols: SYMBOLS, channels: ['book'], since: held });
    const sub = await b.next('subscribed');
    expect((sub as { recovered?: unknown[] }).recovered).toHaveLength(SYMBOLS.length);
    expect((sub as { unrecovered?: unknown[] }).unrecovered).toEqual([]);
    // The recovered updates and live ones after them, each checked against its checksum.
    await until('recovered and live items', () => keeper.items > before + 4 * SYMBOLS.length, 15_000);
    expect(keeper.failures).toEqual([]);
    expect(b.of('snapshot').filter((m) => m.items.some((i) => i.ch === 'book'))).toEqual([]);
    b.close();
  });
});
