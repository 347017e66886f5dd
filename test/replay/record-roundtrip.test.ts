/**
 * The recording round trip: server/main.ts with RECORD_DIR records the simulated market for a
 * couple of seconds while a client watches trades and books, stops on SIGTERM (every file a
 * complete gzip), and the recording replayed at max gives the same trades (ids as xid, prices,
 * sizes, sides, times) and passes through every book checksum the client saw, in order.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { ReplaySource } from '../../server/feed/replay/replay-source.js';
import { MarketState } from '../../server/market/market-state.js';
import type { StreamEvent } from '../../server/market/stream-event.js';
import type { Trade } from '../../shared/protocol.js';
import { RawClient } from '../helpers/node.js';
import { tmpDir } from './fixtures.js';
import { until } from '../helpers/wait.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let child: ChildProcess | undefined;
afterEach(() => void child?.kill('SIGKILL'));

const SYMBOLS = ['AAPL', 'MSFT', 'NVDA', 'SPY', 'BTC-USD'];

describe('recording', () => {
  it('records the sim as Tardis CSV; replayed at max it gives the same trades and books', async () => {
    const dir = tmpDir();
    child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', FEED_SYMBOLS: '5', FEED_RATE: '40', WEB_DIR: '/nonexistent', RECORD_DIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const proc = child;
    const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      proc.stderr!.on('data', (c) => (out += c));
      proc.stdout!.on('data', (c) => {
        out += c;
        const m = /Tickwire serving (http:\/\/[\d.]+:\d+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      proc.on('exit', (code) => reject(new Error(`main.ts exited ${code} before serving:\n${out}`)));
    });

    // What a client saw: every trade, and every book checksum in order (the snapshot's included).
    const seenTrades = new Map<string, Trade[]>(SYMBOLS.map((s) => [s, []]));
    const seenSums = new Map<string, number[]>(SYMBOLS.map((s) => [s, []]));
    const ws = await RawClient.open(url.replace('http', 'ws') + '/ws');
    ws.ws.on('message', () => {
      const m = ws.messages.at(-1)!;
      if (m.type !== 'snapshot' && m.type !== 'update') return;
      for (const i of m.items) {
        if (i.ch === 'trades') seenTrades.get(i.s)!.push(...(i.d as Trade[]));
        else if (i.ch === 'book') seenSums.get(i.s)!.push((i.d as { checksum: number }).checksum);
      }
    });
    ws.send({ type: 'subscribe', symbols: SYMBOLS, channels: ['trades', 'book'] });
    await until('trades and book updates of every symbol', () => SYMBOLS.every((s) => seenTrades.get(s)!.length >= 60 + 3 && seenSums.get(s)!.length >= 5), 20_000);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);

    const files = readdirSync(dir).sort();
    for (const type of ['trades', 'quotes', 'incremental_book_L2']) for (const s of SYMBOLS) expect(files.some((f) => f.startsWith(`tickwire_${type}_`) && f.endsWith(`_${s}.csv.gz`)), `${type} ${s}`).toBe(true);
    // complete gzip files, each starting with its header; every L2 file starts with a snapshot
    for (const f of files) {
      const lines = gunzipSync(readFileSync(join(dir, f))).toString().split('\n');
      if (f.includes('_incremental_book_L2_')) expect(lines[1]).toContain(',true,');
    }

    // Replay at max into a market state of its own.
    const src = await ReplaySource.create({ files: [dir], speed: 'max', loop: false });
    expect(src.instruments.map((i) => i.symbol).sort()).toEqual([...SYMBOLS].sort());
    let market!: MarketState;
    const trades = new Map<string, Trade[]>(SYMBOLS.map((s) => [s, []]));
    const sums = new Map<string, number[]>(SYMBOLS.map((s) => [s, []]));
    const out: StreamEvent[] = [];
    await new Promise<void>((resolve) => {
      src.hooks = {
        restart() {
          market = new MarketState({ bookDepth: 20 });
          for (const s of SYMBOLS) market.addSymbol(s, src.history(s));
        },
        history() {},
        live() {},
        clock: (c) => c.ended && resolve(),
      };
      src.start((events) => {
        out.length = 0;
        for (const e of events) market.apply(e, out);
        for (const e of out) {
          if (e.ch === 'trades') trades.get(e.s)!.push(e.d as Trade);
          else if (e.ch === 'book') sums.get(e.s)!.push((e.d as { checksum: number }).checksum);
        }
      });
    });
    src.stop();

    for (const s of SYMBOLS) {
      const byXid = new Map(trades.get(s)!.map((t) => [t.xid, t]));
      for (const t of seenTrades.get(s)!) {
        const r = byXid.get(String(t.id));
        expect(r, `${s} trade ${t.id}`).toBeDefined();
        expect({ price: r!.price, size: r!.size, side: r!.side }).toEqual({ price: t.price, size: t.size, side: t.side });
        expect(Math.abs(r!.ts - t.ts)).toBeLessThan(0.001);
      }
      // every checksum the client saw after its snapshot comes in the replay, in the same order
      const replayed = sums.get(s)!;
      let at = 0;
      for (const c of seenSums.get(s)!.slice(1)) {
        const k = replayed.indexOf(c, at);
        expect(k, `${s} checksum ${c}`).toBeGreaterThanOrEqual(0);
        at = k + 1;
      }
    }
  }, 60_000);
});
