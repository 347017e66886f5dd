/**
 * A feed restarted on a Redis that kept its data (real redis-server; the `s:`/`h:` keys survive):
 * the book stream goes on in the same epoch from the book Redis holds, so a client that stayed
 * connected chains straight on and a client that was away resumes with `since` on either
 * gateway; every checksum matches, and ticker, trades and candles go on consistently with it.
 * Both gateways keep mirroring the symbols meanwhile (a client each), so recovery comes from
 * their own history. A kept book the new run cannot continue (a lower BOOK_DEPTH) is a new
 * epoch instead: snapshots, never a mismatch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BookData, Channel, ServerMessage, StreamPosition, SubscribedMsg, Ticker } from '../../shared/protocol.js';
import { BookKeeper, bookFormats, type BookFormats } from '../helpers/book-keeper.js';
import { Positions } from '../helpers/positions.js';
import { settled, startCluster, type Cluster } from '../helpers/cluster.js';
import { RawClient } from '../helpers/node.js';
import { createFeedNode } from '../../server/node/feed.js';
import { until } from '../helpers/wait.js';

const SYMBOLS = ['AAPL', 'BTC-USD', 'EURUSD', 'ETH-USD'];
const CHANNELS: Channel[] = ['book', 'ticker', 'trades', 'candles:1s'];

let c: Cluster;
let formats: BookFormats;
beforeAll(async () => {
  c = await startCluster({ FEED_RATE: '40', FEED_SYMBOLS: '8' });
  formats = await bookFormats(c.gateways[0].url);
});
afterAll(() => c?.close());

/** A client's view over any number of connections: positions, trade ids and chains (Positions), and books. */
class Holder extends Positions {
  readonly keeper = new BookKeeper(formats, 20);
  override apply(m: ServerMessage): void {
    this.keeper.apply(m);
    super.apply(m);
  }
  async connect(gw: number, since?: StreamPosition[]): Promise<{ cl: RawClient; sub: SubscribedMsg }> {
    const cl = await RawClient.open(c.gateways[gw].wsUrl);
    this.attach(cl);
    cl.send({ type: 'subscribe', symbols: SYMBOLS, channels: CHANNELS, throttle: 0, ...(since ? { since } : {}) });
    return { cl, sub: (await cl.next('subscribed')) as SubscribedMsg };
  }
}

const bookSeqs = (h: Holder) => SYMBOLS.map((s) => h.seq.get(`${s}|book`) ?? -1);

