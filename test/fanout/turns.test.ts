/**
 * Control slices on an injected clock: a slice of cheap streams ends on time once it holds the
 * minimum, a slice carrying first-touch work ends on time alone, every slice at the maximum;
 * turns go first come, first served, one per deferred step.
 */
import { describe, expect, it } from 'vitest';
import { SliceBudget, Turns } from '../../server/fanout/turns.js';

/** A budget on a clock the test moves: `build(ms)` is one stream that took `ms` to build. */
function budget(ms: number, min: number, max: number, heavyMs = 1) {
  let t = 1000;
  const b = new SliceBudget(() => t, ms, min, max, heavyMs);
  return { b, build: (cost: number) => ((t += cost), b.spend()) };
}

describe('SliceBudget', () => {
  it('ends a slice of cheap streams after its time once it holds the minimum, and at the maximum whatever the time', () => {
    const { b, build } = budget(4, 3, 10);
    b.begin();
    expect(build(0.5)).toBe(false);
    expect(build(0.5)).toBe(false); // 1 ms spent
    expect(build(0.5)).toBe(false); // min reached, 1.5 ms < 4
    for (let i = 0; i < 4; i++) expect(build(0.5)).toBe(false); // 3.5 ms
    expect(build(0.5)).toBe(true); // 4 ms
    b.begin();
    for (let i = 0; i < 9; i++) expect(build(0)).toBe(false); // no time spent
    expect(build(0)).toBe(true); // max
  });

  it('a cheap slice over its time ends at the minimum, not before, and at twice its time whatever it holds', () => {
    const { b, build } = budget(4, 5, 100);
    b.begin();
    expect(build(0.9)).toBe(false);
    expect(build(0.9)).toBe(false);
    expect(build(0.9)).toBe(false); // 2.7 ms
    expect(build(0.9)).toBe(false); // 3.6 ms
    expect(build(0.9)).toBe(true); // 4.5 ms, 5 >= min
    const big = budget(4, 512, 2000);
    big.b.begin();
    for (let i = 0; i < 8; i++) expect(big.build(0.95)).toBe(false); // 7.6 ms: each just under heavyMs
    expect(big.build(0.95)).toBe(true); // 8.55 ms >= twice the time
  });

  it('ends a slice carrying first-touch work on time alone, below the minimum', () => {
    const { b, build } = budget(4, 512, 2000);
    b.begin();
    expect(build(0.1)).toBe(false);
    expect(build(5)).toBe(true); // one cold symbol's read took the whole budget
    b.begin();
    expect(build(2)).toBe(false); // heavy, but 2 ms < 4
    expect(build(0.1)).toBe(false);
    expect(build(2)).toBe(true); // 4.1 ms
  });

  it('forgets the first-touch mark at the next slice', () => {
    const { b, build } = budget(4, 5, 100);
    b.begin();
    expect(build(6)).toBe(true);
    b.begin();
    for (let i = 0; i < 4; i++) expect(build(0.9)).toBe(false); // cheap: 3.6 ms, below min
    expect(build(0.9)).toBe(true); // min reached, 4.5 ms
  });

  it('counts the time since begin: waiting before the first stream is first-touch work too', () => {
    const { b, build } = budget(4, 100, 1000);
    b.begin();
    expect(build(4)).toBe(true);
  });
});

describe('Turns', () => {
  it('serves waiting turns first come, first served, one per deferred step', async () => {
    const steps: (() => void)[] = [];
    const turns = new Turns((fn) => steps.push(fn), { budgetMs: 0 });
    const order: string[] = [];
    const a = turns.next().then(() => order.push('a'));
    const b = turns.next().then(() => order.push('b'));
    expect(turns.waiting).toBe(2);
    expect(steps.length).toBe(1); // one step scheduled at a time
    steps.shift()!();
    await a;
    expect(order).toEqual(['a']);
    expect(turns.waiting).toBe(1);
    steps.shift()!();
    await b;
    expect(order).toEqual(['a', 'b']);
    expect(turns.waiting).toBe(0);
    expect(steps.length).toBe(0);
  });

  it('hands out turns one after another within an iteration\'s budget, each once the previous one\'s work has run', async () => {
    const steps: (() => void)[] = [];
    let t = 0;
    const turns = new Turns((fn) => steps.push(fn), { budgetMs: 4, clock: () => t });
    const ran: string[] = [];
    // Five callers, each 1.5 ms of work at its turn: three fit the budget (0, 1.5, 3 < 4), two wait.
    const all = ['a', 'b', 'c', 'd', 'e'].map((x) => turns.next().then(() => ((t += 1.5), ran.push(x))));
    expect(steps).toHaveLength(1);
    steps.shift()!();
    for (let k = 0; k < 20; k++) await Promise.resolve();
    expect(ran).toEqual(['a', 'b', 'c']);
    expect(steps).toHaveLength(1); // the rest in the next iteration
    steps.shift()!();
    await Promise.all(all);
    expect(ran).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});
