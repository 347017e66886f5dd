/**
 * One client connection, whatever its transport: its subscriptions, which of them have news,
 * the flush that turns that news into one frame, and the write gate. It writes only through a
 * Transport.
 *
 * The write gate: every byte queued to the transport counts (updates, snapshots, replies,
 * heartbeats, errors). Past `highWater` bytes pending, nothing more is queued: updates stay
 * conflated in the subscriptions, snapshots become "send a snapshot when drained", replies wait
 * in a short list (beyond it they are dropped: such a client is flooding). Gated for longer than
 * `graceMs`, the session is cut: its one closing `slow_consumer` error, then close 1013.
 */
import type { Principal } from '../auth/authenticator.js';
import type { Channel, ErrorCode, ServerMessage } from '../../shared/protocol.js';
import { CLOSE } from '../../shared/protocol.js';
import { appendItems } from './items.js';
import type { StreamRecord } from './stream-record.js';
import type { Transport } from './transport.js';
import type { Encoded } from './wire.js';
import type { TokenBucket } from '../lib/token-bucket.js';

export type { Transport } from './transport.js';

export interface Sub {
  readonly rec: StreamRecord<Sub>;
  readonly session: Session;
  throttle: number;
  /** The seq of the last state this client was sent for the stream: the next item's `prev`; -1: a snapshot is owed. */
  sent: number;
  /** The epoch of that state: an update never chains across epochs. */
  epoch: string;
  dirty: boolean;
}

export interface FlushPolicy {
  /** Bytes pending beyond which nothing more is queued (SLOW_CONSUMER_BYTES). */
  highWater: number;
  /** How long a session may stay gated before it is cut off (ms). */
  graceMs: number;
  /** Trades in a `trades` snapshot. */
  snapshotTrades: number;
}

/** What a session asks of the scheduler around it. */
export interface SessionHooks {
  /** A subscription became dirty outside a bus batch (a snapshot owed): schedule its flush. */
  enqueue(sub: Sub): void;
  /** Replies wait behind the gate: retry this session on the clock. */
  retry(s: Session): void;
  /** The session was cut off (its transport is already closing). */
  cut(s: Session): void;
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

/** Replies kept while gated; later ones are dropped. */
const MAX_PENDING = 16;

/** Items of the frame being built, reused: flushes run one at a time and a frame copies its items. */
const scratch: Encoded[] = [];

export class Session {
  readonly id: string;
  readonly transport: Transport;
  readonly subs = new Map<string, Sub>();
  /** Subscriptions with news, each at most once. */
  dirty: Sub[] = [];
  lastSendAt = 0;
  /** When the gate closed (0: open). */
  stalledSince = 0;
  closed = false;
  /** Who holds this connection and what they may see (1.1 section 4); absent on an open server. */
  principal?: Principal;
  /** Protocol 1.2 section 3: whether this connection holds the replay right (auth/replay-right.ts). */
  replay = false;
  /** Token bucket for control messages, and how many were refused in a row. */
  readonly bucket: TokenBucket;
  refusals = 0;
  /** Serialises control handling (some steps may wait for the bus). */
  queue: Promise<void> = Promise.resolve();
  /** Marks the flush pass that last visited this session. */
  pass = 0;
  /** When it was queued for an unthrottled flush (the flush clock's `now`): how late it is. */
  readyAt = 0;
  /** Replies held behind the gate. */
  pending: ServerMessage[] = [];

  readonly #stats: WriteStats;
  readonly #policy: FlushPolicy;
  readonly #hooks: SessionHooks;

  constructor(id: string, transport: Transport, bucket: TokenBucket, stats: WriteStats, policy: FlushPolicy, hooks: SessionHooks) {
    this.id = id;
    this.transport = transport;
    this.bucket = bucket;
    this.#stats = stats;
    this.#policy = policy;
    this.#hooks = hooks;
  }

  /** Whether the gate is closed now (it cuts the session once closed past the grace). */
  gated(now: number): boolean {
    if (this.closed) return true;
    if (this.transport.bufferedAmount() <= this.#policy.highWater) {
      this.stalledSince = 0;
      return false;
    }
    if (this.stalledSince === 0) this.stalledSince = now;
    else if (now - this.stalledSince > this.#policy.graceMs) this.cut(now);
    return true;
  }

  /** The closing `slow_consumer` error (the one write past the gate), close 1013. */
  cut(now: number): void {
    if (this.closed) return;
    const { highWater, graceMs } = this.#policy;
    const msg: ServerMessage = { type: 'error', code: 'slow_consumer', message: `not reading: more than ${highWater} bytes pending for ${graceMs} ms`, t: now };
    this.#put('error', this.transport.wire.message(msg), now);
    this.closed = true;
    this.transport.close(CLOSE.tryAgainLater, 'slow consumer');
    this.#hooks.cut(this);
  }

  /** A reply, error or heartbeat. Behind the gate replies wait (a few), heartbeats are dropped. */
  send(msg: ServerMessage, now: number): void {
    if (this.closed) return;
    if (this.gated(now)) {
      if (msg.type !== 'heartbeat' && !this.closed && this.pending.length < MAX_PENDING) {
        this.pending.push(msg);
        this.#hooks.retry(this);
      }
      return;
    }
    this.#put(msg.type, this.transport.wire.message(msg), now);
  }

  /** `room`: bytes free in front of `data` (a frame's `wire.room`), for the transport's header. */
  #put(type: ServerMessage['type'], data: Encoded, now: number, room = 0): void {
    this.lastSendAt = now;
    this.#stats.frames++;
    this.#stats.bytes += data.length;
    this.transport.send(type, data, room);
  }

