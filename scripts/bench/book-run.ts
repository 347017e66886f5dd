/**
 * The book bench: BOOK_SCENARIOS (`ticker` + `book`) against Tickwire (level deltas) and the
 * naive baseline (the whole top-depth window each time: book-naive-server.ts), in the same run
 * with the same load client. During the measurement every update message is decoded, to count
 * book items and their encoded bytes. CLI: `tsx scripts/bench/book-run.ts [--quick]
 * [--duration S] [--out DIR]`; `runBookBench` runs it from another script (npm run bench).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { unpack } from 'msgpackr';
import { encode } from '../../shared/codec.js';
import { buildUniverse } from '../../server/feed/universe.js';
import { runLoad } from './load-run.js';
import { peek } from './msgpack-peek.js';
import { startServer } from './proc.js';
import { note } from './progress.js';
import { BOOK_SCENARIOS, type Scenario } from './scenarios.js';
import type { System } from './systems.js';

export type BookSystem = 'tickwire' | 'naive';
const SCRIPTS: Record<BookSystem, string> = { tickwire: 'server/main.ts', naive: 'scripts/bench/book-naive-server.ts' };

export interface BookRow {
  scenario: string;
  system: BookSystem;
  throttle: number;
  clients: number;
  connected: number;
  durationS: number;
  itemsPerS: number;
  bookItemsPerS: number;
  /** Mean MessagePack size of one `book` item (ch, s, seq, prev, d), bytes. */
  bytesPerBookItem: number;
  /** Wire bytes per second of update frames (ticker and book together). */
  updateBytesPerS: number;
  serverCores: number | null;
  /** Server CPU seconds per million items delivered (ticker and book), and charged to book items alone. */
  cpuSecondsPerMillion: number | null;
  cpuSecondsPerMillionBook: number | null;
  ageP50Ms: number;
  ageP99Ms: number;
  /** `/healthz` p50 / p99 during the measurement (probed every 50 ms). */
  healthzP50Ms: number;
  healthzP99Ms: number;
  loadAvg: [number, number];
}

interface Counts {
  bookItems: number;
  bookBytes: number;
}

/** A load-client view of Tickwire subscribing `ticker` + `book`; counts book items on sampled (here: all) messages. */
function bookClient(counts: Counts): System {
  return {
    name: 'tickwire',
    script: SCRIPTS.tickwire,
    path: '/ws',
    open(c) {
      c.ws.send(Buffer.from(encode({ type: 'subscribe', id: 1, symbols: c.symbols, channels: ['ticker', 'book'], throttle: c.throttle })));
    },
    message(c, payload, _binary, sample, ts) {
      const p = peek(payload);
      if (!p) return 0;
      if (p.type === 'update') {
        if (sample) {
          const m = unpack(payload) as { items: { ch: string; d: { ts?: number } }[] };
          for (const it of m.items) {
            if (it.ch === 'book') {
              counts.bookItems++;
              counts.bookBytes += encode(it).length;
            }
            if (typeof it.d.ts === 'number') ts(it.d.ts);
          }
        }
        return p.items;
      }
      if (p.type === 'subscribed') c.subscribed = true;
      return 0;
    },
  };
}

/** One scenario on one system, with a fresh server process. */
async function runOne(s: Scenario, system: BookSystem, warmupMs: number, quick: boolean): Promise<BookRow> {
  const server = await startServer({
    script: SCRIPTS[system],
    env: { FEED_SYMBOLS: String(s.feedSymbols), FEED_RATE: String(s.feedRate), FEED_SEED: 'bench', LIMIT_CONNECTIONS_PER_IP: '0', LIMIT_NEW_CONNECTIONS: '0', LIMIT_SOCKETS_PER_IP: '0' },
  });
  const counts: Counts = { bookItems: 0, bookBytes: 0 };
  const load0 = loadavg()[0]!;
  try {
    const r = await runLoad({
      system: bookClient(counts), url: server.url, pid: server.pid, clients: s.clients, symbolsPer: s.symbolsPer, throttle: s.throttle,
      universe: buildUniverse(s.feedSymbols).map((i) => i.symbol), warmupMs, durationMs: s.durationS * 1000, idleMs: quick ? 200 : 2000,
      sampleEvery: 1, concurrency: 100, label: `${s.id} ${system}`,
    });
    const per = (x: number) => x / r.elapsedS;
    return {
      scenario: s.id, system, throttle: s.throttle, clients: s.clients, connected: r.connected, durationS: r.elapsedS,
      itemsPerS: per(r.updates), bookItemsPerS: per(counts.bookItems),
      bytesPerBookItem: counts.bookItems ? counts.bookBytes / counts.bookItems : 0,
      updateBytesPerS: per(r.updateBytes),
      serverCores: r.cpuS !== null ? r.cpuS / r.elapsedS : null,
      cpuSecondsPerMillion: r.cpuS !== null && r.updates ? r.cpuS / (r.updates / 1e6) : null,
      cpuSecondsPerMillionBook: r.cpuS !== null && counts.bookItems ? r.cpuS / (counts.bookItems / 1e6) : null,
      ageP50Ms: r.age.p50, ageP99Ms: r.age.p99, healthzP50Ms: r.healthz.p50, healthzP99Ms: r.healthz.p99, loadAvg: [load0, loadavg()[0]!],
    };
  } finally {
    await server.stop();
  }
}

