/**
 * Protocol 1.1 recovery on one process, with a raw WebSocket client decoding MessagePack:
 * resume after a disconnect with every trade, chained on the held seq; other epochs, too old
 * positions and trades beyond HISTORY_TRADES get snapshots; a restarted server is a new epoch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel, ServerMessage, StreamPosition, SubscribedMsg, Trade, UpdateMsg } from '../../shared/protocol.js';
import { ChainChecker } from '../helpers/chain.js';
import { RawClient, startNode, type Running } from '../helpers/node.js';
import { until } from '../helpers/wait.js';

const symbols = ['AAPL', 'MSFT'];
const channels: Channel[] = ['ticker', 'trades', 'candles:1m'];

/** Every stream's position (epoch from its snapshot, seq from the last item) and every trade id seen. */
class Holder {
  readonly epoch = new Map<string, string>();
  readonly seq = new Map<string, number>();
  readonly tradeIds = new Map<string, number[]>();
  readonly chain = new ChainChecker();
  apply(m: ServerMessage): void {
    this.chain.apply(m);
    if (m.type !== 'snapshot' && m.type !== 'update') return;
    for (const it of m.items) {
      const k = `${it.s}|${it.ch}`;
      if (m.type === 'snapshot') this.epoch.set(k, (it as { epoch?: string }).epoch!);
      this.seq.set(k, it.seq);
      if (it.ch === 'trades') {
        const ids = this.tradeIds.get(it.s) ?? [];
        const list = it.d as Trade[];
        // A snapshot's trades start the record; an update's come after.
        if (m.type === 'snapshot') ids.length = 0;
        ids.push(...list.map((t) => t.id));
        this.tradeIds.set(it.s, ids);
      }
    }
  }
  positions(): StreamPosition[] {
    return [...this.seq].map(([k, seq]) => {
      const [s, ch] = k.split('|');
      return { s, ch, epoch: this.epoch.get(k)!, seq };
    });
  }
}

async function watch(url: string, holder: Holder, since?: StreamPosition[]): Promise<{ c: RawClient; sub: SubscribedMsg }> {
  const c = await RawClient.open(url);
  c.ws.on('message', () => holder.apply(c.messages.at(-1)!));
  c.send({ type: 'subscribe', id: 1, symbols, channels, ...(since ? { since } : {}) });
  const sub = await c.next('subscribed');
  return { c, sub };
}

const tradesSeq = async (url: string, s: string) =>
  ((await (await fetch(`${url}/api/snapshot?symbols=${s}&channels=trades`)).json()) as { items: { seq: number; epoch: string }[] }).items[0];

describe('recovery on one process', () => {
  let n: Running;
  beforeAll(async () => (n = await startNode({ FEED_RATE: '50', FEED_SYMBOLS: '10' })));
  afterAll(() => n.close());

  it('resumes after a 2 s disconnect: recovered lists every stream, first items chain on the held seq, no trade lost', async () => {
    const h = new Holder();
    const first = await watch(n.wsUrl, h);
    expect(first.sub.recovered).toBeUndefined();
    await until('trades before the disconnect', () => (h.tradeIds.get('AAPL')?.length ?? 0) > 3 && (h.tradeIds.get('MSFT')?.length ?? 0) > 3);
    first.c.close();
    await first.c.closed();
    const held = h.positions();
    expect(held).toHaveLength(symbols.length * channels.length);
    const goneAt = Date.now();
    const heldTrades = held.find((p) => p.s === 'AAPL' && p.ch === 'trades')!.seq;
    await until('trades printed while away', async () => Date.now() - goneAt >= 2000 && (await tradesSeq(n.url, 'AAPL')).seq > heldTrades + 5, 15_000);

    const snapsBefore = h.chain.breaks.length;
    const c2 = new RawClient(n.wsUrl);
    await c2.next('hello');
    const mark = c2.messages.length;
    c2.ws.on('message', () => h.apply(c2.messages.at(-1)!));
    c2.send({ type: 'subscribe', id: 2, symbols, channels, since: held });
    const sub = await c2.next('subscribed');
    expect(sub.recovered).toHaveLength(held.length);
    expect(new Set(sub.recovered!.map((r) => `${r.s}|${r.ch}`))).toEqual(new Set(held.map((p) => `${p.s}|${p.ch}`)));
    expect(sub.unrecovered).toEqual([]);
    await until('live trades after the recovery', () => symbols.every((s) => h.seq.get(`${s}|trades`)! > heldTrades + 10));

    // The first frame after `subscribed` is the recovery: one update, each item chained on the held seq.
    const after = c2.messages.slice(mark).filter((m) => m.type !== 'heartbeat');
    expect(after[0].type).toBe('subscribed');
    const rec = after[1] as UpdateMsg;
    expect(rec.type).toBe('update');
    for (const p of held) {
      const it = rec.items.find((i) => i.s === p.s && i.ch === p.ch);
      if (!it) continue; // a stream with no event while away (a 1m candle may not have moved) has nothing to send
      expect(it.prev).toBe(p.seq);
      expect(it.dropped).toBeUndefined();
    }
    expect(rec.items.filter((i) => i.ch === 'trades')).toHaveLength(2);
    expect(c2.of('snapshot')).toHaveLength(0);
    expect(h.chain.breaks.slice(snapsBefore)).toEqual([]);
    for (const s of symbols) {
      const ids = h.tradeIds.get(s)!;
      expect(ids.length).toBeGreaterThan(10);
      ids.forEach((id, i) => i && expect(id, `${s} trade ${i}`).toBe(ids[i - 1] + 1));
    }
    c2.close();
  });

  it('answers positions of another epoch with snapshots and lists them unrecovered', async () => {
    const h = new Holder();
    const since = symbols.flatMap((s) => channels.map((ch) => ({ s, ch, epoch: 'not-this-one', seq: 3 })));
    const { c, sub } = await watch(n.wsUrl, h, since);
    expect(sub.recovered).toEqual([]);
    expect(sub.unrecovered).toHaveLength(since.length);
    const items = await c.snapshotItems(since.length);
    expect(items).toHaveLength(since.length);
    const epoch = (await tradesSeq(n.url, 'AAPL')).epoch;
    expect(typeof epoch).toBe('string');
    for (const it of items) expect(it.epoch).toBe(epoch);
    c.close();
  });

  it('rejects malformed positions with bad_request', async () => {
    const c = await RawClient.open(n.wsUrl);
    c.send({ type: 'subscribe', id: 9, symbols, since: [{ s: 'AAPL', ch: 'ticker', epoch: 'x', seq: -1 }] });
    expect(await c.next('error')).toMatchObject({ id: 9, code: 'bad_request' });
    c.send({ type: 'subscribe', id: 10, symbols, since: 'everything' });
    expect(await c.next('error', (e) => e.id === 10)).toMatchObject({ code: 'bad_request' });
    c.close();
  });
});

