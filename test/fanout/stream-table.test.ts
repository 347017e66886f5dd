/** The stream table (stream-table.ts): records from the source, ref-counts per symbol, events, resyncs and pruning. */
import { describe, expect, it } from 'vitest';
import type { Channel } from '../../shared/protocol.js';
import type { StateSource } from '../../server/fanout/state-source.js';
import type { Sub } from '../../server/fanout/session.js';
import type { StreamRecord } from '../../server/fanout/stream-record.js';
import { StreamTable } from '../../server/fanout/stream-table.js';
import { bareSession } from '../helpers/hub.js';

function setup() {
  const state = new Map<string, { seq: number; epoch: string }>();
  const released: string[] = [];
  const source: StateSource = {
    isSymbol: () => true,
    snapshot: (s: string, ch: Channel) => {
      const st = state.get(`${s}|${ch}`) ?? { seq: 0, epoch: 'e1' };
      return { s, ch, ...st, d: ch === 'trades' ? [] : { last: st.seq } };
    },
    release: (s) => void released.push(s),
  };
  const table = new StreamTable(source, 1000);
  const { session } = bareSession();
  const sub = (rec: StreamRecord<Sub>, throttle = 0): Sub => ({ rec, session, throttle, sent: rec.seq, epoch: rec.epoch, dirty: false, tick: 0 });
  return { table, state, released, sub };
}

describe('the stream table', () => {
  it('makes a record from the source snapshot once, and finds it by symbol', () => {
    const t = setup();
    t.state.set('A|ticker', { seq: 7, epoch: 'e1' });
    const rec = t.table.record('A', 'ticker', 0);
    expect([rec.seq, rec.epoch]).toEqual([7, 'e1']);
    expect(t.table.record('A', 'ticker', 5)).toBe(rec);
    expect(t.table.existing('A', 'ticker')).toBe(rec);
    expect(t.table.existing('A', 'trades')).toBeUndefined();
    expect(t.table.inUse('A')).toBe(true);
    expect(t.table.streams()).toEqual([['A', 'ticker']]);
  });

  it('counts subscribers per symbol and releases the symbol when the last one leaves', () => {
    const t = setup();
    const a = t.sub(t.table.record('A', 'ticker', 0));
    const b = t.sub(t.table.record('A', 'trades', 0));
    t.table.attach(a);
    t.table.attach(a); // twice: counted once
    t.table.attach(b);
    expect(t.table.held('A')).toBe(true);
    t.table.detach(a, 10);
    expect(t.released).toEqual([]);
    t.table.detach(b, 10);
    t.table.detach(b, 10);
    expect(t.table.held('A')).toBe(false);
    expect(t.released).toEqual(['A']);
  });

  it('applies events in seq, re-reads the source on a gap or another epoch, and ignores unknown streams', () => {
    const t = setup();
    const rec = t.table.record('A', 'ticker', 0);
    const changed: number[] = [];
    t.table.publish([{ s: 'A', ch: 'ticker', seq: 1, d: { last: 1 } }, { s: 'B', ch: 'ticker', seq: 1, d: { last: 1 } }], (r) => void changed.push(r.seq));
    expect(changed).toEqual([1]);
    t.state.set('A|ticker', { seq: 5, epoch: 'e1' });
    t.table.publish([{ s: 'A', ch: 'ticker', seq: 4, d: { last: 4 } }], (r) => void changed.push(r.seq));
    expect(changed).toEqual([1, 5]);
    t.state.set('A|ticker', { seq: 2, epoch: 'e2' });
    t.table.publish([{ s: 'A', ch: 'ticker', seq: 3, epoch: 'e2', d: { last: 3 } }], (r) => void changed.push(r.seq));
    expect([rec.seq, rec.epoch]).toEqual([2, 'e2']);
    expect(t.table.resync({ s: 'A', ch: 'ticker', seq: 1, epoch: 'e3', d: { last: 0 } })).toBe(rec);
    expect(t.table.resync({ s: 'Z', ch: 'ticker', seq: 1, epoch: 'e3', d: { last: 0 } })).toBeUndefined();
  });

  it('prunes a record nobody subscribes to after the linger, and never one in use', () => {
    const t = setup();
    const kept = t.sub(t.table.record('A', 'ticker', 100));
    t.table.attach(kept);
    t.table.record('B', 'ticker', 100);
    expect(t.table.prune(1099)).toBe(0);
    expect(t.table.prune(1100)).toBe(1);
    expect(t.table.inUse('B')).toBe(false);
    t.table.detach(kept, 2000);
    expect(t.table.prune(2999)).toBe(0);
    expect(t.table.prune(3000)).toBe(1);
    expect(t.table.size).toBe(0);
  });
});
