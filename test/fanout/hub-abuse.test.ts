/**
 * Property tests of the message handler (hub.receive) with a recording Transport and no socket:
 * arbitrary bytes, arbitrary MessagePack values and near-valid messages never throw, always get
 * a protocol answer, and never corrupt the session: the `prev` chain of every stream holds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, encode } from '../../shared/codec.js';
import { CHANNELS, type Channel, type ServerMessage, type Trade } from '../../shared/protocol.js';
import type { StreamEvent, StreamSnapshot } from '../../server/market/stream-event.js';
import { testHub } from '../helpers/hub.js';

const SYMBOLS = ['AAA', 'BBB', 'CCC'];

/** A tiny market the test drives by hand: every stream's seq and state. */
class Market {
  readonly seq = new Map<string, number>();
  readonly state = new Map<string, Record<string, number> | Trade[]>();
  snapshot(s: string, ch: Channel): StreamSnapshot | undefined {
    if (!SYMBOLS.includes(s)) return undefined;
    const k = `${s}|${ch}`;
    return { s, ch, seq: this.seq.get(k) ?? 0, d: structuredClone(this.state.get(k) ?? (ch === 'trades' ? [] : { last: 1 })) };
  }
  /** One event on one stream, as the market state would emit it. */
  event(s: string, ch: Channel, n: number): StreamEvent {
    const k = `${s}|${ch}`;
    const seq = (this.seq.get(k) ?? 0) + 1;
    this.seq.set(k, seq);
    if (ch === 'trades') {
      const t: Trade = { id: seq, price: n, size: 1, side: n % 2 ? 'buy' : 'sell', ts: 1000 + seq };
      this.state.set(k, [...((this.state.get(k) as Trade[]) ?? []), t].slice(-50));
      return { s, ch, seq, d: t };
    }
    const d: Record<string, number> = n % 3 ? { last: n, ts: seq } : { bid: n, ts: seq };
    this.state.set(k, { ...((this.state.get(k) as Record<string, number>) ?? {}), ...d });
    return { s, ch, seq, d };
  }
}

function setup(rate = 1_000_000) {
  const market = new Market();
  const { hub, client, advance, now } = testHub({
    source: { isSymbol: (s) => SYMBOLS.includes(s), snapshot: (s, ch) => market.snapshot(s, ch) },
    limits: { symbols: 2, throttle: { min: 0, max: 60000 }, rate, payload: 65536 },
    heartbeatMs: 15000,
  });
  const { session, got: written, closes } = client();
  return { hub, market, session, written, closes, advance, now };
}

const flushed = () => new Promise<void>((r) => setImmediate(r));

/** Inputs known to hurt MessagePack decoders: deep nesting, huge declared lengths, extensions. */
const NASTY: Uint8Array[] = [
  Buffer.concat([Buffer.alloc(60000, 0x91), Buffer.of(0xc0)]), // 60000 nested arrays
  Buffer.concat([Buffer.alloc(30000, 0x81 /* fixmap 1 */).map((b, i) => (i % 2 ? 0xa0 : b)), Buffer.of(0xc0)]),
  Buffer.of(0xdf, 0xff, 0xff, 0xff, 0xff), // map32 of 4G entries, truncated
  Buffer.of(0xdd, 0xff, 0xff, 0xff, 0xff, 0xc0), // array32 of 4G entries
  Buffer.of(0xdb, 0xff, 0xff, 0xff, 0xff, 0x61), // str32 of 4 GB
  Buffer.of(0xc6, 0x7f, 0xff, 0xff, 0xff), // bin32 of 2 GB
  Buffer.of(0xd6, 0xff, 0, 0, 0, 0), // timestamp extension
  Buffer.of(0xc7, 0x01, 0x72, 0x00), // msgpackr record extension
  Buffer.of(0xc1), // reserved
  Buffer.of(0x81, 0xa4, 0x74, 0x79, 0x70, 0x65, 0xa4, 0x70, 0x69, 0x6e, 0x67, 0xc0), // a ping with trailing garbage
  encode({ type: 'ping', ['__proto__']: { polluted: 1 } } as unknown as object),
  Buffer.from(JSON.stringify({ type: 'ping' })),
];

