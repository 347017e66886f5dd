/** MarketClient against real servers: reconnects, gap repair, several URLs. */
import { EventSource } from 'eventsource';
import { createServer } from 'node:net';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { MarketClient } from '../shared/client/index.js';
import type { ClientEvents, ClientOptions, ClientStatus, StreamChange } from '../shared/client/types.js';
import { decode } from '../shared/codec.js';
import type { Ticker, UpdateMsg } from '../shared/protocol.js';
import { sleep, startNode, type Running } from './helpers/node.js';

/** Records a client's events and waits for conditions on them. */
class Recorder {
  readonly statuses: ClientStatus[] = [];
  readonly changes: StreamChange[] = [];
  readonly gaps: Parameters<ClientEvents['gap']>[0][] = [];
  readonly rtts: number[] = [];
  constructor(readonly client: MarketClient) {
    client.on('status', (s) => this.statuses.push(s));
    client.on('change', (c) => this.changes.push(c));
    client.on('gap', (g) => this.gaps.push(g));
    client.on('rtt', (ms) => this.rtts.push(ms));
  }
  async until(cond: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; statuses: ${JSON.stringify(this.statuses.slice(-5))}`);
      await sleep(20);
    }
  }
  /** Checks that each stream's applied seqs rise, with snapshots allowed to restart them. */
  expectOrdered(): void {
    const last = new Map<string, number>();
    for (const c of this.changes) {
      const key = `${c.symbol}|${c.channel}`;
      if (c.kind === 'update') expect(c.seq, key).toBeGreaterThan(last.get(key)!);
      last.set(key, c.seq);
    }
  }
}

const clients: MarketClient[] = [];
const nodes: Running[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(nodes.splice(0).map((n) => n.close()));
});

function makeClient(o: Partial<ClientOptions> & Pick<ClientOptions, 'urls'>): Recorder {
  const c = new MarketClient({ WebSocket, EventSource, baseDelayMs: 50, maxDelayMs: 400, pingMs: 300, ...o });
  clients.push(c);
  return new Recorder(c);
}

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
    await r.until(() => count('AAPL', 'ticker', 'update') > 2 && count('MSFT', 'ticker', 'update') > 0, 'updates before the restart');
    expect(r.client.status).toMatchObject({ state: 'live', transport, fallback: false });
    await r.until(() => r.rtts.length > 0, 'an RTT sample');
    const session = r.client.connection!.session;

    await a.close();
    nodes.splice(nodes.indexOf(a), 1);
    await r.until(() => r.statuses.some((s) => s.state === 'reconnecting'), 'reconnecting');
    await sleep(300); // a few refused attempts while the server is down
    const mark = r.changes.length;
    const b = await node({}, portOf(a.url));
    await r.until(() => r.client.status.state === 'live', 'live again');
    expect(r.client.connection!.session).not.toBe(session);
    for (const [s, ch] of [['AAPL', 'ticker'], ['AAPL', 'trades'], ['MSFT', 'ticker']])
      await r.until(() => count(s, ch, 'snapshot', mark) > 0 && count(s, ch, 'update', mark) > 0, `${s} ${ch} after the restart`);
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
    await r.until(() => aaplGap() !== undefined, 'a gap on AAPL ticker');
    expect(dropped).toBe(1);
    const gap = aaplGap()!;
    expect(gap).toMatchObject({ symbol: 'AAPL', channel: 'ticker' });
    expect(gap.prev).toBeGreaterThan(gap.have);
    // The first snapshot is older than the gap; the repairing one is at least at `prev`.
    const repair = () => r.changes.findIndex((c) => c.symbol === 'AAPL' && c.kind === 'snapshot' && c.seq >= gap.prev);
    await r.until(() => repair() >= 0, 'the repairing snapshot');
    await r.until(() => r.changes.slice(repair()).some((c) => c.symbol === 'AAPL' && c.kind === 'update'), 'updates after the repair');
    // A gap shows only when the stream's next update comes: wait until every stream of the lost
    // frame has seen its gap and its repairing snapshot before stopping the feed.
    const repaired = (k: string) => {
      const g = r.gaps.find((x) => `${x.symbol}|${x.channel}` === k);
      return g !== undefined && r.changes.some((c) => `${c.symbol}|${c.channel}` === k && c.kind === 'snapshot' && c.seq >= g.prev);
    };
    await r.until(() => [...lostStreams].every(repaired), 'every lost stream repaired');

    n.node.feed.stop();
    await sleep(300);
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
    await r.until(() => r.changes.filter((c) => c.kind === 'update').length > 2, 'updates from the second server');
    const connecting = r.statuses.filter((s) => s.state === 'connecting').map((s) => s.state === 'connecting' && `${s.url} ${s.transport}`);
    expect(connecting.slice(0, 3)).toEqual([`${dead} ws`, `${dead} sse`, `${n.url} ws`]);
    expect(r.client.status).toMatchObject({ state: 'live', url: n.url, transport: 'ws' });
  });

  it('unsubscribes: the stream stops and its state is dropped', async () => {
    const n = await node();
    const r = makeClient({ urls: n.url, transport: 'ws' });
    r.client.subscribe(['AAPL', 'MSFT'], { channels: ['ticker', 'trades'] });
    await r.until(() => r.client.state('AAPL', 'trades') !== undefined && r.client.state('MSFT', 'trades') !== undefined, 'snapshots');
    r.client.unsubscribe(['AAPL']);
    r.client.unsubscribe(['MSFT'], ['trades']);
    expect(r.client.state('AAPL', 'ticker')).toBeUndefined();
    expect(r.client.subscriptions).toEqual([{ symbol: 'MSFT', channel: 'ticker', throttle: 0 }]);
    await sleep(200);
    const mark = r.changes.length;
    await r.until(() => r.changes.slice(mark).some((c) => c.symbol === 'MSFT'), 'MSFT keeps coming');
    expect(r.changes.slice(mark).filter((c) => c.symbol === 'AAPL' || c.channel === 'trades')).toEqual([]);
    const [sess] = n.node.hub.sessions;
    expect([...sess.subs.keys()]).toEqual(['MSFT|ticker']);
  });
});
