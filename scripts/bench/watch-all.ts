/**
 * Scenario G, "watch everything" (issue 21): one fresh Tickwire process with FEED_SYMBOLS
 * symbols (default 10,000); `clients` connections (default 10) each subscribe to their own
 * share of the universe on every channel (throttle 1000) at once, never watched before; a
 * bystander subscribed to one ticker (throttle 0) keeps its `prev` chain; `/healthz` is probed
 * every 50 ms (healthz-probe.ts). Reports the time from the first subscribe to the last
 * snapshot item, /healthz max and p99 over that and the following `--window` seconds, the
 * bystander's chain breaks, longest silence (any frame: the server runs with HEARTBEAT_MS
 * `--heartbeat`, default 100, so a silence is the server saying nothing, not a quiet symbol) and
 * longest gap between data frames (against the same gap while idle, measured over the 5 s before
 * the subscribe: a Poisson feed at FEED_RATE 5 leaves gaps of a second), the server's
 * event-loop delay histogram (/metrics), and RSS at `--rss` seconds after the first subscribe (default 130; `--long`:
 * 130 and 600). Bounded: it waits at most `--wait` s (default 120) for the snapshots (then
 * reports how many items never came), probes `--window` s more, reads RSS at its times, stops.
 * `--ends S` ("watching ends"): then the load clients leave, and the server's CPU share over the
 * 5 s up to S s later and its RSS after a full GC at S s are set against the same before the
 * subscribe (the server then runs with gc-signal.mjs preloaded).
 * The load clients count snapshot items without decoding anything else (raw-ws.ts, peek), so
 * 70,000 streams' updates a second do not make the load client the bottleneck.
 * Runs the compiled server (dist/server/main.js: `npm run build` first) when it exists.
 * `npm run bench -- --scenario G [--long]`; CLI: `tsx scripts/bench/watch-all.ts [--symbols 10000]
 * [--clients 10] [--rate 5] [--window 10] [--rss 130 | --long] [--wait 120] [--channels ticker,...] [--source | --server PATH] [--profile DIR] [--ends 60] [--heartbeat 100]`.
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { encode } from '../../shared/codec.js';
import { CHANNELS } from '../../shared/protocol.js';
import { buildUniverse } from '../../server/feed/universe.js';
import { startBystander } from './bystander.js';
import { startProbe, type ProbeSummary } from './healthz-probe.js';
import { peek } from './msgpack-peek.js';
import { cpuSeconds, gcReader, GC_SIGNAL_ARGS, rssBytes, startServer, type AfterGc } from './proc.js';
import { RawWs } from './raw-ws.js';

export interface WatchAllOptions {
  symbols: number;
  clients: number;
  feedRate: number;
  /** Seconds probed after the last snapshot. */
  windowS: number;
  /** Seconds after the first subscribe at which RSS is read (the run lasts until the last). */
  rssAtS: number[];
  /** Run server/main.ts under tsx instead of dist. */
  source?: boolean;
  /** The server script (default dist/server/main.js when built, else server/main.ts): e.g. another build's, for a before/after. */
  script?: string;
  /** Longest wait for all snapshots, s (default 120). */
  waitS?: number;
  /** Channels subscribed (default all seven). */
  channels?: string[];
  /** Write the server's CPU profile (--cpu-prof) into this folder. */
  profileDir?: string;
  /** Watching ends: seconds after the load clients leave at which CPU and RSS after GC are read again (at least 5). */
  endsS?: number;
  /** The server's HEARTBEAT_MS (default 100, the least it allows). */
  heartbeatMs?: number;
}