describe('the recovery window', () => {
  let n: Running;
  beforeAll(async () => (n = await startNode({ FEED_RATE: '50', FEED_SYMBOLS: '4', HISTORY_MS: '400', HISTORY_TRADES: '3' })));
  afterAll(() => n.close());

  it('recovers the current seq, not positions older than HISTORY_MS, and not trades beyond HISTORY_TRADES', async () => {
    const h = new Holder();
    const first = await watch(n.wsUrl, h);
    await first.c.next('snapshot');
    first.c.close();
    await first.c.closed();
    const held = h.positions();
    const heldTrades = held.find((p) => p.s === 'AAPL' && p.ch === 'trades')!.seq;
    const goneAt = Date.now();
    await until('the window to pass', async () => Date.now() - goneAt > 600 && (await tradesSeq(n.url, 'AAPL')).seq > heldTrades + 4);
    const { c, sub } = await watch(n.wsUrl, new Holder(), held);
    const tickers = sub.unrecovered!.filter((r) => r.ch === 'ticker').map((r) => r.s);
    expect(tickers.sort()).toEqual([...symbols].sort());
    expect(sub.unrecovered!.filter((r) => r.ch === 'trades')).toHaveLength(2);
    const items = await c.snapshotItems(sub.unrecovered!.length);
    expect(items.filter((i) => i.ch === 'ticker')).toHaveLength(2);

    // A position at the current seq is recovered, whatever its age: nothing was missed.
    const now = await (await fetch(`${n.url}/api/snapshot?symbols=AAPL&channels=candles:1h`)).json();
    const at = now.items[0];
    c.send({ type: 'subscribe', id: 3, symbols: ['AAPL'], channels: ['candles:1h'], since: [{ s: 'AAPL', ch: 'candles:1h', epoch: at.epoch, seq: at.seq }] });
    const s3 = await c.next('subscribed', (m) => m.id === 3);
    // The hour bar may have moved meanwhile (then it is a recent position, recovered as well).
    expect(s3.recovered).toEqual([{ s: 'AAPL', ch: 'candles:1h' }]);
    c.close();
  });
});

describe('a restarted server', () => {
  it('is a new epoch: held positions get snapshots, streams flow', async () => {
    const a = await startNode({ FEED_RATE: '50', FEED_SYMBOLS: '4', PORT: '0' });
    const h = new Holder();
    const first = await watch(a.wsUrl, h);
    await first.c.next('snapshot');
    const held = h.positions();
    first.c.close();
    await a.close();
    const b = await startNode({ FEED_RATE: '50', FEED_SYMBOLS: '4' });
    try {
      const h2 = new Holder();
      const { c, sub } = await watch(b.wsUrl, h2, held);
      expect(sub.unrecovered).toHaveLength(held.length);
      const snap = await c.next('snapshot');
      expect(snap.items[0].epoch).not.toBe(held[0].epoch);
      await until('updates in the new epoch', () => h2.chain.updates > 10);
      expect(h2.chain.breaks).toEqual([]);
      c.close();
    } finally {
      await b.close();
    }
  });
});
