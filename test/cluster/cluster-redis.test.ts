/** Redis trouble under a scaled-out Tickwire: restarts, dropped subscriber connections, gaps on the bus. */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packEvents, packState, unpackState } from '../../server/redis/keys.js';
import type { Channel, Ticker, UpdateMsg } from '../../shared/protocol.js';
import { ChainChecker } from '../helpers/chain.js';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { RawClient } from '../helpers/node.js';
import { sleep, until } from '../helpers/wait.js';

let c: Cluster;
beforeAll(async () => {
  c = await startCluster({ FEED_RATE: '20', FEED_SYMBOLS: '10' });
});
afterAll(() => c.close());

const symbols = ['AAPL', 'MSFT', 'EURUSD'];
const channels: Channel[] = ['ticker', 'trades', 'candles:1s'];

async function watched(gw: number, syms = symbols, chs = channels): Promise<{ client: RawClient; chain: ChainChecker }> {
  const client = await RawClient.open(c.gateways[gw].wsUrl);
  const chain = new ChainChecker();
  client.ws.on('message', () => chain.apply(client.messages.at(-1)!));
  client.send({ type: 'subscribe', symbols: syms, channels: chs });
  await client.next('snapshot');
  expect(client.of('error')).toEqual([]);
  return { client, chain };
}

const updatesAfter = (cl: RawClient, t: number) => cl.of('update').filter((m: UpdateMsg) => m.t > t).length;

describe('Redis failures', () => {
  it('resubscribes a gateway whose subscriber connection Redis dropped, and re-reads its symbols', async () => {
    const { client, chain } = await watched(0);
    const readsBefore = c.gateways[0].node.source.stats.reads;
    const admin = new Redis(c.redis.url);
    expect(await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub')).toBeGreaterThanOrEqual(2);
    admin.disconnect();
    const killedAt = Date.now();
    await until('re-reads after the resubscription', () => c.gateways[0].node.source.stats.reads >= readsBefore + symbols.length);
    await until('updates after the resubscription', () => updatesAfter(client, killedAt + 200) > 10);
    expect(chain.breaks).toEqual([]);
    client.close();
  });

  it('resumes within seconds after Redis restarts empty: chained updates or fresh snapshots, never a gap', async () => {
    const watchers = await Promise.all([watched(0), watched(1)]);
    await until('updates on both gateways', () => watchers.every(({ client }) => client.of('update').length > 5));
    const seqAt = () => new Map(symbols.map((s) => [s, c.feed.market.snapshot(s, 'ticker')!.seq]));
    await c.redis.kill();
    // Events are lost while Redis is away: waits for the feed to make some, not for a time.
    const atKill = seqAt();
    await until('the feed to move on while Redis is down', () => symbols.every((s) => c.feed.market.snapshot(s, 'ticker')!.seq > atKill.get(s)! + 5));
    const downUntil = Date.now();
    await c.redis.restart();
    const restartedAt = Date.now();
    for (const { client } of watchers) await until('updates after the restart', () => updatesAfter(client, restartedAt) > 10, 10_000);
    expect(Date.now() - downUntil).toBeLessThan(10_000);
    c.feed.feed.stop(); // the last test plays the feed
    await until('both clients at the feed\'s seqs', () => watchers.every(({ chain }) => chain.reached((s, ch) => c.feed.market.snapshot(s, ch)?.seq)));
    for (const { client, chain } of watchers) {
      expect(chain.breaks).toEqual([]);
      // Events were lost while Redis was away: every gateway re-read its symbols and sent snapshots.
      expect(client.of('snapshot').filter((m) => m.t > downUntil).length).toBeGreaterThan(0);
      // ...of the true state: what the clients hold is what the feed holds (no trade missing).
      for (const s of symbols) {
        for (const ch of channels) {
          const truth = c.feed.market.snapshot(s, ch)!;
          const got = chain.state.get(`${s}|${ch}`)!;
          expect(got.seq, `${s}|${ch}`).toBe(truth.seq);
          expect(got.d, `${s}|${ch}`).toEqual(ch === 'trades' ? (truth.d as unknown[]).slice(-(got.d as unknown[]).length) : truth.d);
        }
      }
      client.close();
    }
    // The feed wrote everything again into the empty Redis: history and the symbol list are back.
    for (const gw of c.gateways) {
      const bars = (await (await fetch(`${gw.url}/api/candles?symbol=AAPL&interval=1m&limit=300`)).json()).bars;
      expect(bars.length).toBe(300);
      expect((await (await fetch(`${gw.url}/api/symbols`)).json()).length).toBe(10);
      expect((await (await fetch(`${gw.url}/healthz`)).json()).redis).toBe('ready');
    }
    expect(c.feed.stats.rewrites).toBeGreaterThan(0);
  });

  it('holds back an event that skips a seq, re-reads the stream and sends a snapshot; drops old events', async () => {
    const { client, chain } = await watched(0, ['AAPL'], ['ticker']);
    const gw = c.gateways[0].node;
    const redis = new Redis(c.redis.url);
    const [s] = unpackState((await redis.hgetBuffer('tw:s:AAPL', 'ticker'))!);
    const epoch = (await redis.hget('tw:s:AAPL', 'epoch'))!;
    expect(epoch).toMatch(/^[0-9a-z]+-[0-9a-z]{4}$/);
    const publish = (seq: number, d: Partial<Ticker>) =>
      redis.publish('tw:e:AAPL', packEvents(epoch, Date.now(), [{ s: 'AAPL', ch: 'ticker', seq, d: d as Record<string, number> }]));
    expect(chain.state.get('AAPL|ticker')!.seq).toBe(s);
    const gaps = gw.source.stats.gaps;

    await publish(s, { last: -1 }); // at the state's seq: already in it, dropped
    await publish(s + 2, { last: -2 }); // skips s + 1: held back, the stream is re-read (still s)
    await until('the gap to be seen', () => gw.source.stats.gaps === gaps + 1);
    await sleep(200); // a window in which nothing may be sent: the held-back event stays held
    expect(client.of('update')).toEqual([]);

    // The feed's state moved on meanwhile (as if s + 1 .. s + 5 were lost): the re-read brings it.
    const ticker = chain.state.get('AAPL|ticker')!.d as Ticker;
    await redis.hset('tw:s:AAPL', 'ticker', packState(s + 5, { ...ticker, last: 123 }));
    await publish(s + 5, { last: 123 });
    const snap = await client.next('snapshot', (m) => m.items[0].seq === s + 5);
    expect(snap.items[0].d).toMatchObject({ last: 123 });
    await publish(s + 6, { last: 124 });
    const upd = await client.next('update');
    expect(upd.items).toEqual([expect.objectContaining({ seq: s + 6, prev: s + 5, d: { last: 124 } })]);
    expect(chain.breaks).toEqual([]);
    expect(gw.source.stats.gaps).toBe(gaps + 2);
    redis.disconnect();
    client.close();
  });
});
