/**
 * Memory of watching (issue 21, part 3): a server child with FEED_SYMBOLS=N, every symbol
 * subscribed on every channel by ceil(N / 1000) raw WebSocket clients (LIMIT_SYMBOLS is 1,000
 * per connection), RSS after a full GC (gc-signal.mjs) sampled before the subscribe, when every
 * snapshot item has arrived (t = 0: the streams' history starts filling then), and every
 * `--every` s up to `--hold` s after that. The recovery window (HISTORY_MS, 120 s) fills during
 * the hold; flatness is the last sample against the one at `--flat-from` s. Optionally writes a heap
 * snapshot (`--heap DIR`) at the end, for scripts/bench/heap-top.ts.
 *
 *   tsx scripts/bench/watch-memory.ts [--symbols 1000,5000,10000] [--rate 5] [--hold 140]
 *     [--every 10] [--flat-from 130] [--throttle 1000] [--heap DIR]
 *
 * The server runs from source (node --import tsx): the loader's own memory is in the base,
 * the same at every N, so the marginal cost per symbol does not include it.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { encode } from '../../shared/codec.js';
import { CHANNELS } from '../../shared/protocol.js';
import { peek } from './msgpack-peek.js';
import { gcReader, GC_SIGNAL_ARGS, startServer, type AfterGc } from './proc.js';
import { RawWs } from './raw-ws.js';

const PER_CONN = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Sample extends AfterGc {
  /** Seconds since every snapshot item arrived (negative: before). */
  t: number;
}

export interface WatchResult {
  symbols: number;
  /** First subscribe to the last snapshot item, s. */
  snapshotsS: number;
  samples: Sample[];
  heapSnapshot?: string;
}

/** Memory after a full GC in the child, timed from `t0`. */
const sampleAt = async (read: () => Promise<AfterGc>, t0: number): Promise<Sample> => {
  const m = await read();
  return { t: (performance.now() - t0) / 1000, ...m };
};

export async function watchMemory(o: { symbols: number; rate: number; holdS: number; everyS: number; throttle: number; heapDir?: string }): Promise<WatchResult> {
  const srv = await startServer({
    script: 'server/main.ts',
    env: { FEED_SYMBOLS: String(o.symbols), FEED_RATE: String(o.rate), FEED_SEED: 'bench' },
    nodeArgs: [...GC_SIGNAL_ARGS, ...(o.heapDir ? [`--diagnostic-dir=${o.heapDir}`, '--heapsnapshot-signal=SIGWINCH'] : [])],
    timeoutMs: 180_000,
  });
  const readGc = gcReader(srv);
  const conns: RawWs[] = [];
  try {
    const list = (await (await fetch(srv.url + '/api/symbols')).json()) as { symbol: string }[];
    const symbols = list.map((s) => s.symbol).slice(0, o.symbols);
    await sleep(2000);
    const samples: Sample[] = [];
    let t0 = performance.now();
    samples.push(await sampleAt(readGc, t0));
    let want = symbols.length * CHANNELS.length;
    let allAt = 0;
    const wsUrl = srv.url.replace('http', 'ws') + '/ws';
    for (let i = 0; i < symbols.length; i += PER_CONN) {
      conns.push(
        await RawWs.open(wsUrl, {
          message(p) {
            const m = peek(p);
            if (m?.type === 'snapshot' && (want -= m.items) <= 0 && !allAt) allAt = performance.now();
          },
        }),
      );
    }
    const sub0 = performance.now();
    conns.forEach((ws, k) => ws.send(Buffer.from(encode({ type: 'subscribe', id: 1, symbols: symbols.slice(k * PER_CONN, (k + 1) * PER_CONN), channels: CHANNELS, throttle: o.throttle }))));
    for (let last = want; !allAt; await sleep(500)) {
      if (want !== last && (last = want) >= 0) console.error(`  N=${o.symbols} ${((performance.now() - sub0) / 1000).toFixed(0)} s: snapshot items left ${want}`);
      if (performance.now() - sub0 > 1_800_000) throw new Error(`snapshots incomplete after 30 min: ${want} items left`);
    }
    t0 = allAt;
    samples[0]!.t = -(t0 - sub0) / 1000;
    samples.push(await sampleAt(readGc, t0));
    for (let next = o.everyS; next <= o.holdS; next += o.everyS) {
      while ((performance.now() - t0) / 1000 < next) await sleep(200);
      const s = await sampleAt(readGc, t0);
      samples.push(s);
      console.error(`  N=${o.symbols} t=${s.t.toFixed(0)}s rss=${s.rssMiB.toFixed(0)} MiB heap=${s.heapMiB.toFixed(0)} external=${s.externalMiB.toFixed(0)}`);
    }
    let heapSnapshot: string | undefined;
    if (o.heapDir) {
      const before = new Set(readdirSync(o.heapDir));
      process.kill(srv.pid, 'SIGWINCH');
      // Written on the server's thread: it answers again once done.
      for (;;) {
        await sleep(2000);
        const f = readdirSync(o.heapDir).find((n) => n.endsWith('.heapsnapshot') && !before.has(n));
        if (f && (await fetch(srv.url + '/healthz')).ok) {
          heapSnapshot = resolve(o.heapDir, f);
          break;
        }
      }
    }
    return { symbols: o.symbols, snapshotsS: (allAt - sub0) / 1000, samples, heapSnapshot };
  } finally {
    for (const ws of conns) ws.socket.destroy();
    await srv.stop();
  }
}

