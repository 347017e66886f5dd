/**
 * What the control handlers (control.ts and the handlers beside it) need of the hub: a narrow
 * object the hub builds (hub-port.ts), so each handler is tested through a fake one.
 * Subscribing and unsubscribing themselves are the Session's (session.ts).
 */
import type { Channel, Limits, ServerMessage, StreamPosition } from '../../shared/protocol.js';
import type { Authenticator } from '../auth/authenticator.js';
import type { Forbidden } from '../auth/session-rights.js';
import type { Recovery } from '../history/stream-history.js';
import type { Session, Sub } from './session.js';
import type { StreamRecord } from './stream-record.js';
import type { SliceBudget } from './turns.js';

/** Where a handler's answers go (the session's stream, or an SSE POST's reply). */
export type Reply = (msg: ServerMessage) => void;

/** A control step gave up waiting for the bus: answered `unavailable`. */
export class Unavailable extends Error {}

export interface ControlPort {
  readonly limits: Limits;
  now(): number;
  isSymbol(symbol: string): boolean;
  roundThrottle(ms: number): number;
  /** Readies these symbols' streams; rejects with `Unavailable` when the source does not answer in time. */
  prepare(symbols: string[], since?: StreamPosition[]): Promise<void> | void;
  /** The record of a stream, created from the source's snapshot on first use. */
  record(symbol: string, ch: Channel): StreamRecord<Sub>;
  /** Whether a position is recovered (not ok when the source keeps no history). */
  recover(p: StreamPosition): Recovery;
  /** Verifies `refresh` tokens; absent: this hub takes none. */
  readonly auth?: Authenticator;
  /** Moves a session's cutoff (token expiry plus leeway; undefined: never). */
  setCutoff(s: Session, at: number | undefined): void;
  /** Outcomes counted for /metrics. */
  readonly stats: { recovered: number; unrecovered: number };
  /** Counts and logs one `forbidden` refusal (the caller answers it). */
  forbidden(s: Session, refused: Forbidden): void;
  /** Whether a symbol's first snapshot needs work first (a back-fill); absent: never. */
  cold?(symbol: string): boolean;
  /**
   * Does that work off the event loop, `owner` taking turns with others; never rejects.
   * `inline`: while no worker has loaded, up to this many cold symbols are left to the caller's
   * first read (in-thread) instead.
   */
  warm?(symbols: string[], owner: object, inline?: number): Promise<void>;
  /** Resolves at this session's next turn (turns.ts): a large request is built in slices. */
  turn(): Promise<void>;
  /** A fresh budget for one slice of snapshot items. */
  budget(): SliceBudget;
}
