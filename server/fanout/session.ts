/**
 * One client connection, whatever its transport: its subscriptions, which of them have news,
 * the flush that turns that news into one frame, and the slow-consumer policy. It writes only
 * through a Transport.
 */
import type { Channel, ErrorCode, ServerMessage } from '../../shared/protocol.js';
import { appendItems } from './items.js';
import type { StreamRecord } from './stream-record.js';
import type { Encoded, Wire } from './wire.js';
import type { TokenBucket } from '../token-bucket.js';

/** What a session writes to. Nothing above the transports branches on which one it is. */
export interface Transport {
  readonly wire: Wire;
  /** Sends one encoded message; `type` names it (SSE uses it as the event name). */
  send(type: ServerMessage['type'], data: Encoded): void;
  /** Bytes accepted by send() but not yet handed to the kernel. */
  bufferedAmount(): number;
  close(code: number, reason: string): void;
}

export interface Sub {
  readonly rec: StreamRecord<Sub>;
  readonly session: Session;
  throttle: number;
  /** The seq of the last state this client was sent for the stream: the next item's `prev`. */
  sent: number;
  dirty: boolean;
}

export interface FlushPolicy {
  /** Bytes buffered beyond which the session is skipped. */
  highWater: number;
  /** How long a session may stay skipped before it is cut off (ms). */
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

export type FlushResult = 'idle' | 'sent' | 'stalled' | 'cut';

/** Items of the frame being built, reused: flushes run one at a time and a frame copies its items. */
const scratch: Encoded[] = [];

export class Session {
  readonly id: string;
  readonly transport: Transport;
  readonly subs = new Map<string, Sub>();
  /** Subscriptions with news, each at most once. */
  dirty: Sub[] = [];
  lastSendAt = 0;
  stalledSince = 0;
  closed = false;
  /** Token bucket for control messages, and how many were refused in a row. */
  readonly bucket: TokenBucket;
  refusals = 0;
  /** Serialises control handling (some steps may wait for the bus). */
  queue: Promise<void> = Promise.resolve();
  /** Marks the flush pass that last visited this session. */
  pass = 0;

  readonly #stats: WriteStats;

  constructor(id: string, transport: Transport, bucket: TokenBucket, stats: WriteStats) {
    this.id = id;
    this.transport = transport;
    this.bucket = bucket;
    this.#stats = stats;
  }

  send(msg: ServerMessage, now: number): void {
    this.#write(msg.type, this.transport.wire.message(msg), now);
  }

  #write(type: ServerMessage['type'], data: Encoded, now: number): void {
    if (this.closed) return;
    this.lastSendAt = now;
    this.#stats.frames++;
    this.#stats.bytes += data.length;
    this.transport.send(type, data);
  }

  error(code: ErrorCode, message: string, now: number, extra: { id?: number; symbols?: string[]; channels?: string[] } = {}): void {
    this.send({ type: 'error', ...(extra.id !== undefined ? { id: extra.id } : {}), code, message, ...rest(extra), t: now }, now);
  }

  /** Sends whole-state snapshots for these streams and chains further updates on them. */
  sendSnapshots(recs: StreamRecord<Sub>[], now: number, policy: FlushPolicy): void {
    if (recs.length === 0 || this.closed) return;
    const wire = this.transport.wire;
    const items: Encoded[] = [];
    for (const rec of recs) {
      items.push(wire.item(rec.snapshot(policy.snapshotTrades)));
      const sub = this.subs.get(rec.key);
      if (sub) sub.sent = rec.seq;
    }
    this.#write('snapshot', wire.frame('snapshot', now, items), now);
  }

  /** Symbols with at least one subscription. */
  symbolCount(): number {
    const seen = new Set<string>();
    for (const sub of this.subs.values()) seen.add(sub.rec.s);
    return seen.size;
  }

  channelsOf(symbol: string): Channel[] {
    const out: Channel[] = [];
    for (const sub of this.subs.values()) if (sub.rec.s === symbol) out.push(sub.rec.ch);
    return out;
  }

  /**
   * Writes one `update` frame with every due stream's items (and one `snapshot` frame for
   * streams too far behind for a delta). A session whose transport is not draining is skipped,
   * its news kept (conflated on the next flush); skipped past the grace period it is cut off.
   * `due(throttle)` says which throttle classes flush now; the rest stay dirty.
   */
  flush(now: number, due: (throttle: number) => boolean, policy: FlushPolicy, keep: (sub: Sub) => void): FlushResult {
    if (this.closed || this.dirty.length === 0) return 'idle';
    if (this.transport.bufferedAmount() > policy.highWater) {
      if (this.stalledSince === 0) this.stalledSince = now;
      if (now - this.stalledSince <= policy.graceMs) return 'stalled';
      this.error('slow_consumer', `not reading: more than ${policy.highWater} bytes pending for ${policy.graceMs} ms`, now);
      this.transport.close(1013, 'slow consumer');
      this.closed = true;
      return 'cut';
    }
    this.stalledSince = 0;
    const wire = this.transport.wire;
    // No allocation per flush but the frame: shared scratch items (the frame copies them), and
    // the subs not yet due compacted to the front of `dirty` in place.
    const items = scratch;
    if (items.length !== 0) items.length = 0;
    let behind: StreamRecord<Sub>[] | undefined;
    const dirty = this.dirty;
    let kept = 0;
    for (let i = 0; i < dirty.length; i++) {
      const sub = dirty[i];
      if (!due(sub.throttle)) {
        dirty[kept++] = sub;
        keep(sub);
        continue;
      }
      sub.dirty = false;
      const rec = sub.rec;
      if (rec.seq === sub.sent) continue;
      if (appendItems(rec, sub.sent, sub.throttle === 0, wire, items, this.#stats)) sub.sent = rec.seq;
      else (behind ??= []).push(rec);
    }
    dirty.length = kept;
    const sent = items.length;
    if (sent > 0) {
      this.#stats.items += sent;
      this.#write('update', wire.frame('update', now, items), now);
    }
    if (behind) this.sendSnapshots(behind, now, policy);
    return sent > 0 || behind ? 'sent' : 'idle';
  }
}

function rest(extra: { symbols?: string[]; channels?: string[] }): { symbols?: string[]; channels?: string[] } {
  const out: { symbols?: string[]; channels?: string[] } = {};
  if (extra.symbols) out.symbols = extra.symbols;
  if (extra.channels) out.channels = extra.channels;
  return out;
}
