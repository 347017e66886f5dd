/** How the connection badge reads a client status. Pure. */
import type { ClientStatus } from '../../../shared/client/types.js';

export type BadgeKind = 'live' | 'fallback' | 'reconnecting' | 'connecting' | 'closed';

export interface Badge {
  kind: BadgeKind;
  /** Short text on the badge. */
  label: string;
  /** Longer text for the tooltip. */
  detail: string;
}

const NAMES = { ws: 'WebSocket', sse: 'SSE' } as const;

export function describeStatus(s: ClientStatus): Badge {
  switch (s.state) {
    case 'live':
      if (s.fallback) return { kind: 'fallback', label: 'Live · SSE fallback', detail: `WebSocket unavailable; streaming over SSE from ${s.url}` };
      return { kind: 'live', label: `Live · ${NAMES[s.transport]}`, detail: `Streaming over ${NAMES[s.transport]} from ${s.url}` };
    case 'connecting':
      return { kind: 'connecting', label: 'Connecting', detail: `Connecting over ${NAMES[s.transport]} to ${s.url}` };
    case 'reconnecting':
      return {
        kind: 'reconnecting',
        label: 'Reconnecting',
        detail: `Attempt ${s.attempt} in ${(s.delayMs / 1000).toFixed(1)} s (${s.reason})`,
      };
    case 'closed':
      return { kind: 'closed', label: 'Offline', detail: 'Not connected' };
  }
}
