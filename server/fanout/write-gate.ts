/**
 * The write gate: every byte queued to a session's transport counts (updates, snapshots,
 * replies, heartbeats, errors). Past `highWater` bytes pending, the session queues nothing more
 * (session.ts: updates stay conflated in the subscriptions, snapshots become "send a snapshot
 * when drained", replies wait in a short list). Shut for longer than `graceMs`, the session is
 * cut: its one closing `slow_consumer` error, then close 1013.
 */
import type { ServerMessage } from '../../shared/protocol.js';
import type { Transport } from './transport.js';
import type { Encoded } from './wire.js';

export interface FlushPolicy {
  /** Bytes pending beyond which nothing more is queued (SLOW_CONSUMER_BYTES). */
  highWater: number;
  /** How long a session may stay gated before it is cut off (ms). */
  graceMs: number;
  /** Trades in a `trades` snapshot. */
  snapshotTrades: number;
}

/** Counters shared by all sessions of a hub (for metrics). Bytes: encoded message sizes. */
export interface WriteStats {
  frames: number;
  bytes: number;
  items: number;
  conflated: number;
  dropped: number;
}

/** `open`; `shut` (bytes pending past highWater); `over`: shut past the grace, to be cut. */
export type GateState = 'open' | 'shut' | 'over';

export class WriteGate {
  /** When something was last written: a heartbeat is due `heartbeatMs` after. */
  lastSendAt: number;
  /** When the gate shut (0: open). */
  stalledSince = 0;

  constructor(
    readonly transport: Transport,
    readonly policy: FlushPolicy,
    readonly stats: WriteStats,
    now: number,
  ) {
    this.lastSendAt = now;
  }

  state(now: number): GateState {
    if (this.transport.bufferedAmount() <= this.policy.highWater) {
      this.stalledSince = 0;
      return 'open';
    }
    if (this.stalledSince === 0) this.stalledSince = now;
    else if (now - this.stalledSince > this.policy.graceMs) return 'over';
    return 'shut';
  }

  /** Writes and counts; `room`: bytes free in front of `data` (a frame's `wire.room`), for the transport's header. */
  put(type: ServerMessage['type'], data: Encoded, now: number, room = 0): void {
    this.lastSendAt = now;
    this.stats.frames++;
    this.stats.bytes += data.length;
    this.transport.send(type, data, room);
  }

  /** The closing `slow_consumer` error: the one write past the gate. */
  putCut(now: number): void {
    const { highWater, graceMs } = this.policy;
    const msg: ServerMessage = { type: 'error', code: 'slow_consumer', message: `not reading: more than ${highWater} bytes pending for ${graceMs} ms`, t: now };
    this.put('error', this.transport.wire.message(msg), now);
  }
}
