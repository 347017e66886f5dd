import { describe, expect, it } from 'vitest';
import { ZoneShift, formatClock, offsetSec, resolveZone } from '../../web/src/lib/time-zone.js';

const at = (iso: string) => Date.parse(iso) / 1000;

describe('time zone', () => {
  it('resolves local, UTC and the exchange of each kind, with a label', () => {
    expect(resolveZone('utc', 'equity', 'Asia/Tokyo')).toEqual({ id: 'UTC', label: 'UTC' });
    expect(resolveZone('local', 'equity', 'Asia/Tokyo')).toEqual({ id: 'Asia/Tokyo', label: 'Tokyo (local)' });
    expect(resolveZone('exchange', 'equity', 'UTC')).toEqual({ id: 'America/New_York', label: 'New York (exchange)' });
    expect(resolveZone('exchange', 'crypto', 'UTC').id).toBe('UTC');
    expect(resolveZone('exchange', 'fx', 'UTC').id).toBe('Europe/London');
  });

  it('formats a clock in the zone and knows DST offsets', () => {
    const t = at('2026-07-01T19:57:05Z');
    expect(formatClock(t * 1000, 'UTC')).toBe('19:57:05');
    expect(formatClock(t * 1000, 'America/New_York')).toBe('15:57:05');
    expect(offsetSec(t, 'America/New_York')).toBe(-4 * 3600);
    expect(offsetSec(at('2026-01-15T12:00:00Z'), 'America/New_York')).toBe(-5 * 3600);
    expect(offsetSec(at('2026-01-15T12:00:00Z'), 'Asia/Kolkata')).toBe(5.5 * 3600);
  });

  it('shifts chart times into the zone, strictly increasing across the end of DST', () => {
    const s = new ZoneShift('America/New_York');
    expect(s.at(at('2026-07-01T19:57:00Z'))).toBe(at('2026-07-01T15:57:00Z'));
    // 05:30Z and 06:30Z on 1 Nov 2026 are both 01:30 in New York.
    const times = [at('2026-11-01T05:30:00Z'), at('2026-11-01T06:30:00Z'), at('2026-11-01T06:31:00Z')];
    const shifted = s.all(times);
    expect(shifted[1]).toBeGreaterThan(shifted[0]);
    expect(shifted[2]).toBeGreaterThan(shifted[1]);
  });
});
