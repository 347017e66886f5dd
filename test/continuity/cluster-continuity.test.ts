/**
 * Protocol 1.1 on the Redis cluster (real redis-server, one feed, two gateways): a client that
 * moves to another gateway resumes with every trade; a feed restarted on a flushed Redis is a
 * new epoch on both gateways and streams keep flowing; a Redis that kept its data keeps the epoch.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../server/config.js';
import { createFeedNode, type FeedNode } from '../../server/node/feed.js';
import { createGatewayNode, type GatewayNode } from '../../server/node/gateway.js';
import type { Channel, StreamPosition, UpdateMsg } from '../../shared/protocol.js';
import { Positions } from '../helpers/positions.js';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { RawClient } from '../helpers/node.js';
import { startKeptRedis, type KeptRedis } from '../helpers/redis-kept.js';
import { until } from '../helpers/wait.js';

const symbols = ['AAPL', 'BTC-USD'];
const channels: Channel[] = ['ticker', 'trades', 'candles:1s'];

async function connect(url: string, h: Positions, since?: StreamPosition[]) {
  const c = await RawClient.open(url);
  h.attach(c);
  c.send({ type: 'subscribe', symbols, channels, ...(since ? { since } : {}) });
  return { c, sub: await c.next('subscribed') };
}

describe('recovery across gateways', () => {
  let c: Cluster;
  beforeAll(async () => (c = await startCluster({ FEED_RATE: '50', FEED_SYMBOLS: '8' })));
  afterAll(() => c.close());

  it('resumes a client that moves from gateway 1 to gateway 2 (which had never mirrored its symbols): recovered, no trade lost', async () => {
    expect(c.gateways[1].node.source.stats.symbols).toBe(0);
    const h = new Positions();
    const a = await connect(c.gateways[0].wsUrl, h);
    await until('trades on gateway 1', () => symbols.every((s) => (h.ids.get(s)?.length ?? 0) > 3));
    a.c.close();
    await a.c.closed();
    const held = h.positions();
    const away = Date.now();
    await until('a second away', () => Date.now() - away > 1000);

    const b = await connect(c.gateways[1].wsUrl, h, held);
    expect(b.sub.unrecovered).toEqual([]);
    expect(b.sub.recovered).toHaveLength(held.length);
    await until('live trades on gateway 2', () => symbols.every((s) => h.seq.get(`${s}|trades`)! > held.find((p) => p.s === s && p.ch === 'trades')!.seq + 10));
    const first = b.c.messages.find((m) => m.type === 'update' || m.type === 'snapshot') as UpdateMsg;
    expect(first.type).toBe('update');
    for (const it of first.items) expect(it.prev).toBe(held.find((p) => p.s === it.s && p.ch === it.ch)!.seq);
    expect(h.chain.breaks).toEqual([]);
    for (const s of symbols) {
      const ids = h.ids.get(s)!;
      ids.forEach((id, i) => i && expect(id, `${s} trade ${i}`).toBe(ids[i - 1] + 1));
    }
    b.c.close();
  });

  it('gives both gateways a new epoch when the feed restarts on a flushed Redis; updates keep coming, never a broken chain', async () => {
    const hs = [new Positions(), new Positions()];
    const cs = await Promise.all(c.gateways.map((g, i) => connect(g.wsUrl, hs[i])));
    await until('updates before', () => hs.every((h) => h.chain.updates > 5));
    const before = hs[0].epoch.get('AAPL|ticker')!;
    expect(hs[1].epoch.get('AAPL|ticker')).toBe(before);
    await c.stopFeed();
    const admin = new Redis(c.redis.url);
    await admin.flushall();
    admin.disconnect();
    const restartedAt = Date.now();
    await c.startFeed();
    await until('the new epoch on both gateways', () => hs.every((h) => h.epoch.get('AAPL|ticker') !== before), 15_000);
    const after = hs[0].epoch.get('AAPL|ticker')!;
    expect(hs[1].epoch.get('AAPL|ticker')).toBe(after);
    const updatesAt = hs.map((h) => h.chain.updates);
    await until('updates in the new epoch', () => hs.every((h, i) => h.chain.updates > updatesAt[i] + 10), 15_000);
    expect(Date.now() - restartedAt).toBeLessThan(15_000);
    for (const h of hs) expect(h.chain.breaks).toEqual([]);
    for (const { c: cl } of cs) expect(cl.of('error')).toEqual([]);
    // A position of the old epoch is answered with a snapshot.
    const old = await connect(c.gateways[0].wsUrl, new Positions(), [{ s: 'AAPL', ch: 'ticker', epoch: before, seq: 1 }]);
    expect(old.sub.unrecovered).toEqual([{ s: 'AAPL', ch: 'ticker' }]);
    for (const x of [...cs, old]) x.c.close();
  });
});

describe('a Redis that restarts with its data', () => {
  let redis: KeptRedis;
  let feed: FeedNode;
  let gw: GatewayNode;
  let gwUrl: string;
  beforeAll(async () => {
    redis = await startKeptRedis();
    const config: Config = { ...loadConfig({ LOG_LEVEL: 'silent', FEED_RATE: '20', FEED_SYMBOLS: '6' }), port: 0, host: '127.0.0.1', redisUrl: redis.url };
    feed = await createFeedNode({ ...config, role: 'feed' });
    await feed.start();
    gw = await createGatewayNode({ ...config, role: 'gateway' }, { lingerMs: 300 });
    gwUrl = (await gw.start()).replace(/^http/, 'ws') + '/ws';
  });
  afterAll(async () => {
    await Promise.allSettled([feed.close(), gw.close()]);
    await redis.stop();
  });

  it('keeps the epoch: clients chain on or resync within it, and a new feed run continues it', async () => {
    const h = new Positions();
    const { c } = await connect(gwUrl, h);
    await until('updates before', () => h.chain.updates > 5);
    const epoch = feed.store.epochOf('AAPL');
    await redis.restartKeepingData();
    const at = h.chain.updates;
    await until('updates after the Redis restart', () => h.chain.updates > at + 10, 15_000);
    expect(feed.store.epochOf('AAPL')).toBe(epoch);
    expect(h.epoch.get('AAPL|ticker')).toBe(epoch);
    expect(h.chain.breaks).toEqual([]);
    // A feed started again on that Redis finds the state and keeps numbering in the same epoch.
    await feed.close();
    const config: Config = { ...loadConfig({ LOG_LEVEL: 'silent', FEED_RATE: '20', FEED_SYMBOLS: '6' }), port: 0, host: '127.0.0.1', redisUrl: redis.url };
    feed = await createFeedNode({ ...config, role: 'feed' });
    await feed.start();
    expect(feed.store.epochOf('AAPL')).toBe(epoch);
    const at2 = h.chain.updates;
    await until('updates from the new feed run', () => h.chain.updates > at2 + 10, 15_000);
    expect(h.chain.breaks).toEqual([]);
    expect(h.epoch.get('AAPL|ticker')).toBe(epoch);
    c.close();
  });
});
