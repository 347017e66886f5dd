/**
 * FEED=replay in a cluster (ROLE=feed and a gateway over a real redis-server): the recording's
 * symbols, trades with `xid` and its book reach a gateway's clients; REPLAY_LOOP gives a new
 * epoch, which the gateway's subscribers get as a snapshot. The gateway mirrors the feed's
 * replay clock (hello.clock, `clock` messages, GET /api/replay); control is on the feed node.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MarketClock, SnapshotItem } from '../../shared/protocol.js';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { RawClient } from '../helpers/node.js';
import { writeMinute } from './replay-node.js';
import { T0_US } from './fixtures.js';
import { until } from '../helpers/wait.js';

const post = (url: string, body: unknown) => fetch(`${url}/api/replay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('replay on a feed node', () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster({ FEED: 'replay', REPLAY_FILES: writeMinute(), REPLAY_SPEED: '300', REPLAY_LOOP: 'true' }, 1);
  });
  afterAll(() => c?.close());

  it('serves the recording through a gateway, and each loop under a new epoch', async () => {
    const gw = c.gateways[0]!;
    const symbols = (await (await fetch(`${gw.url}/api/symbols`)).json()) as { symbol: string; exchange: string; source: string }[];
    expect(symbols).toMatchObject([{ symbol: 'BTCUSD', exchange: 'deribit', source: 'replay' }]);
    const ws = await RawClient.open(gw.wsUrl);
    ws.send({ type: 'subscribe', symbols: ['BTCUSD'], channels: ['trades', 'book'] });
    const first = await ws.next('snapshot');
    const epoch = first.items.find((i: SnapshotItem) => i.ch === 'trades')!.epoch;
    await ws.next('update', (m) => m.items.some((i) => i.ch === 'trades' && (i.d as { xid?: string }[]).every((t) => /^x\d+$/.test(t.xid ?? ''))));
    // 60 s of market at 300x: a loop every 0.2 s; the next snapshot is of another epoch
    await ws.next('snapshot', (m) => m.items.some((i) => i.ch === 'trades' && i.epoch !== epoch), 15_000);
    await until('updates after the loop', () => ws.of('update').length > 3);
    ws.close();
  });

  it("tells a gateway's clients the feed's replay clock; control stays on the feed node", async () => {
    const gw = c.gateways[0]!;
    const feedClock = (await (await fetch(`${c.feedUrl}/api/replay`)).json()) as Extract<MarketClock, { mode: 'replay' }>;
    expect(feedClock).toMatchObject({ mode: 'replay', speed: 300, from: T0_US / 1000 });
    const ws = await RawClient.open(gw.wsUrl);
    const hello = await ws.next('hello');
    expect(hello.clock).toMatchObject({ mode: 'replay', speed: 300, from: feedClock.from, to: feedClock.to, paused: false, control: false });
    const at = (hello.clock as { at: number }).at;
    expect(at).toBeGreaterThanOrEqual(feedClock.from);
    expect(at).toBeLessThanOrEqual(feedClock.to);
    // a loop every 0.2 s: each start (and end) is a `clock` message
    expect(await ws.next('clock')).toMatchObject({ mode: 'replay', from: feedClock.from, to: feedClock.to });

    const got = await fetch(`${gw.url}/api/replay`);
    expect(got.status).toBe(200);
    expect(await got.json()).toMatchObject({ mode: 'replay', speed: 300, from: feedClock.from, to: feedClock.to, control: false });
    const refused = await post(gw.url, { action: 'pause' });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ type: 'error', code: 'forbidden' });

    // the feed node (loopback peer) pauses: the gateway's client hears it, and the clock stands still
    expect((await post(c.feedUrl, { action: 'pause' })).status).toBe(200);
    const paused = await ws.next('clock', (m) => m.paused);
    const again = (await (await fetch(`${gw.url}/api/replay`)).json()) as { at: number; paused: boolean };
    expect(again).toMatchObject({ paused: true, at: paused.at });
    expect((await post(c.feedUrl, { action: 'resume' })).status).toBe(200);
    await ws.next('clock', (m) => !m.paused && m.t > paused.t);
    const mid = feedClock.from + 30_000;
    expect((await post(c.feedUrl, { action: 'seek', at: mid })).status).toBe(200);
    // at 300x a wall ms is 300 market ms: the seek's clock is at `mid` plus what ran since (loops' are at from or to)
    await ws.next('clock', (m) => m.at >= mid && m.at < mid + 15_000);
    ws.close();
  });
});
