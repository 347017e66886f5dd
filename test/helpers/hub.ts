/**
 * A hub without sockets: a recording Transport (every frame decoded back into the messages a
 * client would read, bytes pending set by the test) and a hub whose clock the test moves.
 */
import { decode } from '../../shared/codec.js';
import type { ServerMessage } from '../../shared/protocol.js';
import { Hub, type HubOptions } from '../../server/fanout/hub.js';
import { Session, type FlushPolicy, type SessionHooks } from '../../server/fanout/session.js';
import type { Transport } from '../../server/fanout/transport.js';
import { msgpackWire } from '../../server/fanout/wire.js';

export interface Recorder {
  readonly transport: Transport;
  /** Every message written, decoded, in order. */
  readonly got: ServerMessage[];
  /** Close codes the server gave. */
  readonly closes: number[];
  /** Sets the bytes the transport reports as not yet written (the write gate reads them). */
  setPending(bytes: number): void;
  /** Bytes written so far. */
  queued(): number;
  /** The `update` messages written. */
  updates<T = { items: { s: string; ch: string; seq: number; prev: number; d: unknown }[] }>(): T[];
}

export interface RecorderOptions {
  /** Throws from send() for this message type (a failing socket). */
  failOn?: ServerMessage['type'];
  /** Called with each message written, decoded. */
  onSend?: (msg: ServerMessage) => void;
}

export function recordingTransport(o: RecorderOptions = {}): Recorder {
  const got: ServerMessage[] = [];
  const closes: number[] = [];
  let pending = 0;
  let queued = 0;
  const transport: Transport = {
    wire: msgpackWire,
    send: (type, data) => {
      if (type === o.failOn) throw new Error('boom');
      const r = decode(data as Uint8Array);
      if (!r.ok) throw new Error(`server wrote undecodable bytes: ${r.error}`);
      queued += data.length;
      got.push(r.value as ServerMessage);
      o.onSend?.(r.value as ServerMessage);
    },
    bufferedAmount: () => pending,
    close: (code) => void closes.push(code),
  };
  return {
    transport,
    got,
    closes,
    setPending: (n) => void (pending = n),
    queued: () => queued,
    updates: <T>() => got.filter((m) => m.type === 'update') as unknown as T[],
  };
}

/** Hub options a test need not care about: generous limits, no heartbeats due, a 1 MiB gate. */
export const TEST_LIMITS = { symbols: 50, throttle: { min: 0, max: 60000 }, rate: 1e6, payload: 65536 };

/** A hub on a clock that only `advance` moves (starting at `start`), and its clients. */
export function testHub(o: Partial<HubOptions> & Pick<HubOptions, 'source'>, start = 1_000_000) {
  let now = start;
  const hub = new Hub({
    limits: TEST_LIMITS,
    heartbeatMs: 60_000,
    policy: { highWater: 1 << 20, graceMs: 1000, snapshotTrades: 50 },
    now: () => now,
    ...o,
  });
  const client = (r: RecorderOptions = {}) => {
    const rec = recordingTransport(r);
    return { ...rec, session: hub.open(rec.transport) };
  };
  return { hub, client, advance: (ms: number) => (now += ms), now: () => now };
}

/**
 * A hub over a one-channel market the test drives: snapshots are at each symbol's latest seq,
 * `event(s)` publishes the symbol's next ticker event; no heartbeats, no slow-consumer cut.
 */
export function tickerHub(flush: HubOptions['flush'], start?: number, limits: Partial<HubOptions['limits']> = {}) {
  const seq = new Map<string, number>();
  const t = testHub(
    {
      source: { isSymbol: () => true, snapshot: (s, ch) => ({ s, ch, seq: seq.get(s) ?? 0, epoch: 'e1', d: { last: 0, ts: 0 } }) },
      heartbeatMs: 1e9,
      policy: { highWater: 1e9, graceMs: 1e9, snapshotTrades: 10 },
      limits: { ...TEST_LIMITS, ...limits },
      flush,
    },
    start,
  );
  const event = (s: string) => {
    const n = (seq.get(s) ?? 0) + 1;
    seq.set(s, n);
    t.hub.publish([{ s, ch: 'ticker', seq: n, d: { last: n, ts: n } }]);
  };
  return { ...t, event };
}

/** A decoded client message as the transports hand it to `hub.receive`. */
export const msg = (value: object) => ({ ok: true as const, value });

/**
 * A session outside any hub, writing to a recording transport; `hooks` default to doing nothing.
 * `now`: when it opened.
 */
export function bareSession(hooks: Partial<SessionHooks> = {}, o: { policy?: Partial<FlushPolicy>; now?: number; id?: string; transport?: RecorderOptions } = {}) {
  const out = recordingTransport(o.transport);
  const noop = () => {};
  const session = new Session(
    o.id ?? 's1',
    out.transport,
    { frames: 0, bytes: 0, items: 0, conflated: 0, dropped: 0 },
    { highWater: 1 << 20, graceMs: 1000, snapshotTrades: 10, ...o.policy },
    { enqueue: noop, attach: noop, detach: noop, retry: noop, cut: noop, ...hooks },
    o.now ?? 0,
  );
  return { ...out, session };
}
