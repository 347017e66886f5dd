/** Messages between the page and the probe worker (structured clone: Maps and Sets pass as is). */
import type { ClientStatus, TransportKind } from '../../../shared/client/types.js';
import type { ProbeReport } from './probe-engine.js';
import type { Wanted } from './subscriptions.js';

export type ToProbeWorker =
  | { type: 'start'; token?: string; want: Wanted; throttle: number }
  | { type: 'sync'; want: Wanted; throttle: number }
  | { type: 'stop' };

export type FromProbeWorker =
  | { type: 'status'; kind: TransportKind; status: ClientStatus }
  | { type: 'reports'; reports: ProbeReport[] }
  /** The worker cannot stream (no WebSocket or EventSource in workers here): run in the page. */
  | { type: 'unsupported' };

/** How often the figures are recomputed and sent, ms. */
export const REPORT_MS = 1000;
