/**
 * The flush clock without sockets (recording transports, a clock the test moves): passes in
 * slices that yield to the event loop, round-robin order under backlog, one write per session
 * carrying everything since its last, and late sessions conflated with the chain intact.
 */
import { describe, expect, it } from 'vitest';
import type { HubOptions } from '../../server/fanout/hub.js';
import { FLUSH_ITEMS } from '../../server/fanout/flush-clock.js';
import { tickerHub } from '../helpers/hub.js';

type Item = { s: string; seq: number; prev: number; d: Record<string, number> };

function setup(flush: HubOptions['flush']) {
  const { hub, client: open, advance, event } = tickerHub(flush);
  /** Which session wrote, in write order. */
  const writes: number[] = [];
  const client = (i: number) => {
    const c = open({ onSend: (m) => void (m.type === 'update' && writes.push(i)) });
    return { session: c.session, updates: () => c.updates<{ items: Item[] }>() };
  };
  const clients = async (n: number, symbols: string[], throttle = 0) => {
    const out = [];
    for (let i = 0; i < n; i++) {
      const c = client(i);
      await hub.receive(c.session, { ok: true, value: { type: 'subscribe', symbols, throttle } });
      out.push(c);
    }
    return out;
  };
  return { hub, clients, event, writes, advance };
}

/** A slice clock that moves 1 ms each time it is read, and a defer the test runs by hand. */
function manual() {
  let t = 0;
  const runs: (() => void)[] = [];
  return {
    flush: { elapsed: () => t++, sliceMs: 2, defer: (run: () => void) => void runs.push(run) },
    /** Runs one deferred slice; false when none was scheduled. */
    step: () => {
      const run = runs.shift();
      run?.();
      return run !== undefined;
    },
    pending: () => runs.length,
  };
}

describe('flush passes in slices', () => {
  it('splits a pass over many sessions into slices; those not reached keep their place and get everything since in one write', async () => {
    const m = manual();
    const t = setup(m.flush);
    const cs = await t.clients(100, ['AAA']);
    t.event('AAA');
    expect(m.pending()).toBe(1);
    m.step();
    const first = t.writes.length;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(100); // the slice yielded
    expect(m.pending()).toBe(1);
    t.event('AAA'); // news for everyone while the pass is under way
    while (m.step());
    // Round robin: the rest of the first pass, then those served first, each once more.
    const order = t.writes.slice();
    expect(order.slice(0, 100)).toEqual([...Array(100).keys()]);
    expect(order.slice(100)).toEqual([...Array(first).keys()]);
    for (const [i, c] of cs.entries()) {
      const items = c.updates().map((u) => u.items.map((x) => [x.prev, x.seq]));
      // Reached in the first slice: one write per event; the others: both events in one write.
      expect(items).toEqual(i < first ? [[[0, 1]], [[1, 2]]] : [[[0, 1], [1, 2]]]);
    }
  });

  it('yields to the event loop between slices (a callback queued after the event runs mid-pass)', async () => {
    let t = 0;
    const h = setup({ elapsed: () => t++, sliceMs: 4 });
    await h.clients(600, ['AAA']);
    const midPass = new Promise<number>((resolve) => {
      h.event('AAA');
      setImmediate(() => resolve(h.writes.length));
    });
    const seen = await midPass;
    expect(seen).toBeGreaterThan(0);
    expect(seen).toBeLessThan(600);
    while (h.writes.length < 600) await new Promise((r) => setImmediate(r));
    expect(new Set(h.writes).size).toBe(600);
  });

  it('flushes a throttle class released by the clock across slices, each session once', async () => {
    const m = manual();
    const t = setup(m.flush);
    const cs = await t.clients(80, ['AAA', 'BBB'], 100);
    for (let i = 0; i < 3; i++) t.event('AAA'), t.event('BBB');
    t.hub.tick(t.advance(100));
    expect(t.writes.length).toBeGreaterThan(0);
    expect(t.writes.length).toBeLessThan(80);
    while (m.step());
    expect(t.writes.length).toBe(80);
    for (const c of cs) expect(c.updates()[0].items.map((x) => [x.s, x.prev, x.seq])).toEqual([['AAA', 0, 3], ['BBB', 0, 3]]);
  });
});

