/** MasterWatch (pure): failovers, outages, time without a master and the health answer, on a fake clock. */
import { describe, expect, it } from 'vitest';
import { MasterWatch } from '../../server/redis/master-watch.js';

function watch() {
  let now = 1000;
  const lines: string[] = [];
  const w = new MasterWatch({ now: () => now, log: (m) => lines.push(m) });
  return { w, lines, at: (t: number) => void (now = t) };
}

describe('MasterWatch', () => {
  it('is not ok before the first master, then ok without counting the start as an outage', () => {
    const { w, lines } = watch();
    expect(w.health()).toMatchObject({ ok: false, reason: 'no Redis master (connecting)' });
    w.up('10.0.0.1:6379');
    expect(w.health()).toEqual({ ok: true, master: '10.0.0.1:6379' });
    expect([w.failovers, w.outages, w.downSeconds(), lines]).toEqual([0, 0, 0, []]);
  });

  it('counts a failover and the time without a master, one log line per change', () => {
    const { w, lines, at } = watch();
    w.up('10.0.0.1:6379');
    at(2000);
    w.down('connection closed');
    expect(w.health()).toMatchObject({ ok: false, reason: 'no Redis master (connection closed)' });
    at(4500);
    expect(w.downSeconds()).toBe(2.5);
    w.up('10.0.0.2:6379');
    expect([w.failovers, w.outages, w.downSeconds()]).toEqual([1, 1, 2.5]);
    expect(lines).toEqual([
      'redis: no Redis master (connection closed) (was 10.0.0.1:6379)',
      'redis: the master moved from 10.0.0.1:6379 to 10.0.0.2:6379 (failover 1)',
      'redis: master 10.0.0.2:6379 usable again after 2500 ms without one',
    ]);
  });

  it('says degraded while a probe goes unanswered on an open connection (a frozen server)', () => {
    const { w, at } = watch();
    w.up('10.0.0.1:6379');
    at(3000);
    w.probe('Redis did not answer a PING within 1000 ms');
    expect(w.health()).toMatchObject({ ok: false, reason: 'Redis did not answer a PING within 1000 ms' });
    at(4000);
    w.probe(undefined);
    expect(w.health().ok).toBe(true);
    expect([w.outages, w.failovers, w.downSeconds()]).toEqual([1, 0, 1]);
  });
});
