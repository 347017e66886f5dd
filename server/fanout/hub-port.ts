/**
 * The ControlPort the hub hands to the control handlers: a narrow object over its source, stream
 * table and turns, built once per hub. The wait on the source is bounded here.
 */
import type { Limits, StreamPosition } from '../../shared/protocol.js';
import type { Authenticator } from '../auth/authenticator.js';
import { Unavailable, type ControlPort } from './control-port.js';
import type { StateSource } from './state-source.js';
import type { StreamTable } from './stream-table.js';
import { SliceBudget, type Turns } from './turns.js';

export interface PortParts extends Pick<ControlPort, 'roundThrottle' | 'setCutoff' | 'forbidden' | 'stats'> {
  source: StateSource;
  limits: Limits;
  now: () => number;
  auth?: Authenticator;
  streams: StreamTable;
  turns: Turns;
  /** How long a step waits for the source before `unavailable`, ms. */
  controlTimeoutMs: number;
  /** Control slices: ms of work, and the fewest and most streams per `snapshot` part. */
  slice: { ms: number; min: number; max: number };
}

export function hubPort(p: PortParts): ControlPort {
  const { source, now, streams, turns } = p;
  return {
    limits: p.limits,
    auth: p.auth,
    stats: p.stats,
    now,
    roundThrottle: p.roundThrottle,
    setCutoff: p.setCutoff,
    forbidden: p.forbidden,
    isSymbol: (symbol) => source.isSymbol(symbol),
    // Waits for the source at most controlTimeoutMs; then rejects with Unavailable (the wait goes on unobserved).
    prepare(symbols: string[], since?: StreamPosition[]) {
      const ready = source.prepare?.(symbols, since);
      if (!ready) return;
      let timer: NodeJS.Timeout | undefined;
      const limit = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Unavailable('source did not answer')), p.controlTimeoutMs);
      });
      return Promise.race([ready, limit]).finally(() => clearTimeout(timer));
    },
    record: (symbol, ch) => streams.record(symbol, ch, now()),
    recover: (pos) => source.recover?.(pos, now()) ?? { ok: false },
    cold: (symbol) => source.cold?.(symbol) ?? false,
    warm: (symbols, owner, inline) => source.warm?.(symbols, owner, inline) ?? Promise.resolve(),
    turn: () => turns.next(),
    budget: () => new SliceBudget(() => performance.now(), p.slice.ms, p.slice.min, p.slice.max),
  };
}