describe('a session served late (past capacity)', () => {
  it('gets one conflated item per state stream, prev still chaining; on time it gets every event', async () => {
    const m = manual();
    const t = setup({ ...m.flush, lateMs: 50 });
    const [c] = await t.clients(1, ['AAA', 'BBB']);
    for (let i = 0; i < 3; i++) t.event('AAA');
    t.event('BBB');
    while (m.step());
    expect(c.updates()[0].items.map((x) => [x.s, x.prev, x.seq])).toEqual([['AAA', 0, 1], ['AAA', 1, 2], ['AAA', 2, 3], ['BBB', 0, 1]]);
    for (let i = 0; i < 3; i++) t.event('AAA');
    t.event('BBB');
    t.advance(51); // queued at the events, served 51 ms later
    while (m.step());
    const late = c.updates()[1].items;
    expect(late.map((x) => [x.s, x.prev, x.seq])).toEqual([['AAA', 3, 6], ['BBB', 1, 2]]);
    expect(late[0].d).toMatchObject({ last: 6 });
    expect(t.hub.stats.conflated).toBe(2);
  });

  it('flushes a session with more due streams than FLUSH_ITEMS in parts, one frame per slice, each stream once per tick', async () => {
    const m = manual();
    const { hub, client, advance, now, event } = tickerHub(m.flush, undefined, { symbols: 3000 });
    const symbols = Array.from({ length: 2500 }, (_, i) => `S${i}`);
    const frames: { items: Item[] }[] = [];
    const c = client({ onSend: (msg) => void (msg.type === 'update' && frames.push(msg as unknown as { items: Item[] })) });
    await hub.receive(c.session, { ok: true, value: { type: 'subscribe', symbols, throttle: 1000 } });
    for (const s of symbols) event(s);
    advance(1000);
    hub.tick(now()); // releases the throttle class: its first slice runs at once
    // News for every stream between the parts: none is sent twice within the tick.
    while (m.pending()) {
      for (const s of symbols) event(s);
      m.step();
    }
    const tick1 = frames.splice(0);
    expect(tick1.length).toBe(Math.ceil(2500 / FLUSH_ITEMS));
    for (const f of tick1) expect(f.items.length).toBeLessThanOrEqual(FLUSH_ITEMS);
    const sent = tick1.flatMap((f) => f.items.map((x) => x.s));
    expect(sent.length).toBe(2500);
    expect(new Set(sent).size).toBe(2500);
    // The news that came after a stream's part goes out on the next tick, conflated: one item
    // per stream (those of the last part had none after theirs).
    const newsAfter = new Set(tick1.slice(0, -1).flatMap((f) => f.items.map((x) => x.s)));
    advance(1000);
    hub.tick(now());
    while (m.step());
    const tick2 = frames.flatMap((f) => f.items.map((x) => x.s));
    expect(tick2.length).toBe(newsAfter.size);
    expect(new Set(tick2)).toEqual(newsAfter);
  });

  it('serves unthrottled news while a tick is flushed in parts: the two go first in turn', async () => {
    const m = manual();
    const { hub, client, advance, now, event } = tickerHub(m.flush, undefined, { symbols: 8000 });
    const symbols = Array.from({ length: 8000 }, (_, i) => `S${i}`);
    let bigFrames = 0;
    const big = client({ onSend: (msg) => void (msg.type === 'update' && bigFrames++) });
    const small = client();
    await hub.receive(big.session, { ok: true, value: { type: 'subscribe', symbols, throttle: 1000 } });
    await hub.receive(small.session, { ok: true, value: { type: 'subscribe', symbols: ['X'], throttle: 0 } });
    for (const s of symbols) event(s);
    while (m.step());
    advance(1000);
    const parts = Math.ceil(8000 / FLUSH_ITEMS);
    hub.tick(now()); // the tick's first slice: a part or two
    expect(bigFrames).toBeLessThan(3);
    event('X');
    m.step();
    m.step();
    expect(small.updates()).toHaveLength(1); // well before the tick's last part
    expect(bigFrames).toBeLessThan(parts);
    while (m.step());
    expect(bigFrames).toBe(parts);
  });
});
