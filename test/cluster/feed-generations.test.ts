/** Generations (pure): which symbols Redis provably holds as last published, after a reconnect. */
import { describe, expect, it } from 'vitest';
import { Generations } from '../../server/cluster/feed-generations.js';

describe('Generations', () => {
  it('proves a symbol whose stored marker is this run and not older than its newest confirmed write', () => {
    const g = new Generations('run1');
    const a = g.write(['A', 'B']);
    a.done(true);
    const b = g.write(['A']);
    b.done(true);
    const c = g.write(['A']); // sent, outcome unknown (the connection died)
    c.done(false);
    const check = g.check();
    const stored = new Map([
      ['A', c.marker], // the unknown write did land: fine, it was published
      ['B', a.marker],
    ]);
    expect(check(stored)).toEqual([]);
    expect(check(new Map([['A', b.marker]]))).toEqual([]); // it did not: still everything published
  });

  it('renews a symbol that is behind, flushed, or written by another run', () => {
    const g = new Generations('run1');
    const a = g.write(['A', 'B', 'C']);
    a.done(true);
    const b = g.write(['A']);
    b.done(true);
    const check = g.check();
    const stored = new Map<string, string | undefined>([
      ['A', a.marker], // a replica promoted behind, or an older save
      ['B', undefined], // a flushed key
      ['C', 'run0/99'], // another run's state
    ]);
    expect(check(stored)).toEqual(['A', 'B', 'C']);
  });

  it('judges a read by what was confirmed when it was sent, not by confirmations arriving later', () => {
    const g = new Generations('run1');
    const a = g.write(['A']);
    a.done(true);
    const check = g.check(); // the read goes out now
    const late = g.write(['A']);
    late.done(true); // confirmed after the read was sent: the read could not see it
    expect(check(new Map([['A', a.marker]]))).toEqual([]);
    expect(g.check()(new Map([['A', a.marker]]))).toEqual(['A']);
  });
});