describe('hub.receive with hostile input', () => {
  it('answers every undecodable frame with exactly one bad_request error and stays open', async () => {
    const t = setup();
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(...NASTY));
    await fc.assert(
      fc.asyncProperty(bytes, async (b) => {
        const d = decode(b);
        const replies: ServerMessage[] = [];
        await t.hub.receive(t.session, d, (m) => void replies.push(m));
        if (!d.ok) expect(replies).toEqual([expect.objectContaining({ type: 'error', code: 'bad_request' })]);
        else expect(replies.length + t.written.length).toBeGreaterThan(0);
      }),
      { numRuns: 500, seed: 7 },
    );
    expect(t.closes).toEqual([]);
    expect(t.session.closed).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers every arbitrary MessagePack value with an error or a proper reply', async () => {
    const t = setup();
    const value = fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true, withSparseArray: true, maxDepth: 4 });
    const known = new Set(['pong', 'subscribed', 'unsubscribed', 'error']);
    await fc.assert(
      fc.asyncProperty(value, async (v) => {
        let bytes: Uint8Array;
        try {
          bytes = encode(v);
        } catch {
          return; // not encodable: nothing a client could send
        }
        const before = t.written.length;
        const replies: ServerMessage[] = [];
        await t.hub.receive(t.session, decode(bytes), (m) => void replies.push(m));
        expect(replies.length + (t.written.length - before)).toBeGreaterThan(0);
        for (const r of replies) expect(known.has(r.type)).toBe(true);
      }),
      { numRuns: 500, seed: 11 },
    );
    expect(t.closes).toEqual([]);
  });
});

/** Near-valid client messages: right and wrong types, symbols, channels, ids and throttles. */
const name = (known: readonly string[]) => fc.oneof(fc.constantFrom(...known), fc.string({ maxLength: 40 }), fc.anything({ maxDepth: 1 }));
const message = fc.record(
  {
    type: fc.oneof(fc.constantFrom('subscribe', 'unsubscribe', 'snapshot', 'ping'), fc.string({ maxLength: 12 }), fc.integer()),
    id: fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 4 }), fc.constant(null)),
    symbols: fc.oneof(fc.array(name(SYMBOLS), { maxLength: 5 }), fc.anything({ maxDepth: 1 })),
    channels: fc.oneof(fc.array(name(CHANNELS), { maxLength: 4 }), fc.anything({ maxDepth: 1 })),
    throttle: fc.oneof(fc.constantFrom(0, 0, 10, 100), fc.double(), fc.integer({ min: -5, max: 200000 }), fc.string({ maxLength: 3 })),
    t: fc.oneof(fc.double(), fc.string({ maxLength: 3 })),
  },
  { requiredKeys: ['type'] },
);
const action = fc.oneof(
  { weight: 4, arbitrary: message.map((m) => ({ kind: 'msg' as const, bytes: encode(m) })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }).map((bytes) => ({ kind: 'msg' as const, bytes })) },
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...SYMBOLS), fc.constantFrom(...CHANNELS), fc.integer({ min: 1, max: 30 })).map(([s, ch, n]) => ({ kind: 'events' as const, s, ch, n })) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 500 }).map((ms) => ({ kind: 'tick' as const, ms })) },
);

describe('session state under any sequence of messages and events', () => {
  it('keeps every stream chained: each update item continues from the seq the client holds', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 60 }), async (actions) => {
        const t = setup();
        for (const a of actions) {
          if (a.kind === 'msg') await t.hub.receive(t.session, decode(a.bytes));
          else if (a.kind === 'tick') t.hub.tick(t.advance(a.ms));
          else for (let i = 0; i < a.n; i++) t.hub.publish([t.market.event(a.s, a.ch, i)]);
          await flushed();
        }
        // Finally a well-behaved client's subscribe must work, whatever came before.
        await t.hub.receive(t.session, { ok: true, value: { type: 'subscribe', id: 99, symbols: ['AAA'], channels: ['ticker', 'trades'] } });
        for (let i = 0; i < 20; i++) t.hub.publish([t.market.event('AAA', 'ticker', i), t.market.event('AAA', 'trades', i)]);
        await flushed();
        t.hub.tick(t.advance(60_001));
        checkChain(t.written, t.market);
        expect(t.written).toContainEqual(expect.objectContaining({ type: 'subscribed', id: 99 }));
        expect(t.closes).toEqual([]);
      }),
      { numRuns: 150, seed: 23 },
    );
  });
});

/** Replays what the client received and checks the protocol's promise about `prev`. */
function checkChain(written: ServerMessage[], market: Market): void {
  const held = new Map<string, number>();
  for (const m of written) {
    if (m.type === 'snapshot') for (const it of m.items) held.set(`${it.s}|${it.ch}`, it.seq);
    if (m.type !== 'update') continue;
    for (const it of m.items) {
      const k = `${it.s}|${it.ch}`;
      expect(held.get(k), `update for ${k} chains on what the client holds`).toBe(it.prev);
      expect(it.seq).toBeGreaterThan(it.prev);
      if (it.ch === 'trades') expect((it.d as Trade[]).length + (it.dropped ?? 0)).toBe(it.seq - it.prev);
      held.set(k, it.seq);
    }
  }
  // The well-behaved subscription ends up at the market's latest seq.
  expect(held.get('AAA|ticker')).toBe(market.seq.get('AAA|ticker'));
  expect(held.get('AAA|trades')).toBe(market.seq.get('AAA|trades'));
}