const f = (x: number | null, d = 1) => (x === null ? 'n/a' : x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));

/** The rows as a Markdown table, with the naive / Tickwire ratios per scenario. */
export function bookMarkdown(rows: BookRow[]): string {
  let md = '| scenario | system | items/s | book items/s | B/book item | update KiB/s | server cores | CPU s/M items | CPU s/M book items | age p50 / p99 ms | /healthz p50 / p99 ms |\n';
  md += '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n';
  for (const r of rows) {
    md += `| ${r.scenario} | ${r.system} | ${f(r.itemsPerS, 0)} | ${f(r.bookItemsPerS, 0)} | ${f(r.bytesPerBookItem)} | ${f(r.updateBytesPerS / 1024, 0)} | ${f(r.serverCores, 2)} | ${f(r.cpuSecondsPerMillion, 2)} | ${f(r.cpuSecondsPerMillionBook, 2)} | ${f(r.ageP50Ms)} / ${f(r.ageP99Ms)} | ${f(r.healthzP50Ms)} / ${f(r.healthzP99Ms)} |\n`;
  }
  for (const id of [...new Set(rows.map((r) => r.scenario))]) {
    const t = rows.find((r) => r.scenario === id && r.system === 'tickwire');
    const n = rows.find((r) => r.scenario === id && r.system === 'naive');
    if (!t || !n) continue;
    const cpu = t.cpuSecondsPerMillionBook && n.cpuSecondsPerMillionBook ? n.cpuSecondsPerMillionBook / t.cpuSecondsPerMillionBook : null;
    md += `\n${id}: naive / Tickwire: ${f(n.bytesPerBookItem / (t.bytesPerBookItem || 1), 1)}x bytes per book item, ${f(n.updateBytesPerS / (t.updateBytesPerS || 1), 1)}x update bytes per second, ${f(cpu, 2)}x CPU per million book items.`;
  }
  return md + '\n';
}

export interface BookBenchOptions {
  quick?: boolean;
  durationS?: number;
  warmupMs?: number;
  out: string;
}

/** Runs every book scenario on both systems; writes book.json and book.md to `out`. */
export async function runBookBench(o: BookBenchOptions): Promise<BookRow[]> {
  mkdirSync(o.out, { recursive: true });
  const rows: BookRow[] = [];
  const scenarios = BOOK_SCENARIOS.map((s) => (o.quick ? { ...s, clients: 4, feedSymbols: 20, durationS: 1 } : s)).map((s) =>
    o.durationS ? { ...s, durationS: o.durationS } : s,
  );
  for (const s of scenarios) {
    for (const system of ['tickwire', 'naive'] as const) {
      const row = await runOne(s, system, o.warmupMs ?? (o.quick ? 500 : 3000), !!o.quick);
      rows.push(row);
      note(`${s.id} ${system.padEnd(8)} ${f(row.bookItemsPerS, 0)} book items/s, ${f(row.bytesPerBookItem)} B/book item, ${f(row.cpuSecondsPerMillion, 2)} CPU s/M items, cores ${f(row.serverCores, 2)}`);
      writeFileSync(join(o.out, 'book.json'), JSON.stringify({ scenarios, rows }, null, 2) + '\n');
    }
  }
  const md = `# Book bench\n\n${scenarios.map((s) => `- **${s.id}**: ${s.title} (FEED_SYMBOLS=${s.feedSymbols}, FEED_RATE=${s.feedRate}, ${s.durationS} s)`).join('\n')}\n\n${bookMarkdown(rows)}`;
  writeFileSync(join(o.out, 'book.md'), md);
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values: a } = parseArgs({ options: { quick: { type: 'boolean' }, duration: { type: 'string' }, out: { type: 'string' } } });
  const out = a.out ?? join('reports', `bench-book-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const rows = await runBookBench({ quick: a.quick, durationS: a.duration ? Number(a.duration) : undefined, out });
  console.log(bookMarkdown(rows));
  console.log(`report: ${out}/book.md, ${out}/book.json`);
  process.exit(0);
}