export interface WatchAllResult {
  symbols: number;
  clients: number;
  server: string;
  /** First subscribe sent to the last snapshot item received, s (NaN: not all came within the wait). */
  allSnapshotsS: number;
  /** Snapshot items not received when the wait ended (0: all came). */
  snapshotItemsMissing: number;
  /** Snapshot frames received (all clients): more than `clients` means parts. */
  snapshotFrames: number;
  healthzMs: ProbeSummary;
  bystander: {
    longestSilenceMs: number;
    /** Longest time between two data frames, ms; `idleGapMs` the same over the 5 s before the subscribe. */
    longestGapMs: number;
    idleGapMs: number;
    breaks: number;
    updates: number;
    /** The oldest update it got, ms (bystander.ts). */
    maxAgeMs: number;
    /** When the longest silence ended, s after the first subscribe (where to look in a profile). */
    longestSilenceEndS: number;
  };
  /** Server's event-loop delay over the run (tickwire_event_loop_delay_seconds), ms: p99 and the top bucket reached. */
  loopDelayMs: { p99: number; max: number };
  rssMiB: { before: number; at: Record<string, number> };
  cpuShareBefore: number;
  /** `--ends`: CPU share (of one core) over the 5 s up to `afterS` after the load clients left, memory after GC then; `idle`: before the subscribe. */
  ends?: { afterS: number; cpuShare: number; idle: AfterGc; after: AfterGc };
  loadAvg: [number, number];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Quantile and top of a Prometheus histogram's cumulative buckets in /metrics text, ms. */
export async function loopDelay(url: string): Promise<{ p99: number; max: number }> {
  // An overloaded server may not answer: the figure is then n/a, the run goes on.
  const text = await fetch(url + '/metrics', { signal: AbortSignal.timeout(30_000) }).then((r) => r.text(), () => '');
  const rows = [...text.matchAll(/^tickwire_event_loop_delay_seconds_bucket\{le="([^"]+)"\} (\d+)/gm)].map((m) => [m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2])] as const);
  const total = rows.at(-1)?.[1] ?? 0;
  const at = (q: number) => rows.find(([, c]) => c >= q * total)?.[0] ?? NaN;
  const top = rows.find(([, c]) => c >= total)?.[0] ?? NaN;
  return { p99: at(0.99) * 1000, max: top * 1000 };
}

export async function watchAll(o: WatchAllOptions): Promise<WatchAllResult> {
  const load0 = loadavg()[0]!;
  const script = o.script ?? (!o.source && existsSync('dist/server/main.js') ? 'dist/server/main.js' : 'server/main.ts');
  const channels = o.channels ?? CHANNELS;
  const srv = await startServer({
    script,
    env: { FEED_SYMBOLS: String(o.symbols), FEED_RATE: String(o.feedRate), FEED_SEED: 'bench', LIMIT_SYMBOLS: String(Math.ceil(o.symbols / o.clients)), LIMIT_CONNECTIONS_PER_IP: '0', LIMIT_NEW_CONNECTIONS: '0', LIMIT_SOCKETS_PER_IP: '0', HEARTBEAT_MS: String(o.heartbeatMs ?? 100) },
    timeoutMs: 180_000,
    nodeArgs: [...(o.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${o.profileDir}`] : []), ...(o.endsS !== undefined ? GC_SIGNAL_ARGS : [])],
  });
  const readGc = o.endsS !== undefined ? gcReader(srv) : undefined;
  const endsS = Math.max(5, o.endsS ?? 0); // the CPU window is the 5 s up to it
  const wsUrl = srv.url.replace(/^http/, 'ws') + '/ws';
  const closers: { close(): void }[] = [];
  const loads: RawWs[] = [];
  const universe = buildUniverse(o.symbols).map((i) => i.symbol);
  try {
    await sleep(3000); // past start-up
    // The bystander: one ticker, every event; its chain, its silences and gaps, idle then loaded.
    const bystander = await startBystander(wsUrl, universe[0]!);
    closers.push(bystander);
    await sleep(1000);
    bystander.begin();
    const cpu0 = cpuSeconds(srv.pid);
    await sleep(5000);
    const cpuShareBefore = (cpuSeconds(srv.pid) - cpu0) / 5;
    const idleGapMs = bystander.end().longestGapMs;
    const before = rssBytes(srv.pid) / 2 ** 20;
    const idle = await readGc?.();
    await loopDelay(srv.url); // resets the monitor: the figure below covers the run only

    const probe = startProbe(srv.url + '/healthz', 50);
    bystander.begin();
    const per = Math.ceil(o.symbols / o.clients);
    let pending = 0;
    let frames = 0;
    let lastSnapshotAt = NaN;
    let done: () => void = () => {};
    const allIn = new Promise<void>((r) => (done = r));
    const clients = await Promise.all(Array.from({ length: o.clients }, async (_, i) => {
      const mine = universe.slice(i * per, (i + 1) * per);
      pending += mine.length * channels.length;
      // One snapshot item per stream of the subscribe (1.2 section 1): counting items is enough.
      const ws = await RawWs.open(wsUrl, {
        message(p) {
          const m = peek(p);
          if (m?.type !== 'snapshot' || pending <= 0) return;
          frames++;
          if ((pending -= m.items) <= 0) (lastSnapshotAt = performance.now()), done();
        },
      }, 30_000);
      loads.push(ws);
      return { ws, mine };
    }));
    const t0 = performance.now();
    for (const c of clients) c.ws.send(Buffer.from(encode({ type: 'subscribe', id: 1, symbols: c.mine, channels, throttle: 1000 })));
    await Promise.race([allIn, sleep((o.waitS ?? 120) * 1000)]);
    const missing = Math.max(0, pending);
    await sleep(o.windowS * 1000);
    const healthzMs = await probe.stop();
    const b = bystander.end();
    const by = { longestSilenceMs: b.longestSilenceMs, longestGapMs: b.longestGapMs, idleGapMs, breaks: b.breaks, updates: b.updates, maxAgeMs: b.maxAgeMs, longestSilenceEndS: (b.longestSilenceEndAt - t0) / 1000 };
    const loop = await loopDelay(srv.url);
    const at: Record<string, number> = {};
    for (const s of [...o.rssAtS].sort((x, y) => x - y)) {
      const wait = t0 + s * 1000 - performance.now();
      if (wait > 0) await sleep(wait);
      at[`${s}s`] = rssBytes(srv.pid) / 2 ** 20;
    }
    let ends: WatchAllResult['ends'];
    if (readGc && idle) {
      for (const ws of loads.splice(0)) ws.socket.destroy();
      const gone = performance.now();
      await sleep((endsS - 5) * 1000);
      const c0 = cpuSeconds(srv.pid);
      const w0 = performance.now();
      await sleep(Math.max(0, gone + endsS * 1000 - w0));
      ends = { afterS: endsS, cpuShare: (cpuSeconds(srv.pid) - c0) / ((performance.now() - w0) / 1000), idle, after: await readGc() };
    }
    return {
      symbols: o.symbols, clients: o.clients, server: script,
      allSnapshotsS: (lastSnapshotAt - t0) / 1000, snapshotItemsMissing: missing, snapshotFrames: frames, healthzMs, bystander: by, loopDelayMs: loop,
      rssMiB: { before, at }, cpuShareBefore, ...(ends ? { ends } : {}), loadAvg: [load0, loadavg()[0]!],
    };
  } finally {
    for (const c of closers) c.close();
    for (const ws of loads) ws.socket.destroy();
    await srv.stop();
  }
}

const f = (v: number, d = 0) => (Number.isFinite(v) ? v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : 'n/a');

export function watchAllMarkdown(rs: WatchAllResult[]): string {
  let md = '| symbols x clients | server | all snapshots s | snapshot frames | /healthz p99 / max ms | bystander longest silence ms, when it ended (breaks); longest gap, idle / loaded ms; oldest update ms | loop delay p99 / max ms | RSS MiB before / at | load avg |\n';
  md += '|--|--|--:|--:|--:|--:|--:|--|--:|\n';
  for (const r of rs) {
    const at = Object.entries(r.rssMiB.at).map(([k, v]) => `${k}: ${f(v)}`).join(', ');
    md += `| ${f(r.symbols)} x ${r.clients} | ${r.server} | ${Number.isFinite(r.allSnapshotsS) ? f(r.allSnapshotsS, 1) : `not all (${f(r.snapshotItemsMissing)} items missing)`} | ${r.snapshotFrames} | ${f(r.healthzMs.p99, 1)} / ${f(r.healthzMs.max, 1)} | ` +
      `${f(r.bystander.longestSilenceMs)} ending at ${f(r.bystander.longestSilenceEndS, 1)} s (${r.bystander.breaks}); ${f(r.bystander.idleGapMs)} / ${f(r.bystander.longestGapMs)}; ${f(r.bystander.maxAgeMs)} | ${f(r.loopDelayMs.p99)} / ${f(r.loopDelayMs.max)} | ${f(r.rssMiB.before)} / ${at} | ${f(r.loadAvg[0], 1)}-${f(r.loadAvg[1], 1)} |\n`;
  }
  const ends = rs.filter((r) => r.ends);
  if (ends.length) {
    md += '\n| watching ends: s after the clients left | CPU share idle / then | RSS after GC idle / then MiB | heap after GC idle / then MiB |\n|--:|--:|--:|--:|\n';
    for (const { ends: e, cpuShareBefore } of ends) md += `| ${e!.afterS} | ${f(cpuShareBefore, 2)} / ${f(e!.cpuShare, 2)} | ${f(e!.idle.rssMiB)} / ${f(e!.after.rssMiB)} | ${f(e!.idle.heapMiB)} / ${f(e!.after.heapMiB)} |\n`;
  }
  return md;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values: v } = parseArgs({ options: { symbols: { type: 'string', default: '10000' }, clients: { type: 'string', default: '10' }, rate: { type: 'string', default: '5' }, window: { type: 'string', default: '10' }, rss: { type: 'string' }, long: { type: 'boolean' }, source: { type: 'boolean' }, server: { type: 'string' }, channels: { type: 'string' }, wait: { type: 'string', default: '120' }, profile: { type: 'string' }, ends: { type: 'string' }, heartbeat: { type: 'string', default: '100' } } });
  const r = await watchAll({ symbols: Number(v.symbols), clients: Number(v.clients), feedRate: Number(v.rate), windowS: Number(v.window), rssAtS: (v.rss ?? (v.long ? '130,600' : '130')).split(',').filter(Boolean).map(Number), source: v.source, script: v.server, channels: v.channels?.split(','), waitS: Number(v.wait), profileDir: v.profile, endsS: v.ends === undefined ? undefined : Number(v.ends), heartbeatMs: Number(v.heartbeat) });
  console.log(JSON.stringify(r, null, 2));
  console.log(watchAllMarkdown([r]));
}
