/**
 * The Python client's protocol 1.1 parts (clients/python, package `tickwire`): its own CRC32
 * checksum on the worked vectors and against shared/book-checksum.ts on random books, recovery
 * with `since` across a 2 s cut of its path to a real node, and verified books.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { bookChecksum } from '../../shared/book-checksum.js';
import type { Trade } from '../../shared/protocol.js';
import { startNode, type Running } from '../helpers/node.js';
import { CutProxy } from './proxy.js';
import { follow, py, type Followed } from './python.js';
import { holes } from './recorder.js';

/** Runs tickwire.Client; calls `onLive` at its first change and resolves with what it ends with. */
function client(o: Parameters<typeof follow>[0], onLive: () => void = () => {}): Promise<Followed> {
  const run = follow(o);
  void run.live.then(onLive);
  return run.done;
}

describe('the Python checksum', () => {
  it('gives the worked vectors of docs/book.md', () => {
    const out = py(`
import json, tickwire.book as t
v2 = {"asks": [[50000.5, 0.15], [50001, 1], [50002.25, 0.0025]], "bids": [[50000, 0.5], [49999.75, 2.1], [49998, 10]]}
print(json.dumps([t.checksum_digits(0.05, 5) + t.checksum_digits(0.00000304, 8), t.book_checksum({"asks": [[0.05, 0.00000304]], "bids": []}, 5, 8),
                  t.book_checksum_string(v2, 2, 4), t.book_checksum(v2, 2, 4)]))`);
    expect(out).toEqual(['5000304', 3935865742, '50000501500500010010000500022525500000050004999975210004999800100000', 2423825216]);
  });

  it('agrees with shared/book-checksum.ts on random books', () => {
    const side = fc.array(fc.tuple(fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 1, max: 100_000_000 })), { maxLength: 14 });
    const cases = fc.sample(fc.record({ bids: side, asks: side, decimals: fc.integer({ min: 0, max: 5 }), sizeDecimals: fc.integer({ min: 0, max: 8 }) }), 300).map((c) => {
      const toLevel = ([p, s]: [number, number]): [number, number] => [p / 10 ** c.decimals, s / 10 ** c.sizeDecimals];
      const book = { bids: c.bids.map(toLevel), asks: c.asks.map(toLevel) };
      return { ...book, decimals: c.decimals, sizeDecimals: c.sizeDecimals, want: bookChecksum(book, c.decimals, c.sizeDecimals) };
    });
    const got = py(`
import json, sys, tickwire.book as t
print(json.dumps([t.book_checksum(c, c["decimals"], c["sizeDecimals"]) for c in json.load(sys.stdin)]))`, JSON.stringify(cases));
    expect(got).toEqual(cases.map((c) => c.want));
  });

  it('keeps a book from pairs: sorted, zero sizes removed, depth-bounded', () => {
    const out = py(`
import json, tickwire.book as t
b = t.book_from_snapshot({"bids": [[99, 1], [101, 2], [100, 0]], "asks": [[104, 1], [102, 3], [103, 1]], "checksum": 1, "ts": 2}, 2)
print(json.dumps(t.apply_book_update(b, {"bids": [[101, 0], [100.5, 3], [98, 1]], "asks": [[101.5, 1]], "checksum": 5, "ts": 3}, 2)))`);
    expect(out).toEqual({ bids: [[100.5, 3], [99, 1]], asks: [[101.5, 1], [102, 3]], checksum: 5, ts: 3 });
  });
});

const SYMBOLS = ['AAPL', 'MSFT', 'BTC-USD'];
let srv: Running | undefined;
let proxy: CutProxy | undefined;
afterAll(async () => {
  await proxy?.close();
  await srv?.close();
});

describe('the Python client against a real node', () => {
  it('resumes every stream after a 2 s cut: recovered, trades contiguous, no gap', async () => {
    srv = await startNode({ FEED_RATE: '50', FEED_SYMBOLS: '10', HEARTBEAT_MS: '1000' });
    proxy = await CutProxy.start(srv.url);
    const wsUrl = proxy.url.replace(/^http/, 'ws') + '/ws';
    const p = proxy;
    const o = await client({ url: wsUrl, symbols: SYMBOLS, channels: ['ticker', 'trades'], seconds: 7 }, () => {
      setTimeout(() => p.cut(2000), 1500);
    });
    expect(o.reconnects).toBeGreaterThanOrEqual(1);
    expect(o).toMatchObject({ gaps: 0, errors: [], unrecovered: [] });
    expect([...o.recovered].sort()).toEqual(SYMBOLS.flatMap((s) => [`${s}|ticker`, `${s}|trades`]).sort());
    for (const s of SYMBOLS) {
      const ids = (o.streams[`${s}|trades`]!.state as Trade[]).map((t) => t.id);
      expect(ids.length, s).toBeGreaterThan(20);
      expect(holes(ids), s).toEqual([]);
      expect(o.streams[`${s}|trades`]!.epoch, s).toEqual(expect.any(String));
    }
  }, 45_000);

  it('takes a restarted server (a new epoch) as unrecovered and its snapshots', async () => {
    let n = await startNode({ FEED_RATE: '50', FEED_SYMBOLS: '10', HEARTBEAT_MS: '1000' });
    const port = Number(new URL(n.url).port);
    let epoch = '';
    let restarted: Promise<void> | undefined;
    // Once the client is live: read the epoch, stop the server, start a new one on the same port.
    const restart = async () => {
      const b = (await (await fetch(`${n.url}/api/snapshot?symbols=AAPL&channels=ticker`)).json()) as { items: { epoch: string }[] };
      epoch = b.items[0]!.epoch;
      await n.close();
      n = await startNode({ FEED_RATE: '50', FEED_SYMBOLS: '10', HEARTBEAT_MS: '1000' }, { port });
    };
    try {
      const o = await client({ url: n.url, symbols: ['AAPL', 'MSFT'], channels: ['ticker', 'trades'], seconds: 6 }, () => {
        setTimeout(() => (restarted = restart()), 1000);
      });
      await restarted;
      expect(o.reconnects).toBeGreaterThanOrEqual(1);
      expect([...o.unrecovered].sort()).toEqual(['AAPL|ticker', 'AAPL|trades', 'MSFT|ticker', 'MSFT|trades']);
      expect(o).toMatchObject({ gaps: 0, errors: [], recovered: [] });
      expect(epoch).not.toBe('');
      for (const [key, st] of Object.entries(o.streams)) expect(st.epoch, key).not.toBe(epoch);
    } finally {
      await n.close();
    }
  }, 45_000);

  it('keeps the BTC-USD book with every checksum verified', async () => {
    const n = await startNode({ FEED_RATE: '50', FEED_SYMBOLS: '10', HEARTBEAT_MS: '1000' });
    try {
      const o = await client({ url: n.url, symbols: ['BTC-USD', 'AAPL'], channels: ['book', 'ticker'], seconds: 3 });
      expect(o).toMatchObject({ gaps: 0, errors: [], reconnects: 0 });
      expect(o.checksums.mismatched).toBe(0);
      expect(o.checksums.unverified).toBe(0);
      expect(o.checksums.verified).toBeGreaterThan(10);
      const book = o.streams['BTC-USD|book']!.state as { bids: [number, number][]; asks: [number, number][] };
      expect(book.bids.length).toBeGreaterThan(0);
      expect(book.asks[0]![0]).toBeGreaterThan(book.bids[0]![0]);
    } finally {
      await n.close();
    }
  }, 30_000);
});
