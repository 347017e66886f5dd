/** The flush queue's order: first come first served, an item queued twice keeps its first place. */
import { describe, expect, it } from 'vitest';
import { RoundRobin } from '../../server/fanout/round-robin.js';

const drain = <T>(q: RoundRobin<T>): T[] => {
  const out: T[] = [];
  for (let x = q.shift(); x !== undefined; x = q.shift()) out.push(x);
  return out;
};

describe('RoundRobin', () => {
  it('serves in order of first arrival; re-adding a queued item keeps its place', () => {
    const q = new RoundRobin<string>();
    expect(q.add('a')).toBe(true);
    q.add('b');
    expect(q.add('a')).toBe(false);
    q.add('c');
    expect(q.size).toBe(3);
    expect(q.shift()).toBe('a');
    q.add('a'); // served, news again: to the back
    expect(drain(q)).toEqual(['b', 'c', 'a']);
    expect(q.size).toBe(0);
    expect(q.shift()).toBeUndefined();
  });

  it('skips deleted items, and one deleted then queued again is at the back, once', () => {
    const q = new RoundRobin<number>();
    for (let i = 0; i < 5; i++) q.add(i);
    q.delete(1);
    q.delete(3);
    q.add(1);
    expect(q.has(3)).toBe(false);
    expect(drain(q)).toEqual([0, 2, 4, 1]);
  });

  it('stays in order across compaction (many more items than it holds at once)', () => {
    const q = new RoundRobin<number>();
    const out: number[] = [];
    for (let i = 0; i < 5000; i++) {
      q.add(i);
      if (i % 3 !== 0) out.push(q.shift()!);
    }
    out.push(...drain(q));
    expect(out).toEqual([...out].sort((x, y) => x - y));
    expect(new Set(out).size).toBe(5000);
  });
});
