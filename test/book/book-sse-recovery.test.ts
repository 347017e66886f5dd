import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BookData, ServerMessage, SnapshotItem } from '../../shared/protocol.js';
import { BookKeeper, bookFormats, type BookFormats } from '../helpers/book-keeper.js';
import { RawClient, startNode, type Running } from '../helpers/node.js';
import { until } from '../helpers/wait.js';

let srv: Running;
let formats: BookFormats;
beforeAll(async () => {
  srv = await startNode({ FEED_RATE: '50', FEED_SYMBOLS: '20' });
  formats = await bookFormats(srv.url);
});
afterAll(() => srv?.close());

const SYMBOLS = ['AAPL', 'BTC-USD', 'EURUSD', 'ETH-USD', 'USDJPY'];
const TYPES = ['hello', 'subscribed', 'snapshot', 'update', 'error'] as const;

describe('book over SSE and through recovery', { timeout: 60_000 }, () => {
  it('keeps books over SSE with every checksum matching, throttled and not', async () => {
    for (const throttle of [0, 250]) {
      const keeper = new BookKeeper(formats, 20);
      const es = new EventSource(`${srv.url}/sse?symbols=${SYMBOLS.join(',')}&channels=book&throttle=${throttle}`);
      const errors: unknown[] = [];
      for (const type of TYPES) {
        es.addEventListener(type, (ev: MessageEvent) => {
          if (typeof ev.data !== 'string') return;
          const m = JSON.parse(ev.data) as ServerMessage;
          if (m.type === 'error') errors.push(m);
          keeper.apply(m);
        });
      }
      await until(`${throttle ? 60 : 500} book items`, () => keeper.items >= (throttle ? 60 : 500), 15_000).catch(() => {});
      es.close();
      expect(errors).toEqual([]);
      expect(keeper.failures, `throttle ${throttle}`).toEqual([]);
      expect(keeper.books.size).toBe(SYMBOLS.length);
      expect(keeper.items).toBeGreaterThanOrEqual(throttle ? 60 : 500);
      if (throttle) expect(keeper.conflated).toBeGreaterThan(0);
    }
  });

  it('resumes a book with since: one conflated update from the held seq, checksum matching', async () => {
    const a = await RawClient.open(srv.wsUrl);
    a.send({ type: 'subscribe', symbols: SYMBOLS, channels: ['book'] });
    const snap = await a.next('snapshot');
    const items = snap.items as (SnapshotItem & { epoch: string })[];
    const keeper = new BookKeeper(formats, 20);
    keeper.apply(snap);
    a.close();
    // The market moves on (50 events/s per symbol): a few events past every held seq.
    await until('the books to move on', async () => {
      const now = (await (await fetch(`${srv.url}/api/snapshot?symbols=${SYMBOLS.join(',')}&channels=book`)).json()) as { items: { s: string; seq: number }[] };
      return now.items.length === SYMBOLS.length && now.items.every((it) => it.seq > items.find((x) => x.s === it.s)!.seq + 5);
    });
    const b = await RawClient.open(srv.wsUrl);
    b.ws.on('message', () => keeper.apply(b.messages.at(-1)!));
    b.send({ type: 'subscribe', symbols: SYMBOLS, channels: ['book'], since: items.map((it) => ({ s: it.s, ch: it.ch, epoch: it.epoch, seq: it.seq })) });
    const sub = await b.next('subscribed');
    expect((sub as { recovered?: unknown[] }).recovered).toHaveLength(SYMBOLS.length);
    const first = await b.next('update');
    for (const it of first.items) {
      const held = items.find((x) => x.s === it.s)!;
      expect(it.prev).toBe(held.seq);
      expect(it.seq - it.prev).toBeGreaterThan(1); // many events folded into one
    }
    expect(b.of('snapshot')).toEqual([]);
    // Every symbol brought forward by its one conflated item, each checksum matching.
    expect(keeper.failures).toEqual([]);
    for (const s of SYMBOLS) expect(keeper.books.get(s)!.seq).toBeGreaterThan(items.find((x) => x.s === s)!.seq);
    // ... and the books stay right afterwards.
    await until('more updates', () => b.of('update').length > 5);
    expect(keeper.failures).toEqual([]);
    const rest = (await (await fetch(`${srv.url}/api/snapshot?symbols=BTC-USD&channels=book`)).json()) as { items: { d: BookData }[] };
    expect(rest.items[0]!.d.bids.length).toBeGreaterThan(0);
    b.close();
  });
});