describe('a feed restarted on a Redis that kept its data', { timeout: 90_000 }, () => {
  it('continues every book in the same epoch: live and resuming clients chain on with matching checksums', async () => {
    const live = new Holder();
    const stay = await live.connect(0);
    // Gateway 1 keeps mirroring the symbols (and their history) for a ticker client of its own.
    const keep = await RawClient.open(c.gateways[1].wsUrl);
    keep.send({ type: 'subscribe', symbols: SYMBOLS, channels: ['ticker'] });
    await keep.next('snapshot');
    const away = new Holder();
    const gone = await away.connect(1);
    await until('book items before the restart', () => live.keeper.items > 200 && away.keeper.items > 200, 30_000);
    gone.cl.close();
    await gone.cl.closed();
    const held = away.positions();
    const epoch = c.feed.store.epochOf('AAPL');

    await c.stopFeed();
    const before = new Map(SYMBOLS.map((s) => [s, c.feed.market.snapshot(s, 'book')!.seq]));
    const feed = await c.startFeed();
    expect(feed.stats.restored).toBe(8);
    for (const s of SYMBOLS) {
      expect(feed.store.epochOf(s)).toBe(epoch);
      // Restored as stored: the same seq and the same levels as the last run published.
      expect(feed.market.snapshot(s, 'book')!.seq).toBe(before.get(s));
    }
    await until('book updates from the new feed', () => bookSeqs(live).every((q, i) => q > before.get(SYMBOLS[i]!)! + 20), 30_000);

    // The client that was away resumes on the gateway it left, and one more on the other gateway.
    const resumed = await away.connect(1, held);
    expect(resumed.sub.unrecovered).toEqual([]);
    expect(resumed.sub.recovered).toHaveLength(held.length);
    const other = new Holder();
    for (const it of gone.cl.messages) other.apply(it); // the same history as `away` before the restart
    const moved = await other.connect(0, held);
    expect(moved.sub.unrecovered).toEqual([]);
    for (const h of [away, other]) await until('the resumed books past the restart', () => bookSeqs(h).every((q, i) => q > before.get(SYMBOLS[i]!)!));

    c.feed.feed.stop(); // the market stands still: everyone meets at one seq
    const truth = await settled(async () => ((await (await fetch(`${c.gateways[0].url}/api/snapshot?symbols=${SYMBOLS.join(',')}&channels=book,ticker`)).json()) as { items: { s: string; ch: string; seq: number; epoch: string; d: unknown }[] }).items);
    const seqOf = (s: string, ch: string) => truth.find((i) => i.s === s && i.ch === ch)!;
    for (const [name, h] of Object.entries({ live, away, other })) {
      await until(`${name} at the feed's seq`, () => SYMBOLS.every((s) => h.seq.get(`${s}|book`) === seqOf(s, 'book').seq), 15_000);
      expect(h.keeper.failures, name).toEqual([]); // every checksum matched, the prev chain held, never crossed
      expect(h.chain.breaks, name).toEqual([]);
      for (const s of SYMBOLS) {
        const d = seqOf(s, 'book').d as BookData;
        const mine = h.keeper.books.get(s)!;
        expect({ bids: mine.bids, asks: mine.asks, checksum: mine.checksum }, `${name} ${s}`).toEqual({ bids: d.bids, asks: d.asks, checksum: d.checksum });
        expect(seqOf(s, 'book').epoch).toBe(epoch);
        const t = seqOf(s, 'ticker').d as Ticker;
        expect([t.bid, t.bidSize, t.ask, t.askSize], `${s}: the ticker is the touch`).toEqual([d.bids[0]![0], d.bids[0]![1], d.asks[0]![0], d.asks[0]![1]]);
        const ids = h.ids.get(s) ?? [];
        ids.forEach((id, i) => i && expect(id, `${name} ${s} trade ${i}`).toBe(ids[i - 1]! + 1)); // no trade lost or repeated
      }
    }
    // Only the first subscribe of each client got snapshots: the restart needed none.
    expect(live.snapshots).toBe(SYMBOLS.length * CHANNELS.length);
    expect(away.snapshots).toBe(SYMBOLS.length * CHANNELS.length);
    expect(resumed.cl.of('snapshot')).toEqual([]);
    // The published book is the simulator's own (no level of the old run lingers in it).
    for (const s of SYMBOLS) {
      const sim = feed.feed.history(s).book!;
      const pub = feed.market.snapshot(s, 'book')!.d as unknown as BookData;
      expect({ bids: pub.bids, asks: pub.asks }, s).toEqual({ bids: sim.bids.slice(0, 20), asks: sim.asks.slice(0, 20) });
    }
    for (const x of [stay, resumed, moved]) x.cl.close();
    keep.close();
  });

  it('starts a new epoch when the kept book cannot be continued (a lower BOOK_DEPTH): snapshots, never a mismatch', async () => {
    const live = new Holder();
    const stay = await live.connect(0);
    await until('the books', () => live.keeper.items >= SYMBOLS.length);
    const old = c.feed.store.epochOf('AAPL');
    const held = live.positions();
    await c.stopFeed();
    c.feed = await createFeedNode({ ...c.config, role: 'feed', bookDepth: 10 }); // the cluster closes it
    await c.feed.start();
    expect(c.feed.stats.restored).toBe(0);
    const epoch = c.feed.store.epochOf('AAPL');
    expect(epoch).not.toBe(old);
    await until('book snapshots of the new epoch, then updates', () => SYMBOLS.every((s) => live.epoch.get(`${s}|book`) === epoch) && live.keeper.items > 100, 30_000);
    // A client resuming from before the restart is not recovered: it gets snapshots of the new epoch.
    const back = new Holder();
    const resumed = await back.connect(1, held);
    expect(resumed.sub.recovered).toEqual([]);
    expect(resumed.sub.unrecovered).toHaveLength(held.length);
    await until('snapshots of the new epoch', () => SYMBOLS.every((s) => back.epoch.get(`${s}|book`) === epoch));
    await until('updates after them', () => back.keeper.items > SYMBOLS.length * 2 + 20);
    for (const [name, h] of Object.entries({ live, back })) {
      expect(h.keeper.failures, name).toEqual([]);
      expect(h.chain.breaks, name).toEqual([]);
      for (const s of SYMBOLS) expect(h.keeper.books.get(s)!.bids.length, `${name} ${s}: the new depth`).toBeLessThanOrEqual(10);
    }
    stay.cl.close();
    resumed.cl.close();
  });
});
