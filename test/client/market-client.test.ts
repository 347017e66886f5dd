/** MarketClient against real servers: reconnects, gap repair, several URLs. */
import { createServer } from 'node:net';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { MarketClient } from '../../shared/client/index.js';
import type { ClientOptions } from '../../shared/client/types.js';
import { decode } from '../../shared/codec.js';
import type { Ticker, UpdateMsg } from '../../shared/protocol.js';
import { startNode, type Running } from '../helpers/node.js';
import { sleep } from '../helpers/wait.js';
import { makeClient as makeRecorder } from './recorder.js';

const clients: MarketClient[] = [];
const nodes: Running[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(nodes.splice(0).map((n) => n.close()));
});

const makeClient = (o: Partial<ClientOptions> & Pick<ClientOptions, 'urls'>) => makeRecorder({ maxDelayMs: 400, pingMs: 300, ...o }, clients);

async function node(env: Record<string, string> = {}, port = 0): Promise<Running> {
  const n = await startNode({ FEED_RATE: '20', FEED_SYMBOLS: '20', HEARTBEAT_MS: '1000', ...env }, { port });
  nodes.push(n);
  return n;
}

const portOf = (url: string) => Number(new URL(url).port);

describe.each(['ws', 'sse'] as const)('MarketClient over %s', (transport) => {
  it('reconnects and resubscribes everything after the server restarts on the same port', async () => {
    const a = await node();
    const r = makeClient({ urls: a.url, transport });
    r.client.subscribe(['AAPL'], { channels: ['ticker', 'trades'] });
    r.client.subscribe(['MSFT'], { throttle: 100 });
    const count = (s: string, ch: string, kind: string, from = 0) => r.changes.slice(from).filter((c) => c.symbol === s && c.channel === ch && c.kind === kind).length;
    await r.until('updates before the restart', () => count('AAPL', 'ticker', 'update') > 2 && count('MSFT', 'ticker', 'update') > 0);
    expect(r.client.status).toMatchObject({ state: 'live', transport, fallback: false });
    await r.until('an RTT sample', () => r.rtts.length > 0);
    const session = r.client.connection!.session;

    await a.close();
    nodes.splice(nodes.indexOf(a), 1);
    await r.until('reconnecting', () => r.statuses.some((s) => s.state === 'reconnecting'));
    await r.until('a few refused attempts while the server is down', () => r.statuses.filter((s) => s.state === 'reconnecting').length >= 3);
    const mark = r.changes.length;
    const b = await node({}, portOf(a.url));
    await r.until('live again', () => r.client.status.state === 'live');
    expect(r.client.connection!.session).not.toBe(session);
    for (const [s, ch] of [['AAPL', 'ticker'], ['AAPL', 'trades'], ['MSFT', 'ticker']])
      await r.until(`${s} ${ch} after the restart`, () => count(s, ch, 'snapshot', mark) > 0 && count(s, ch, 'update', mark) > 0);
    const [sess] = b.node.hub.sessions;
    expect([...sess.subs.values()].map((sub) => `${sub.rec.key}@${sub.throttle}`).sort()).toEqual(['AAPL|ticker@0', 'AAPL|trades@0', 'MSFT|ticker@100']);
    r.expectOrdered();
    // A restarted single-process server is a new epoch: every stream held is reported
    // unrecovered (its snapshot replaced it), and nothing else broke.
    expect(r.gaps.every((g) => g.reason === 'unrecovered')).toBe(true);
    if (r.gaps.length) expect(r.gaps.map((g) => `${g.symbol}|${g.channel}`).sort()).toEqual(['AAPL|ticker', 'AAPL|trades', 'MSFT|ticker']);
  });
});