  error(code: ErrorCode, message: string, now: number, extra: { id?: number; symbols?: string[]; channels?: string[] } = {}): void {
    this.send({ type: 'error', ...(extra.id !== undefined ? { id: extra.id } : {}), code, message, ...rest(extra), t: now }, now);
  }

  /**
   * Sends whole-state snapshots for these streams (item bytes shared with every session at the
   * same seq) and chains further updates on them. Behind the gate, subscribed streams are owed
   * a snapshot at the next flush that passes it; others are dropped.
   */
  sendSnapshots(recs: StreamRecord<Sub>[], now: number): void {
    if (recs.length === 0 || this.closed) return;
    if (this.gated(now)) return this.#owe(recs);
    const wire = this.transport.wire;
    const items: Encoded[] = [];
    for (const rec of recs) {
      items.push(rec.snapshotItem(wire, this.#policy.snapshotTrades));
      const sub = this.subs.get(rec.key);
      if (sub) (sub.sent = rec.seq), (sub.epoch = rec.epoch);
    }
    this.#put('snapshot', wire.frame('snapshot', now, items), now, wire.room);
  }

  /**
   * A recovery: one `update` frame of pre-encoded items (each sub then holds `seq`), then one
   * `snapshot` frame for `recs`. Written before any later item of those streams.
   */
  sendRecovery(updates: { sub: Sub; item: Encoded; seq: number }[], recs: StreamRecord<Sub>[], now: number): void {
    if (this.closed) return;
    if (updates.length) {
      if (this.gated(now)) this.#owe(updates.map((u) => u.sub.rec));
      else {
        for (const u of updates) (u.sub.sent = u.seq), (u.sub.epoch = u.sub.rec.epoch);
        this.#stats.items += updates.length;
        const wire = this.transport.wire;
        this.#put('update', wire.frame('update', now, updates.map((u) => u.item)), now, wire.room);
      }
    }
    this.sendSnapshots(recs, now);
  }

  #owe(recs: StreamRecord<Sub>[]): void {
    for (const rec of recs) {
      const sub = this.subs.get(rec.key);
      if (!sub) continue;
      sub.sent = -1;
      if (!sub.dirty) {
        sub.dirty = true;
        this.dirty.push(sub);
        this.#hooks.enqueue(sub);
      }
    }
  }

  channelsOf(symbol: string): Channel[] {
    const out: Channel[] = [];
    for (const sub of this.subs.values()) if (sub.rec.s === symbol) out.push(sub.rec.ch);
    return out;
  }

  /**
   * Writes the replies held behind the gate, then one `update` frame with every due stream's
   * items (and one `snapshot` frame for streams too far behind for a delta, or of another epoch),
   * all in one write when there are several. Behind the gate nothing is written, the news kept
   * (conflated on the next flush). `due(throttle)` says which throttle classes flush now; the
   * rest stay dirty. `late`: this session waited past the scheduler's bound (overload), so its
   * unthrottled state streams get one conflated item each, not one per event (prev still chains).
   */
  flush(now: number, due: (throttle: number) => boolean, keep: (sub: Sub) => void, late = false): FlushResult {
    if (this.closed) return 'idle';
    if (this.dirty.length === 0 && this.pending.length === 0) return 'idle';
    if (this.gated(now)) return this.closed ? 'cut' : 'stalled';
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
      if (sub.epoch !== rec.epoch || sub.sent > rec.seq) (behind ??= []).push(rec);
      else if (rec.seq === sub.sent) continue;
      // Late, a run of events becomes one item; a single event keeps its shared per-event bytes.
      else if (appendItems(rec, sub.sent, sub.throttle === 0 && (!late || rec.seq - sub.sent < 2), wire, items, this.#stats)) sub.sent = rec.seq;
      else (behind ??= []).push(rec);
    }
    dirty.length = kept;
    const held = this.pending;
    const sent = items.length;
    const writes = held.length + (sent > 0 ? 1 : 0) + (behind ? 1 : 0);
    if (writes === 0) return 'idle';
    const cork = writes > 1 && this.transport.cork !== undefined;
    if (cork) this.transport.cork!();
    try {
      if (held.length) {
        this.pending = [];
        for (const m of held) this.#put(m.type, wire.message(m), now);
      }
      if (sent > 0) {
        this.#stats.items += sent;
        this.#put('update', wire.frame('update', now, items), now, wire.room);
      }
      if (behind) this.sendSnapshots(behind, now);
    } finally {
      if (cork) this.transport.uncork!();
    }
    return 'sent';
  }
}

function rest(extra: { symbols?: string[]; channels?: string[] }): { symbols?: string[]; channels?: string[] } {
  const out: { symbols?: string[]; channels?: string[] } = {};
  if (extra.symbols) out.symbols = extra.symbols;
  if (extra.channels) out.channels = extra.channels;
  return out;
}
