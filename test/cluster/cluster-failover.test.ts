/** Losing a gateway (a real process, SIGKILL) and restarting the feed, with clients connected. */
import { spawn, type ChildProcess } from 'node:child_process';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MarketClient } from '../../shared/client/index.js';
import type { ClientStatus, StreamChange } from '../../shared/client/types.js';
import type { Channel, UpdateMsg } from '../../shared/protocol.js';
import { ChainChecker } from '../helpers/chain.js';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { RawClient } from '../helpers/node.js';
import { freePort } from '../helpers/redis.js';
import { sleep, until } from '../helpers/wait.js';

let c: Cluster;
let child: ChildProcess;
let childUrl: string;
beforeAll(async () => {
  c = await startCluster({ FEED_RATE: '20', FEED_SYMBOLS: '12' }, 1);
  const port = await freePort();
  // The first gateway is a real `tsx server/main.ts` process, so that it can die for real.
  child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, ROLE: 'gateway', PORT: String(port), HOST: '127.0.0.1', REDIS_URL: c.redis.url, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  childUrl = `http://127.0.0.1:${port}`;
  await until('the gateway process to serve', async () => (await fetch(`${childUrl}/healthz`).catch(() => undefined))?.ok === true, 45_000); // tsx compiles on start: slow on a loaded machine
});
afterAll(async () => {
  child.kill('SIGKILL');
  await c.close();
});

const symbols = ['AAPL', 'MSFT', 'NVDA', 'BTC-USD'];
const channels: Channel[] = ['ticker', 'trades', 'candles:1m'];

describe('failures in a scaled-out Tickwire', () => {
  it('keeps clients of other gateways unaffected when a gateway dies, and the multi-URL client moves over', async () => {
    const other = await RawClient.open(c.gateways[0].wsUrl);
    const chain = new ChainChecker();
    other.ws.on('message', () => chain.apply(other.messages.at(-1)!));
    other.send({ type: 'subscribe', symbols, channels });
    await other.next('snapshot');

    const client = new MarketClient({ urls: [childUrl, c.gateways[0].url], transport: 'ws', WebSocket, baseDelayMs: 50, maxDelayMs: 300 });
    const statuses: ClientStatus[] = [];
    const changes: StreamChange[] = [];
    const gaps: unknown[] = [];
    client.on('status', (s) => statuses.push(s));
    client.on('change', (ch) => changes.push(ch));
    client.on('gap', (g) => gaps.push(g));
    const recovered: { symbol: string; channel: Channel }[][] = [];
    client.on('recovered', (r) => recovered.push(r.streams));
    client.subscribe(symbols, { channels });
    await until('updates through the first gateway', () => changes.filter((ch) => ch.kind === 'update').length > 20);
    expect(statuses.find((s) => s.state === 'live')).toMatchObject({ url: childUrl });

    const atKill = changes.length;
    child.kill('SIGKILL');
    const killedAt = Date.now();
    await until('the client to move to the live gateway', () => client.status.state === 'live' && client.status.url === c.gateways[0].url);
    const movedAt = changes.length;
    await until('updates through the second gateway', () => changes.slice(movedAt).filter((ch) => ch.kind === 'update').length > 20);

    // The other gateway's client never noticed: chained updates throughout, including right after the kill.
    // Once an update stamped a second after the kill arrived, the second's updates all did (in order).
    await until('a second of updates after the kill', () => other.of('update').some((m: UpdateMsg) => m.t >= killedAt + 1000));
    expect(chain.breaks).toEqual([]);
    const during = other.of('update').filter((m: UpdateMsg) => m.t > killedAt && m.t < killedAt + 1000);
    expect(during.length).toBeGreaterThan(5);
    // The moved client resumed every stream on its new gateway (protocol 1.1: the history is the
    // stream's, not the gateway's), then chained updates: no gap, no snapshot needed.
    expect(gaps).toEqual([]);
    expect(recovered.flat().length).toBe(symbols.length * channels.length);
    expect(changes.slice(atKill).find((ch) => ch.kind === 'snapshot')).toBeUndefined();
    for (const s of symbols) {
      const mine = client.state(s, 'ticker')!;
      const theirs = chain.state.get(`${s}|ticker`)!;
      expect(Math.abs(mine.seq - theirs.seq)).toBeLessThan(20); // both live on the same streams
    }
    client.close();
    other.close();
  });

  it('continues every stream after a feed restart: higher seqs, chained on, history kept', async () => {
    const gw = c.gateways[0];
    const cl = await RawClient.open(gw.wsUrl);
    const chain = new ChainChecker();
    cl.ws.on('message', () => chain.apply(cl.messages.at(-1)!));
    cl.send({ type: 'subscribe', symbols, channels });
    await cl.next('snapshot');
    await until('updates', () => chain.updates > symbols.length * 3);
    const barsBefore = (await (await fetch(`${gw.url}/api/candles?symbol=AAPL&interval=1m&limit=5000`)).json()).bars;

    await c.stopFeed();
    const before = new Map(symbols.flatMap((s) => channels.map((ch) => [`${s}|${ch}`, c.feed.market.snapshot(s, ch)!.seq])));
    await sleep(300); // the stopped feed's last events land
    const snapshotsBefore = cl.of('snapshot').length;
    const feed = await c.startFeed();
    expect(feed.stats.restored).toBe(12);
    for (const s of symbols) expect(feed.market.snapshot(s, 'ticker')!.seq).toBe(before.get(`${s}|ticker`));
    await until('updates from the new feed', () => symbols.every((s) => chain.state.get(`${s}|ticker`)!.seq > before.get(`${s}|ticker`)! + 3));

    expect(chain.breaks).toEqual([]);
    // Nothing was lost and nothing restarted: no snapshot was needed, the updates chained straight on.
    expect(cl.of('snapshot').length).toBe(snapshotsBefore);
    const firstAfter = cl.of('update').flatMap((m) => m.items).find((it) => it.s === 'AAPL' && it.ch === 'ticker' && it.seq > before.get('AAPL|ticker')!);
    expect(firstAfter?.prev).toBe(before.get('AAPL|ticker'));
    // The new feed went on from the old state: what clients built from deltas is what it holds.
    feed.feed.stop();
    await until('the client at the feed\'s seqs', () => chain.reached((s, ch) => feed.market.snapshot(s, ch)?.seq));
    for (const s of symbols) {
      for (const ch of ['ticker', 'candles:1m'] as Channel[]) expect(chain.state.get(`${s}|${ch}`), `${s}|${ch}`).toEqual({ seq: feed.market.snapshot(s, ch)!.seq, d: feed.market.snapshot(s, ch)!.d });
    }
    const barsAfter = (await (await fetch(`${gw.url}/api/candles?symbol=AAPL&interval=1m&limit=5000`)).json()).bars;
    expect(barsAfter.length).toBeGreaterThanOrEqual(barsBefore.length);
    expect(barsAfter.slice(0, barsBefore.length - 1)).toEqual(barsBefore.slice(0, -1)); // closed bars kept as they were
    cl.close();
  });
});
