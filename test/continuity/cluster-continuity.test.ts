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
import type { Channel, ServerMessage, SnapshotItem, StreamPosition, Trade, UpdateMsg } from '../../shared/protocol.js';
import { ChainChecker } from '../helpers/chain.js';
import { startCluster, until, type Cluster } from '../helpers/cluster.js';
import { RawClient } from '../helpers/node.js';
import { startKeptRedis, type KeptRedis } from '../helpers/redis-kept.js';

const symbols = ['AAPL', 'BTC-USD'];
const channels: Channel[] = ['ticker', 'trades', 'candles:1s'];

/** Positions (epoch from snapshots), trade ids, and the chain, over any number of connections. */
class Holder {
  readonly epoch = new Map<string, string>();
  readonly seq = new Map<string, number>();
  readonly ids = new Map<string, number[]>();
  readonly chain = new ChainChecker();
  apply(m: ServerMessage): void {
    this.chain.apply(m);
    if (m.type !== 'snapshot' && m.type !== 'update') return;
    for (const it of m.items) {
      const k = `${it.s}|${it.ch}`;
      if (m.type === 'snapshot') this.epoch.set(k, (it as SnapshotItem).epoch!);
      this.seq.set(k, it.seq);
      if (it.ch !== 'trades') continue;
      const ids = this.ids.get(it.s) ?? [];
      if (m.type === 'snapshot') ids.length = 0;
      ids.push(...(it.d as Trade[]).map((t) => t.id));
      this.ids.set(it.s, ids);
    }
  }
  positions(): StreamPosition[] {
    return [...this.seq].map(([k, seq]) => ({ s: k.split('|')[0], ch: k.split('|')[1], epoch: this.epoch.get(k)!, seq }));
  }
  attach(c: RawClient): void {
    c.ws.on('message', () => this.apply(c.messages.at(-1)!));
  }
}

async function connect(url: string, h: Holder, since?: StreamPosition[]) {
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
    const h = new Holder();
    const a = await connect(c.gateways[0].wsUrl, h);
    await until(() => symbols.every((s) => (h.ids.get(s)?.length ?? 0) > 3), 'trades on gateway 1');
    a.c.close();
    await a.c.closed();
    const held = h.positions();
    const away = Date.now();
    await until(() => Date.now() - away > 1000, 'a second away');

    const b = await connect(c.gateways[1].wsUrl, h, held);
    expect(b.sub.unrecovered).toEqual([]);
    expect(b.sub.recovered).toHaveLength(held.length);
    await until(() => symbols.every((s) => h.seq.get(`${s}|trades`)! > held.find((p) => p.s === s && p.ch === 'trades')!.seq + 10), 'live trades on gateway 2');
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
    const hs = [new Holder(), new Holder()];
    const cs = await Promise.all(c.gateways.map((g, i) => connect(g.wsUrl, hs[i])));
    await until(() => hs.every((h) => h.chain.updates > 5), 'updates before');
    const before = hs[0].epoch.get('AAPL|ticker')!;
    expect(hs[1].epoch.get('AAPL|ticker')).toBe(before);
    await c.stopFeed();
    const admin = new Redis(c.redis.url);
    await admin.flushall();
    admin.disconnect();
    const restartedAt = Date.now();
    await c.startFeed();
    await until(() => hs.every((h) => h.epoch.get('AAPL|ticker') !== before), 'the new epoch on both gateways', 15_000);
    const after = hs[0].epoch.get('AAPL|ticker')!;
    expect(hs[1].epoch.get('AAPL|ticker')).toBe(after);
    const updatesAt = hs.map((h) => h.chain.updates);
    await until(() => hs.every((h, i) => h.chain.updates > updatesAt[i] + 10), 'updates in the new epoch', 15_000);
    expect(Date.now() - restartedAt).toBeLessThan(15_000);
    for (const h of hs) expect(h.chain.breaks).toEqual([]);
    for (const { c: cl } of cs) expect(cl.of('error')).toEqual([]);
    // A position of the old epoch is answered with a snapshot.
    const old = await connect(c.gateways[0].wsUrl, new Holder(), [{ s: 'AAPL', ch: 'ticker', epoch: before, seq: 1 }]);
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
    const h = new Holder();
    const { c } = await connect(gwUrl, h);
    await until(() => h.chain.updates > 5, 'updates before');
    const epoch = feed.store.epochOf('AAPL');
    await redis.restartKeepingData();
    const at = h.chain.updates;
    await until(() => h.chain.updates > at + 10, 'updates after the Redis restart', 15_000);
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
    await until(() => h.chain.updates > at2 + 10, 'updates from the new feed run', 15_000);
    expect(h.chain.breaks).toEqual([]);
    expect(h.epoch.get('AAPL|ticker')).toBe(epoch);
    c.close();
  });
});
