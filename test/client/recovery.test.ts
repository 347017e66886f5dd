/**
 * MarketClient recovery (protocol 1.1 sections 1-2) against a real node behind a proxy whose
 * path dies for 2 s while the server lives on: with the position still in the history every
 * stream resumes (`recovered`, trades contiguous across the cut); past HISTORY_MS the streams
 * are reported unrecovered and repaired by snapshot.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { MarketClient } from '../../shared/client/index.js';
import { startNode, type Running } from '../helpers/node.js';
import { CutProxy } from './proxy.js';
import { holes, makeClient } from './recorder.js';

const SYMBOLS = ['AAPL', 'MSFT', 'BTC-USD'];
const CHANNELS = ['ticker', 'trades'] as const;
const CUT_MS = 2000;

const clients: MarketClient[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const f of closers.splice(0).reverse()) await f();
});

async function setup(env: Record<string, string> = {}): Promise<{ node: Running; proxy: CutProxy }> {
  const node = await startNode({ FEED_RATE: '50', FEED_SYMBOLS: '10', HEARTBEAT_MS: '1000', ...env });
  closers.push(() => node.close());
  const proxy = await CutProxy.start(node.url);
  closers.push(() => proxy.close());
  return { node, proxy };
}

const streams = SYMBOLS.flatMap((s) => CHANNELS.map((ch) => `${s}|${ch}`)).sort();

describe.each(['ws', 'sse'] as const)('MarketClient recovery over %s', (transport) => {
  it('resumes every stream after a 2 s cut: recovered, trades contiguous, no gap', async () => {
    const { node, proxy } = await setup();
    const r = makeClient({ urls: proxy.url, transport }, clients);
    r.client.subscribe(SYMBOLS, { channels: [...CHANNELS] });
    await r.until('a few trades of each symbol', () => SYMBOLS.every((s) => r.tradeIds(s).length >= 3));
    const before = new Map(SYMBOLS.map((s) => [s, r.client.state(s, 'trades')!]));
    const epoch = r.client.state('AAPL', 'ticker')!.epoch;
    expect(epoch).toEqual(expect.any(String));

    proxy.cut(CUT_MS);
    await r.until('the cut noticed', () => r.statuses.some((s) => s.state === 'reconnecting'));
    await r.until('recovered', () => r.recovered.length > 0, CUT_MS + 8000);
    expect(r.recovered.flat().map((x) => `${x.symbol}|${x.channel}`).sort()).toEqual(streams);
    // Trades after the cut keep coming, chained on the recovered ones.
    await r.until('trades after the reconnect', () => SYMBOLS.every((s) => r.client.state(s, 'trades')!.seq > before.get(s)!.seq + 5));
    node.node.feed.stop();

    expect(r.gaps).toEqual([]);
    for (const s of SYMBOLS) {
      const ids = r.tradeIds(s);
      expect(holes(ids), s).toEqual([]);
      // The kept list holds every trade since before the cut (fewer than tradesKept happened).
      const kept = (r.client.state<{ id: number }[]>(s, 'trades')!.state).map((t) => t.id);
      expect(kept[0]!, s).toBeLessThanOrEqual(before.get(s)!.seq);
      expect(holes(kept), s).toEqual([]);
      expect(r.client.state(s, 'trades')!.epoch).toBe(epoch);
    }
    // One snapshot per stream (the first subscribe), none after the cut.
    expect(r.count((c) => c.kind === 'snapshot')).toBe(streams.length);
  }, 30_000);

  it('resumes a book and a throttled ticker without a snapshot, every book state still verified', async () => {
    const { proxy } = await setup();
    const r = makeClient({ urls: proxy.url, transport }, clients);
    r.client.subscribe(['BTC-USD'], { channels: ['book'] });
    r.client.subscribe(['ETH-USD'], { channels: ['ticker'], throttle: 250 });
    await r.until('book and ticker updates', () => r.count((c) => c.kind === 'update' && c.channel === 'book') > 5 && r.count((c) => c.symbol === 'ETH-USD' && c.kind === 'update') > 1);
    proxy.cut(CUT_MS);
    await r.until('both recovered', () => r.recovered.flat().length === 2, CUT_MS + 8000);
    const mark = r.changes.length;
    await r.until('book updates after the cut', () => r.count((c) => c.channel === 'book' && c.kind === 'update', mark) > 5);
    await r.until('every book state checked', () => r.client.bookChecks.verified === r.count((c) => c.channel === 'book'));
    expect(r.client.bookChecks).toMatchObject({ mismatched: 0, unverified: 0 });
    expect(r.gaps).toEqual([]);
    expect(r.count((c) => c.kind === 'snapshot')).toBe(2);
  }, 30_000);

  it('past HISTORY_MS reports the streams unrecovered and repairs them by snapshot', async () => {
    const { proxy } = await setup({ HISTORY_MS: '1000' });
    const r = makeClient({ urls: proxy.url, transport }, clients);
    r.client.subscribe(SYMBOLS, { channels: [...CHANNELS] });
    await r.until('trades of each symbol', () => SYMBOLS.every((s) => r.tradeIds(s).length >= 2));
    // The seqs held when the link went down (frames already on their way still land before that).
    const held = new Map<string, number>();
    let mark = 0;
    const off = r.client.on('status', (s) => {
      if (s.state !== 'reconnecting' || held.size) return;
      for (const k of streams) held.set(k, r.client.state(k.split('|')[0]!, k.split('|')[1] as 'ticker')!.seq);
      mark = r.changes.length;
      off();
    });

    proxy.cut(CUT_MS);
    await r.until('unrecovered gaps', () => r.gaps.length >= SYMBOLS.length, CUT_MS + 8000);
    // Tickers at FEED_RATE 50 move all through the cut: none can be resumed after 2 s with 1 s of history.
    await r.until('ticker snapshots', () => SYMBOLS.every((s) => r.count((c) => c.symbol === s && c.channel === 'ticker' && c.kind === 'snapshot', mark) > 0));
    for (const g of r.gaps) {
      expect(g.reason).toBe('unrecovered');
      expect(g.have).toBe(held.get(`${g.symbol}|${g.channel}`));
    }
    expect(r.gaps.filter((g) => g.channel === 'ticker').map((g) => g.symbol).sort()).toEqual([...SYMBOLS].sort());
    // Whatever was not unrecovered was recovered: the two lists cover every stream.
    const said = [...r.gaps.map((g) => `${g.symbol}|${g.channel}`), ...r.recovered.flat().map((x) => `${x.symbol}|${x.channel}`)];
    expect(said.sort()).toEqual(streams);
    await r.until('updates after the repair', () => r.count((c) => c.kind === 'update' && c.symbol === 'AAPL', mark) > 3);
  }, 30_000);
});

describe('MarketClient on a restarted server', () => {
  it('takes the new epoch from its snapshots and keeps streaming', async () => {
    const node = await startNode({ FEED_RATE: '50', FEED_SYMBOLS: '10', HEARTBEAT_MS: '1000' });
    const port = Number(new URL(node.url).port);
    const r = makeClient({ urls: node.url, transport: 'ws' }, clients);
    r.client.subscribe(['AAPL'], { channels: ['ticker'] });
    await r.until('updates', () => r.count((c) => c.kind === 'update') > 3);
    const first = r.client.state('AAPL', 'ticker')!;
    await node.close();
    const again = await startNode({ FEED_RATE: '50', FEED_SYMBOLS: '10', HEARTBEAT_MS: '1000' }, { port });
    closers.push(() => again.close());
    await r.until('the unrecovered gap', () => r.gaps.length > 0);
    expect(r.gaps).toEqual([{ symbol: 'AAPL', channel: 'ticker', have: expect.any(Number), prev: -1, reason: 'unrecovered' }]);
    const mark = r.changes.length;
    await r.until('updates in the new epoch', () => r.count((c) => c.kind === 'update', mark) > 3);
    expect(r.client.state('AAPL', 'ticker')!.epoch).not.toBe(first.epoch);
  }, 30_000);
});