describe('MarketClient', () => {
  it('repairs a gap with a snapshot and ends with the server state', async () => {
    const n = await node();
    let dropped = 0;
    let seen = 0;
    const lostStreams = new Set<string>();
    // A WebSocket that loses one update frame carrying AAPL's ticker, as a faulty network path would.
    const Lossy = function (url: string) {
      const ws = new WebSocket(url);
      const emit = ws.emit.bind(ws);
      ws.emit = ((event: string, ...args: unknown[]) => {
        if (event === 'message' && dropped === 0) {
          const r = decode(args[0] as Buffer);
          const m = r.ok ? (r.value as UpdateMsg) : undefined;
          if (m?.type === 'update' && m.items.some((i) => i.s === 'AAPL' && i.ch === 'ticker') && ++seen === 3) {
            dropped++;
            for (const i of m.items) lostStreams.add(`${i.s}|${i.ch}`);
            return true;
          }
        }
        return emit(event, ...args);
      }) as typeof ws.emit;
      return ws;
    } as unknown as typeof WebSocket;
    const r = makeClient({ urls: n.url, transport: 'ws', WebSocket: Lossy });
    r.client.subscribe(['AAPL', 'MSFT']);
    // The lost frame may have carried MSFT too, and MSFT's gap may show first.
    const aaplGap = () => r.gaps.find((g) => g.symbol === 'AAPL' && g.channel === 'ticker');
    await r.until('a gap on AAPL ticker', () => aaplGap() !== undefined);
    expect(dropped).toBe(1);
    const gap = aaplGap()!;
    expect(gap).toMatchObject({ symbol: 'AAPL', channel: 'ticker' });
    expect(gap.prev).toBeGreaterThan(gap.have);
    // The first snapshot is older than the gap; the repairing one is at least at `prev`.
    const repair = () => r.changes.findIndex((c) => c.symbol === 'AAPL' && c.kind === 'snapshot' && c.seq >= gap.prev);
    await r.until('the repairing snapshot', () => repair() >= 0);
    await r.until('updates after the repair', () => r.changes.slice(repair()).some((c) => c.symbol === 'AAPL' && c.kind === 'update'));
    // A gap shows only when the stream's next update comes: wait until every stream of the lost
    // frame has seen its gap and its repairing snapshot before stopping the feed.
    const repaired = (k: string) => {
      const g = r.gaps.find((x) => `${x.symbol}|${x.channel}` === k);
      return g !== undefined && r.changes.some((c) => `${c.symbol}|${c.channel}` === k && c.kind === 'snapshot' && c.seq >= g.prev);
    };
    await r.until('every lost stream repaired', () => [...lostStreams].every(repaired));

    n.node.feed.stop();
    const caughtUp = (s: string) => r.client.state(s, 'ticker')?.seq === n.node.market.snapshot(s, 'ticker')!.seq;
    await r.until('the client at the server\'s seqs', () => caughtUp('AAPL') && caughtUp('MSFT'));
    for (const s of ['AAPL', 'MSFT']) {
      const server = n.node.market.snapshot(s, 'ticker')!;
      expect(r.client.state<Ticker>(s, 'ticker'), s).toMatchObject({ seq: server.seq, state: server.d });
    }
    // One gap for each stream of the lost frame (it may have carried MSFT too), and no other.
    expect(r.gaps.map((g) => `${g.symbol}|${g.channel}`).sort()).toEqual([...lostStreams].sort());
    r.expectOrdered();
  });

  it('moves on to the next URL when the first one is down', async () => {
    const dead = await new Promise<string>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const { port } = srv.address() as { port: number };
        srv.close(() => resolve(`http://127.0.0.1:${port}`));
      });
    });
    const n = await node();
    const r = makeClient({ urls: [dead, n.url], transport: 'auto' });
    r.client.subscribe(['MSFT']);
    await r.until('updates from the second server', () => r.changes.filter((c) => c.kind === 'update').length > 2);
    const connecting = r.statuses.filter((s) => s.state === 'connecting').map((s) => s.state === 'connecting' && `${s.url} ${s.transport}`);
    expect(connecting.slice(0, 3)).toEqual([`${dead} ws`, `${dead} sse`, `${n.url} ws`]);
    expect(r.client.status).toMatchObject({ state: 'live', url: n.url, transport: 'ws' });
  });

  it('unsubscribes: the stream stops and its state is dropped', async () => {
    const n = await node();
    const r = makeClient({ urls: n.url, transport: 'ws' });
    r.client.subscribe(['AAPL', 'MSFT'], { channels: ['ticker', 'trades'] });
    await r.until('snapshots', () => r.client.state('AAPL', 'trades') !== undefined && r.client.state('MSFT', 'trades') !== undefined);
    r.client.unsubscribe(['AAPL']);
    r.client.unsubscribe(['MSFT'], ['trades']);
    expect(r.client.state('AAPL', 'ticker')).toBeUndefined();
    expect(r.client.subscriptions).toEqual([{ symbol: 'MSFT', channel: 'ticker', throttle: 0 }]);
    await sleep(200); // changes already on their way when the unsubscribe went out land
    const mark = r.changes.length;
    await r.until('MSFT keeps coming', () => r.changes.slice(mark).some((c) => c.symbol === 'MSFT'));
    expect(r.changes.slice(mark).filter((c) => c.symbol === 'AAPL' || c.channel === 'trades')).toEqual([]);
    const [sess] = n.node.hub.sessions;
    expect([...sess.subs.keys()]).toEqual(['MSFT|ticker']);
  });
});

describe('MarketClient', () => {
  it('lists what it asked for, names its live connection, drops a removed listener, and goes quiet on close', async () => {
    const n = await node();
    const r = makeClient({ urls: n.url, transport: 'ws' });
    r.client.subscribe(['AAPL', 'MSFT'], { channels: ['ticker'], throttle: 100 });
    r.client.subscribe(['AAPL'], { channels: ['trades'] }); // asked before live: sent once it is
    expect(r.client.subscriptions).toEqual([
      { symbol: 'AAPL', channel: 'ticker', throttle: 100 },
      { symbol: 'AAPL', channel: 'trades', throttle: 0 },
      { symbol: 'MSFT', channel: 'ticker', throttle: 100 },
    ]);
    expect(r.client.connection).toBeUndefined();
    await r.until('live', () => r.client.status.state === 'live');
    const [session] = n.node.hub.sessions;
    expect(r.client.connection).toEqual({ transport: 'ws', session: session!.id });

    let seen = 0;
    const off = r.client.on('change', () => seen++);
    await r.until('changes to the extra listener', () => seen > 2);
    off();
    const at = seen;
    const mark = r.changes.length;
    await r.until('more changes', () => r.changes.length > mark + 2);
    expect(seen).toBe(at);

    r.client.close();
    expect(r.client.status).toEqual({ state: 'closed' });
    expect(r.client.connection).toBeUndefined();
    const statuses = r.statuses.length;
    await r.until('the server to drop the session', () => n.node.hub.sessions.size === 0);
    expect(r.statuses.length).toBe(statuses); // no reconnect after close
  });
});
