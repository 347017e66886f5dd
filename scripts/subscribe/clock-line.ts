/** The replay clock as the subscriber shows it (protocol 1.2): `replay 2025-01-01 00:00:12.345 UTC x10 paused`; undefined when live. */
import type { ClientClock } from '../../shared/client/types.js';

export function clockText(c: ClientClock, marketNow: number): string | undefined {
  if (c.mode !== 'replay') return undefined;
  const at = new Date(marketNow).toISOString().replace('T', ' ').replace('Z', ' UTC');
  const state = c.ended ? ' ended' : c.paused ? ' paused' : '';
  return `replay ${at} ${c.speed === 'max' ? 'max' : `x${c.speed}`}${state}`;
}
