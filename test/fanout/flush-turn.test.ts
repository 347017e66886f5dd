/**
 * When a dirty session is written (flush-clock.ts): at the end of the turn of the event loop
 * that dirtied it, never inside the publish, with no fixed delay and whatever the clock says;
 * everything a turn brought goes out in one write per session. Throttled subscriptions keep
 * their class's cadence. Sockets left out (recording transports); the deferral is the test's
 * own scheduler, except in the last test, which checks the default against Node's loop.
 */
import { describe, expect, it } from 'vitest';
import type { HubOptions } from '../../server/fanout/hub.js';
import { tickerHub } from '../helpers/hub.js';

type Update = { items: { s: string; seq: number; prev: number }[] };

function setup(flush: HubOptions['flush']) {
  const { hub, client: open, advance, now, event } = tickerHub(flush, 5_000_000);
  /** A subscribed client: the updates it is written, as they come. */
  const client = async (symbols: string[], throttle = 0) => {
    const updates: Update[] = [];
    const c = open({ onSend: (m) => void (m.type === 'update' && updates.push(m as unknown as Update)) });
    await hub.receive(c.session, { ok: true, value: { type: 'subscribe', symbols, throttle } });
    return updates;
  };
  return { hub, client, event, advance, now };
}

/** A scheduler the test runs by hand: `endTurn()` runs what was deferred to the end of the turn. */
function turns() {
  const runs: (() => void)[] = [];
  return {
    flush: { defer: (run: () => void) => void runs.push(run) },
    pending: () => runs.length,
    endTurn: () => {
      const now = runs.splice(0);
      for (const r of now) r();
      return now.length;
    },
  };
}

describe('flush at the end of the turn', () => {
  it('writes nothing during the publish; one run at the end of the turn writes each dirty session once, with all the turn brought', async () => {
    const m = turns();
    const t = setup(m.flush);
    const a = await t.client(['AAA', 'BBB']);
    const b = await t.client(['BBB']);
    t.event('AAA');
    t.event('BBB');
    t.event('BBB');
    expect(a.length + b.length).toBe(0);
    expect(m.pending()).toBe(1); // one run per turn, however many events
    expect(m.endTurn()).toBe(1);
    expect(a.map((u) => u.items.map((x) => [x.s, x.prev, x.seq]))).toEqual([[['AAA', 0, 1], ['BBB', 0, 1], ['BBB', 1, 2]]]);
    expect(b.map((u) => u.items.map((x) => [x.s, x.prev, x.seq]))).toEqual([[['BBB', 0, 1], ['BBB', 1, 2]]]);
    expect(m.pending()).toBe(0);
  });

  it('has no fixed delay: the next turn with news writes again, the clock not moved and no tick', async () => {
    const m = turns();
    const t = setup(m.flush);
    const a = await t.client(['AAA']);
    for (let turn = 1; turn <= 3; turn++) {
      t.event('AAA');
      m.endTurn();
      expect(a.length).toBe(turn);
      expect(a.at(-1)!.items.map((x) => x.seq)).toEqual([turn]);
    }
    expect(m.endTurn()).toBe(0); // nothing dirty: no run scheduled
  });

  it('keeps throttled subscriptions on their class cadence, conflated', async () => {
    const m = turns();
    const t = setup(m.flush);
    const slow = await t.client(['AAA'], 100);
    const fast = await t.client(['AAA']);
    for (let i = 0; i < 4; i++) t.event('AAA'), m.endTurn();
    expect(fast.length).toBe(4);
    expect(slow.length).toBe(0); // not written at the end of the turn
    t.hub.tick(t.advance(100));
    m.endTurn();
    expect(slow.map((u) => u.items.map((x) => [x.prev, x.seq]))).toEqual([[[0, 4]]]);
  });

  it('by default, writes what a timer callback dirtied before the next turn\'s timers run', async () => {
    const t = setup(undefined);
    const a = await t.client(['AAA']);
    const seen = await new Promise<number>((resolve) => {
      setTimeout(() => {
        t.event('AAA');
        setTimeout(() => resolve(a.length), 0); // the next turn's timers phase
      }, 0);
    });
    expect(seen).toBe(1);
  });
});
