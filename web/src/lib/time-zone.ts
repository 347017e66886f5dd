/**
 * The one time zone the dashboard shows times in (chart axis, legend, tape): the browser's,
 * UTC, or the exchange's of the selected instrument. Pure: the browser's zone comes in.
 *
 * lightweight-charts draws every timestamp as UTC, so a chart in another zone is given times
 * shifted by that zone's offset (the library's documented way, docs "Time zones").
 */
import type { SymbolInfo } from '../../../shared/protocol.js';

export type ZoneChoice = 'local' | 'utc' | 'exchange';
export const ZONE_CHOICES: readonly ZoneChoice[] = ['local', 'utc', 'exchange'];

/**
 * Where each kind of instrument trades: US equities and ETFs in New York; FX by the London
 * fixing; crypto trades round the clock and its venues report in UTC.
 */
export const EXCHANGE_ZONES: Record<SymbolInfo['kind'], string> = {
  equity: 'America/New_York',
  etf: 'America/New_York',
  fx: 'Europe/London',
  crypto: 'UTC',
};

/** A resolved zone: its IANA name and what the screen calls it. */
export interface Zone {
  id: string;
  label: string;
}

const city = (id: string): string => (id === 'UTC' ? 'UTC' : (id.split('/').at(-1) ?? id).replace(/_/g, ' '));

/** The zone for a choice; `local` is `localId` (Intl's resolved zone of the browser). */
export function resolveZone(choice: ZoneChoice, kind: SymbolInfo['kind'] | undefined, localId: string): Zone {
  if (choice === 'utc') return { id: 'UTC', label: 'UTC' };
  if (choice === 'exchange') {
    const id = EXCHANGE_ZONES[kind ?? 'equity'];
    return { id, label: `${city(id)} (exchange)` };
  }
  return { id: localId, label: `${city(localId)} (local)` };
}

/** The zone's short name for tight places: `UTC`, `New York`. */
export const zoneShort = (z: Zone): string => z.label.replace(/ \((local|exchange)\)$/, '');

export const browserZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

const clocks = new Map<string, Intl.DateTimeFormat>();
const clock = (zone: string): Intl.DateTimeFormat => {
  let f = clocks.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    clocks.set(zone, f);
  }
  return f;
};

/** `HH:MM:SS` of an epoch-ms instant in `zone`. */
export const formatClock = (ms: number, zone: string): string => clock(zone).format(ms);

const parts = new Map<string, Intl.DateTimeFormat>();
const partsOf = (zone: string): Intl.DateTimeFormat => {
  let f = parts.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23',
    });
    parts.set(zone, f);
  }
  return f;
};

/** `zone`'s offset from UTC, in seconds, at epoch-seconds `t` (DST included). */
export function offsetSec(t: number, zone: string): number {
  if (zone === 'UTC') return 0;
  const p: Record<string, number> = {};
  for (const x of partsOf(zone).formatToParts(t * 1000)) if (x.type !== 'literal') p[x.type] = Number(x.value);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour % 24, p.minute, p.second) / 1000;
  return wall - Math.floor(t);
}

/**
 * Maps bar times to chart times in `zone`: each time plus its zone offset, kept strictly
 * increasing (the hour repeated when DST ends would otherwise go backwards, which the chart
 * refuses). Offsets are cached by hour: zones change offset on the hour or half hour at most
 * once in a while, and 1,500 bars must map in well under a millisecond each.
 */
export class ZoneShift {
  readonly #cache = new Map<number, number>();
  constructor(readonly zone: string) {}

  at(t: number): number {
    if (this.zone === 'UTC') return t;
    const key = Math.floor(t / 1800);
    let off = this.#cache.get(key);
    if (off === undefined) {
      off = offsetSec(key * 1800, this.zone);
      if (this.#cache.size > 10_000) this.#cache.clear();
      this.#cache.set(key, off);
    }
    return t + off;
  }

  /** Shifted times of ascending `times`, strictly increasing. */
  all(times: readonly number[]): number[] {
    const out: number[] = [];
    let prev = -Infinity;
    for (const t of times) {
      const s = Math.max(this.at(t), prev + 1);
      out.push(s);
      prev = s;
    }
    return out;
  }
}
