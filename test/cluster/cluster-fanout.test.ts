import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { HISTORY_CAP } from '../../server/market/market-state.js';
import type { Channel } from '../../shared/protocol.js';
import { ChainChecker } from '../helpers/chain.js';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { RawClient } from '../helpers/node.js';
import { sleep, until } from '../helpers/wait.js';

let c: Cluster;
let redis: Redis;
beforeAll(async () => {
  c = await startCluster({ FEED_RATE: '40', FEED_SYMBOLS: '30' });
  redis = new Redis(c.redis.url);
});
afterAll(async () => {
  redis.disconnect();
  await c.close();
});

const channels: Channel[] = ['ticker', 'trades', 'candles:1s', 'candles:1m'];
const busChannels = async () => (await redis.pubsub('CHANNELS', 'tw:e:*')).sort();
const json = async (url: string) => (await fetch(url)).json();
const withoutT = (x: { t?: number }) => ({ ...x, t: 0 });

function checked(client: RawClient): ChainChecker {
  const chain = new ChainChecker();
  client.ws.on('message', () => chain.apply(client.messages.at(-1)!));
  return chain;
}

describe('one feed and two gateways over Redis', () => {
  it('subscribes a gateway to the bus only for symbols its clients hold, and lets go of them', async () => {
    expect(await busChannels()).toEqual([]);
    const a = await RawClient.open(c.gateways[0].wsUrl);
    a.send({ type: 'subscribe', symbols: ['AAPL', 'MSFT'], channels: ['ticker'] });
    await a.next('snapshot');
    expect(await busChannels()).toEqual(['tw:e:AAPL', 'tw:e:MSFT']);
    expect(c.gateways[0].node.source.stats.symbols).toBe(2);
    expect(c.gateways[1].node.source.stats.symbols).toBe(0);
    a.send({ type: 'unsubscribe', symbols: ['MSFT'] });
    await a.next('unsubscribed');
    await until('MSFT to be unsubscribed', async () => (await busChannels()).length === 1);
    expect(await busChannels()).toEqual(['tw:e:AAPL']);
    a.close();
    await until('AAPL to be unsubscribed after its last client left', async () => (await busChannels()).length === 0);
  });

  it('gives clients on different gateways the same seq and values, chained, matching the feed', async () => {
    const symbols = c.feed.feed.instruments.slice(0, 20).map((i) => i.symbol);
    const clients = await Promise.all([0, 1, 0, 1].map((g) => RawClient.open(c.gateways[g].wsUrl)));
    const chains = clients.map(checked);
    // Staggered subscribes while events flow: each gateway reads state and drops older bus events.
    for (const [i, cl] of clients.entries()) {
      cl.send({ type: 'subscribe', symbols: i < 2 ? symbols : symbols.slice(i * 3), channels, throttle: 0 });
      await cl.next('snapshot');
      await sleep(150); // pacing: the next subscribe lands while events flow
    }
    await until('ten updates a symbol', () => chains[0]!.updates > symbols.length * 10, 15_000);
    c.feed.feed.stop();
    // The feed stood still: every client's streams reach the feed's seqs (through Redis).
    await until('every client at the feed\'s seqs', () => chains.every((ch) => ch.reached((s, k) => c.feed.market.snapshot(s, k)?.seq)));

    for (const chain of chains) expect(chain.breaks).toEqual([]);
    // Subscribing while events flow lost none: no gateway had to re-read a symbol after a gap.
    for (const g of c.gateways) expect(g.node.source.stats.gaps).toBe(0);
    expect(chains[0].updates).toBeGreaterThan(symbols.length * 10);
    for (const s of symbols) {
      for (const ch of channels) {
        const key = `${s}|${ch}`;
        const truth = c.feed.market.snapshot(s, ch)!;
        for (const chain of chains) {
          const got = chain.state.get(key);
          if (!got) continue;
          expect(got.seq, key).toBe(truth.seq);
          expect(got.d, key).toEqual(ch === 'trades' ? (truth.d as unknown[]).slice(-(got.d as unknown[]).length) : truth.d);
        }
        expect(chains[0].state.get(key)).toEqual(chains[1].state.get(key));
      }
    }
    for (const cl of clients) cl.close();
  });

  it('answers REST alike on every gateway, and as the feed holds it (feed stopped above)', async () => {
    const [g1, g2] = c.gateways.map((g) => g.url);
    expect(await json(`${g1}/api/symbols`)).toEqual(await json(`${g2}/api/symbols`));
    expect((await json(`${g1}/api/symbols`)).length).toBe(30);

    const q = '/api/snapshot?symbols=AAPL,MSFT,NOPE&channels=ticker,trades,candles:1m';
    const s1 = await json(g1 + q);
    expect(withoutT(s1)).toEqual(withoutT(await json(g2 + q)));
    expect(s1.unknown).toEqual(['NOPE']);
    // Every item carries its symbol's epoch, the one the feed numbers it in.
    const epochOf = (s: string) => c.feed.store.epochOf(s);
    expect(s1.items).toEqual(['AAPL', 'MSFT'].flatMap((s) => (['ticker', 'trades', 'candles:1m'] as Channel[]).map((ch) => ({ ...c.feed.market.snapshot(s, ch), epoch: epochOf(s) }))));
    expect(epochOf('AAPL')).toMatch(/^[0-9a-z]+-[0-9a-z]{4}$/);

    for (const [iv, limit] of [['1m', 300], ['1s', 50], ['1h', 1], ['5m', 5000]] as const) {
      const q2 = `/api/candles?symbol=MSFT&interval=${iv}&limit=${limit}`;
      const b1 = await json(g1 + q2);
      expect(b1).toEqual(await json(g2 + q2));
      const truth = c.feed.market.candles('MSFT', iv, Math.min(limit, HISTORY_CAP[iv]))!;
      expect(b1.bars.length, q2).toBe(truth.length);
      expect(b1.bars, q2).toEqual(truth);
    }
    expect((await fetch(`${g1}/api/candles?symbol=NOPE`)).status).toBe(404);
  });

  it('reads ROLE and REDIS_URL from the environment, defaulting to one process', () => {
    expect(loadConfig({})).toMatchObject({ role: 'all', redisUrl: 'redis://127.0.0.1:6379' });
    expect(loadConfig({ ROLE: 'gateway', REDIS_URL: 'redis://r:7000' })).toMatchObject({ role: 'gateway', redisUrl: 'redis://r:7000' });
    expect(() => loadConfig({ ROLE: 'edge' })).toThrow(/ROLE must be one of all, feed, gateway/);
  });

  it('serves /healthz and /metrics on every role', async () => {
    for (const url of [c.feedUrl, ...c.gateways.map((g) => g.url)]) {
      const h = await fetch(`${url}/healthz`);
      expect(h.status).toBe(200);
      expect(await h.json()).toMatchObject({ status: 'ok', redis: 'ready', role: expect.stringMatching(/^(feed|gateway)$/) });
      const m = await fetch(`${url}/metrics`);
      expect(m.status).toBe(200);
      expect(await m.text()).toMatch(/^process_cpu_user_seconds_total /m);
    }
    expect(await (await fetch(`${c.feedUrl}/metrics`)).text()).toMatch(/^tickwire_feed_events_total [1-9]/m);
  });
});
