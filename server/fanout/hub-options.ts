/** What a Hub is made with (hub.ts), and the counters it keeps for /metrics. */
import type { Limits } from '../../shared/protocol.js';
import type { Authenticator } from '../auth/authenticator.js';
import type { HistoryLimits } from '../history/stream-history.js';
import type { FlushClockOptions } from './flush-clock.js';
import type { FlushPolicy } from './session.js';
import type { StateSource } from './state-source.js';

export interface HubOptions {
  source: StateSource;
  limits: Limits;
  heartbeatMs: number;
  policy: FlushPolicy;
  /** Advertised in `hello.history` (protocol 1.1); the source's history holds it. */
  history?: HistoryLimits;
  now?: () => number;
  /** Period of the shared flush clock, ms: throttles are rounded up to a served step. */
  tickMs?: number;
  /** How flush passes are sliced and when a session counts as late (flush-clock.ts; defaults there). */
  flush?: Pick<FlushClockOptions, 'sliceMs' | 'elapsed' | 'lateMs' | 'defer'>;
  /** How long a control step waits for the source before answering `unavailable`, ms. */
  controlTimeoutMs?: number;
  /** How long a stream record nobody subscribes to is kept, ms. */
  recordLingerMs?: number;
  /** Control slices (turns.ts's SLICE by default): ms of work, and the fewest and most streams per `snapshot` part. */
  slice?: { ms: number; min: number; max: number };
  /** Where failures of one session go (that session is closed 1011); setLog() replaces it. */
  log?: (msg: string) => void;
  /** Verifies `refresh` tokens and gives the expiry leeway (1.1 section 4); absent: no tokens. */
  auth?: Authenticator;
  /** Advertised in `hello.book` (protocol 1.1 section 3). */
  book?: { depth: number };
}

export interface HubStats {
  sessions: number;
  items: number;
  frames: number;
  bytes: number;
  slowConsumers: number;
  /** State events folded into a later item, and trades left out of items (`dropped`). */
  conflated: number;
  dropped: number;
  /** Control messages refused by the rate limit. */
  rateLimited: number;
  /** Sessions closed 1011 because their flush failed. */
  failed: number;
  /** Streams a `since` asked for, by outcome (1.1 section 2). */
  recovered: number;
  unrecovered: number;
  /** `forbidden` refusals on streams, and connections cut at their token's expiry. */
  forbidden: number;
  tokenExpired: number;
}
