/**
 * Big REST answers in slices, on an injected clock: a slice ends once it has taken its time,
 * whatever the number of items (one item may be a cold symbol's first read); order and
 * values are kept; the JSON is the one JSON.stringify writes.
 */
import { describe, expect, it } from 'vitest';
import { jsonArrayInSlices, mapInSlices } from '../../server/http/sliced.js';
import { Turns } from '../../server/lib/turns.js';

/** A clock the items move, and the items' indices at which a pause came. */
function rig() {
  let t = 0;
  const pausedAfter: number[] = [];
  let last = -1;
  return {
    opts: { ms: 4, clock: () => t, pause: async () => void pausedAfter.push(last) },
    work: (ms: number, i: number) => ((t += ms), (last = i)),
    pausedAfter,
  };
}

describe('mapInSlices', () => {
  it('pauses after the item that used up the slice, even when it is the first', async () => {
    const r = rig();
    const costs = [5, 0.1, 0.1, 3, 1, 0.5];
    const out = await mapInSlices(costs, (ms, i) => (r.work(ms, i), i * 10), r.opts);
    expect(out).toEqual([0, 10, 20, 30, 40, 50]);
    expect(r.pausedAfter).toEqual([-1, 0, 4]); // the first turn; 5 ms alone; then 0.1 + 0.1 + 3 + 1 = 4.2
  });

  it('waits for its first turn, then never pauses while cheap items stay within the slice', async () => {
    const r = rig();
    await mapInSlices(Array.from({ length: 30 }, () => 0.1), (ms, i) => r.work(ms, i), r.opts);
    expect(r.pausedAfter).toEqual([-1]);
  });
});

describe('requests sharing one Turns', () => {
  it('run one slice per event-loop step between them, the first slice included', async () => {
    // Three requests of three 4 ms items each: with their own setImmediate, every request's
    // slice ran in the same iteration (a thousand requests: seconds); here one slice a step.
    const steps: (() => void)[] = [];
    const turns = new Turns((fn) => steps.push(fn), { budgetMs: 0 });
    let t = 0;
    const ran: string[][] = [];
    let step: string[] = [];
    const opts = { ms: 4, clock: () => t, pause: () => turns.next() };
    const work = (name: string) => mapInSlices([0, 1, 2], (i) => ((t += 4), step.push(`${name}${i}`)), opts);
    const all = Promise.all(['a', 'b', 'c'].map(work));
    await Promise.resolve();
    expect(step).toEqual([]); // nothing runs in the requests' own callback
    while (steps.length) {
      steps.shift()!();
      for (let k = 0; k < 5; k++) await Promise.resolve(); // the turn's slice runs in microtasks
      ran.push(step);
      step = [];
    }
    await all;
    expect(ran.filter((r) => r.length)).toEqual([['a0'], ['b0'], ['c0'], ['a1'], ['b1'], ['c1'], ['a2'], ['b2'], ['c2']]);
  });
});

describe('jsonArrayInSlices', () => {
  it('writes what JSON.stringify writes', async () => {
    const xs = [{ a: 1, b: 'x' }, [1, 2], null, 'q"'];
    expect(await jsonArrayInSlices(xs)).toBe(JSON.stringify(xs));
    expect(await jsonArrayInSlices([])).toBe('[]');
  });
});