const f = (v: number, d = 0) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');

/** Markdown: RSS before, at the flatness start and at the end per N; marginal MiB per symbol between consecutive N. */
export function watchMarkdown(rs: WatchResult[], flatFrom: number): string {
  const at = (r: WatchResult, t: number) => r.samples.find((s) => s.t >= t - 1) ?? r.samples.at(-1)!;
  let md = `| symbols watched (all 7 channels) | first subscribe to all snapshots s | RSS before MiB | RSS at ${flatFrom} s MiB | heap / external at ${flatFrom} s MiB | RSS at end (s) MiB | end / ${flatFrom} s | marginal KiB per symbol |\n|--:|--:|--:|--:|--:|--:|--:|--:|\n`;
  rs.forEach((r, i) => {
    const a = at(r, flatFrom);
    const end = r.samples.at(-1)!;
    const p = rs[i - 1];
    const marginal = p ? ((a.rssMiB - at(p, flatFrom).rssMiB) * 1024) / (r.symbols - p.symbols) : (a.rssMiB - r.samples[0]!.rssMiB) * 1024 / r.symbols;
    md += `| ${r.symbols.toLocaleString('en-US')} | ${f(r.snapshotsS, 1)} | ${f(r.samples[0]!.rssMiB)} | ${f(a.rssMiB)} | ${f(a.heapMiB)} / ${f(a.externalMiB)} | ${f(end.rssMiB)} (${f(end.t)}) | ${f(end.rssMiB / a.rssMiB, 3)} | ${f(marginal, 1)}${p ? '' : ' (vs before)'} |\n`;
  });
  return md;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values: v } = parseArgs({
    options: {
      symbols: { type: 'string', default: '1000,5000,10000' },
      rate: { type: 'string', default: '5' },
      hold: { type: 'string', default: '140' },
      every: { type: 'string', default: '10' },
      'flat-from': { type: 'string', default: '130' },
      throttle: { type: 'string', default: '1000' },
      heap: { type: 'string' },
    },
  });
  if (v.heap) mkdirSync(v.heap, { recursive: true });
  const rs: WatchResult[] = [];
  for (const n of v.symbols!.split(',').map(Number)) {
    const r = await watchMemory({ symbols: n, rate: Number(v.rate), holdS: Number(v.hold), everyS: Number(v.every), throttle: Number(v.throttle), heapDir: v.heap });
    rs.push(r);
    console.log(JSON.stringify({ symbols: r.symbols, snapshotsS: r.snapshotsS, heapSnapshot: r.heapSnapshot, samples: r.samples.map((s) => [+s.t.toFixed(0), +s.rssMiB.toFixed(0), +s.heapMiB.toFixed(0), +s.externalMiB.toFixed(0)]) }));
  }
  console.log(watchMarkdown(rs, Number(v['flat-from'])));
}
