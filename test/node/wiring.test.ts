/**
 * One process's path from the feed to the hub (server/node/wiring.ts, switch-source.ts): pump
 * applies each batch to the market and publishes it on the bus; the SwitchSource records it in
 * the current LocalSource's history, then hands it to the sink; a new LocalSource (a replay's
 * new run) takes over without a second path. A recording sink stands in for the hub.
 */
import { describe, expect, it } from 'vitest';
import { MemoryBus } from '../../server/bus/memory.js';
import type { StreamSink } from '../../server/fanout/stream-sink.js';
import { SimSource } from '../../server/feed/sim-source.js';
import { MarketState } from '../../server/market/market-state.js';
import type { StreamEvent, StreamSnapshot } from '../../server/market/stream-event.js';
import { LocalSource } from '../../server/node/local-source.js';
import { SwitchSource } from '../../server/node/switch-source.js';
import { pump } from '../../server/node/wiring.js';

const LIMITS = { ms: 60_000, trades: 100 };

function rig() {
  let now = Date.UTC(2025, 0, 2, 12);
  let fire: () => void = () => {};
  const feed = new SimSource({ symbols: 3, rate: 50, seed: 'wiring', now: () => now, setTimer: (fn) => ((fire = fn), 'h'), clearTimer: () => {} });
  const market = new MarketState();
  for (const i of feed.instruments) market.addSymbol(i.symbol, feed.history(i.symbol));
  const bus = new MemoryBus();
  const got: StreamEvent[][] = [];
  const sink: StreamSink = { publish: (events) => void got.push([...events]), resync: (_snap: StreamSnapshot) => {}, held: () => false };
  const step = (beats: number) => {
    for (let i = 0; i < beats; i++) (now += 10), fire();
  };
  return { feed, market, bus, got, sink, step, now: () => now, symbol: feed.instruments[0]!.symbol };
}

describe('SwitchSource over a memory bus, fed by pump', () => {
  it('records every batch in the current LocalSource before the sink sees it, and nothing reaches the sink before attach', () => {
    const r = rig();
    const first = new LocalSource(r.market, 'e1', LIMITS, r.now);
    const source = new SwitchSource(r.bus, first);
    pump(r.feed, () => r.market, (out) => void r.bus.publish(out.slice()));
    r.step(20);
    expect(r.got).toEqual([]); // no sink yet

    source.attach(r.sink);
    const snap = source.snapshot(r.symbol, 'ticker')!; // starts the stream's history
    expect(snap.epoch).toBe('e1');
    r.step(100);
    const mine = r.got.flat().filter((e) => e.s === r.symbol && e.ch === 'ticker');
    expect(mine.length).toBeGreaterThan(0);
    expect(mine[0]!.seq).toBe(snap.seq + 1);
    // Recorded before it was published: the snapshot's position recovers up to the last event the sink saw.
    const rec = source.recover({ s: r.symbol, ch: 'ticker', seq: snap.seq, epoch: 'e1' }, r.now());
    expect(rec.ok && rec.item?.seq).toBe(mine.at(-1)!.seq);

    // A new run: the next batches go to the new source's history, through the same path.
    const second = new LocalSource(r.market, 'e2', LIMITS, r.now);
    source.current = second;
    const snap2 = source.snapshot(r.symbol, 'ticker')!;
    expect(snap2.epoch).toBe('e2');
    const before = r.got.length;
    r.step(100);
    expect(r.got.length).toBeGreaterThan(before);
    const rec2 = source.recover({ s: r.symbol, ch: 'ticker', seq: snap2.seq, epoch: 'e2' }, r.now());
    expect(rec2.ok && rec2.item?.seq).toBe(r.got.flat().filter((e) => e.s === r.symbol && e.ch === 'ticker').at(-1)!.seq);
    expect(first.history.get(r.symbol, 'ticker')).toBeDefined();
    r.feed.stop();
  });
});
