/**
 * The storms of issue 21 ("no stall, whatever a client asks for"; "fair control"), each against
 * a fresh server, nothing watched before it (every symbol cold). During each, `/healthz` is
 * probed every 50 ms, a bystander keeps one ticker (bystander.ts: chain breaks, longest
 * silence with the server's HEARTBEAT_MS at 100, longest gap between data frames), and a
 * fresh WebSocket handshake is timed every 200 ms (the goal: each within 1 s).
 * The server's event-loop delay histogram (/metrics) is read after. The storms:
 *
 * - `connect`: 1,000 clients connect and subscribe at once, 20 symbols' tickers each, every
 *   event (scenario B's start, on B's server: 500 symbols, FEED_RATE 10). Done when every
 *   client has its snapshot items (B's steady load after that is scenario B's own measure).
 * - `rest-snapshot`: 20 concurrent `GET /api/snapshot` with no `symbols` (refused: more than
 *   LIMIT_SYMBOLS), then 20 concurrent ones of 1,000 named symbols (the most allowed) on every
 *   channel, ten distinct pages of the 10,000.
 * - `rest-candles`: `GET /api/candles` at the maximum limit (1s bars: 3,600 kept) for 1,000
 *   symbols in parallel.
 * - `resubscribe`: one client unsubscribes and re-subscribes the same 500 symbols x 7 channels
 *   at 95% of its `hello.limits.rate`, for `--duration` s.
 * - `churn`: 200 clients each unsubscribe and re-subscribe their own 10 symbols' tickers at 95%
 *   of the rate, for `--duration` s.
 *
 * The four last run on 10,000 symbols at FEED_RATE 5 (G's server). Runs the compiled server
 * (dist/server/main.js: `npm run build` first) when it exists.
 * `npm run bench -- --scenario STORMS`; CLI: `tsx scripts/bench/storms.ts [--only connect,churn]
 * [--duration 15] [--quick] [--server PATH] [--profile DIR]`.
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { decode, encode } from '../../shared/codec.js';
import { CHANNELS } from '../../shared/protocol.js';
import { buildUniverse } from '../../server/feed/universe.js';
import { startBystander, type BystanderResult } from './bystander.js';
import { startProbe, type ProbeSummary } from './healthz-probe.js';
import { Latency, type LatencySummary } from './latency.js';
import { pickSymbols } from './load-run.js';
import { peek } from './msgpack-peek.js';
import { startServer } from './proc.js';
import { RawWs, type RawWsHandlers } from './raw-ws.js';
import { loopDelay } from './watch-all.js';

export const STORMS = ['connect', 'rest-snapshot', 'rest-candles', 'resubscribe', 'churn'] as const;
export type StormName = (typeof STORMS)[number];

export interface StormOptions {
  only?: readonly StormName[];
  /** Seconds of the two control storms (default 15). */
  durationS?: number;
  /** Small numbers on a 500-symbol server: shows the command runs, says nothing of the goals. */
  quick?: boolean;
  script?: string;
  /** Write each storm's server CPU profile (--cpu-prof) into this folder. */
  profileDir?: string;
}

export interface StormResult {
  storm: StormName;
  symbols: number;
  /** What the storm did and got, in words and figures (answers, errors, times). */
  work: string;
  /** First request to the last answer (or the storm's length), s. */
  stormS: number;
  healthzMs: ProbeSummary;
  /** Handshakes timed during the storm (the connect storm's own included), ms. */
  handshakeMs: LatencySummary & { failed: number };
  bystander: BystanderResult;
  loopDelayMs: { p99: number; max: number };
  loadAvg: [number, number];
}

const NO_LIMITS = { LIMIT_CONNECTIONS_PER_IP: '0', LIMIT_NEW_CONNECTIONS: '0', LIMIT_SOCKETS_PER_IP: '0' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Ctx {
  url: string;
  wsUrl: string;
  universe: string[];
  quick: boolean;
  durationS: number;
  /** A handshake's time, ms (NaN: failed). */
  handshake(ms: number): void;
}

/** Opens a raw WebSocket, timing its handshake into `ctx`. */
async function openTimed(ctx: Ctx, h: RawWsHandlers): Promise<RawWs | undefined> {
  const t = performance.now();
  try {
    const ws = await RawWs.open(ctx.wsUrl, h, 10_000);
    ctx.handshake(performance.now() - t);
    return ws;
  } catch {
    ctx.handshake(NaN);
    return undefined;
  }
}

/** A client that reads its hello's rate and counts what comes back by type (errors by code). */
async function controlClient(ctx: Ctx, tally: Map<string, number>): Promise<{ ws: RawWs; rate: () => number } | undefined> {
  let rate = 0;
  const ws = await openTimed(ctx, {
    message(p) {
      const t = peek(p)?.type ?? '?';
      if (t === 'update') return;
      let key = t;
      if (t === 'hello' || t === 'error') {
        const d = decode(Buffer.from(p));
        const m = d.ok ? (d.value as { limits?: { rate: number }; code?: string }) : {};
        if (t === 'hello') rate = m.limits?.rate ?? 0;
        else key = `error ${m.code}`;
      }
      tally.set(key, (tally.get(key) ?? 0) + 1);
    },
  });
  if (!ws) return undefined;
  for (let i = 0; i < 100 && !rate; i++) await sleep(20);
  return { ws, rate: () => rate };
}

const tallied = (t: Map<string, number>) => [...t].sort().map(([k, n]) => `${n.toLocaleString('en-US')} ${k}`).join(', ');

/** GETs `paths` all at once; the status counts, bytes and the slowest answer. */
async function getAll(url: string, paths: string[]): Promise<{ s: string; slowestMs: number; bytes: number }> {
  const statuses = new Map<string, number>();
  let bytes = 0;
  let slowest = 0;
  await Promise.all(paths.map(async (p) => {
    const t = performance.now();
    const key = await fetch(url + p, { signal: AbortSignal.timeout(120_000) }).then(async (r) => {
      bytes += (await r.arrayBuffer()).byteLength;
      return `${r.status}`;
    }, (e: Error) => String((e.cause as { code?: string } | undefined)?.code ?? e.name));
    slowest = Math.max(slowest, performance.now() - t);
    statuses.set(key, (statuses.get(key) ?? 0) + 1);
  }));
  return { s: `${tallied(statuses)}; ${(bytes / 2 ** 20).toFixed(1)} MiB`, slowestMs: slowest, bytes };
}

const BODIES: Record<StormName, (ctx: Ctx) => Promise<string>> = {
  async connect(ctx) {
    const n = ctx.quick ? 100 : 1000;
    const per = 20;
    let pending = n * per;
    let done: () => void = () => {};
    const all = new Promise<void>((r) => (done = r));
    const t0 = performance.now();
    let lastAt = NaN;
    const conns = await Promise.all(Array.from({ length: n }, async (_, i) => {
      const symbols = pickSymbols(ctx.universe, per, i);
      const ws = await openTimed(ctx, {
        message(p) {
          const m = peek(p);
          if (m?.type === 'snapshot' && (pending -= m.items) <= 0) (lastAt = performance.now()), done();
        },
      });
      ws?.send(Buffer.from(encode({ type: 'subscribe', id: 1, symbols, channels: ['ticker'], throttle: 0 })));
      return ws;
    }));
    const open = conns.filter(Boolean).length;
    const connectedS = (performance.now() - t0) / 1000;
    await Promise.race([all, sleep(60_000)]);
    for (const ws of conns) ws?.socket.destroy();
    return `${open} of ${n} connected in ${connectedS.toFixed(1)} s; every snapshot ${Number.isFinite(lastAt) ? `in ${((lastAt - t0) / 1000).toFixed(1)} s` : `not in 60 s (${pending} items missing)`}`;
  },

  async 'rest-snapshot'(ctx) {
    const k = ctx.quick ? 4 : 20;
    const page = ctx.quick ? 100 : 1000;
    const bare = await getAll(ctx.url, Array.from({ length: k }, () => '/api/snapshot'));
    const pages = Math.floor(ctx.universe.length / page);
    const t = performance.now();
    const named = await getAll(ctx.url, Array.from({ length: k }, (_, i) => {
      const from = 1 + (i % pages) * page; // the bystander's symbol is universe[0]
      return `/api/snapshot?channels=${CHANNELS.join(',')}&symbols=${ctx.universe.slice(from, from + page).join(',')}`;
    }));
    return `${k} x no symbols: ${bare.s}, slowest ${bare.slowestMs.toFixed(0)} ms; ${k} x ${page} symbols x 7 channels: ${named.s}, all in ${((performance.now() - t) / 1000).toFixed(1)} s`;
  },

  async 'rest-candles'(ctx) {
    const n = ctx.quick ? 100 : 1000;
    const t = performance.now();
    const r = await getAll(ctx.url, ctx.universe.slice(1, n + 1).map((s) => `/api/candles?symbol=${s}&interval=1s&limit=1000000`));
    return `${n} x 1s candles at the maximum limit: ${r.s}, all in ${((performance.now() - t) / 1000).toFixed(1)} s`;
  },

  async resubscribe(ctx) {
    const tally = new Map<string, number>();
    const c = await controlClient(ctx, tally);
    if (!c) return 'could not connect';
    const symbols = ctx.universe.slice(1, (ctx.quick ? 50 : 500) + 1);
    const sent = await atRate(c, ctx.durationS, (i) => (i % 2 ? { type: 'unsubscribe', id: i, symbols, channels: CHANNELS } : { type: 'subscribe', id: i, symbols, channels: CHANNELS, throttle: 1000 }));
    await sleep(1000);
    c.ws.socket.destroy();
    return `${sent} messages of ${symbols.length} symbols x 7 channels at ${(0.95 * c.rate()).toFixed(1)}/s; got ${tallied(tally)}`;
  },

  async churn(ctx) {
    const tally = new Map<string, number>();
    const n = ctx.quick ? 20 : 200;
    const cs = await Promise.all(Array.from({ length: n }, () => controlClient(ctx, tally)));
    let sent = 0;
    await Promise.all(cs.map(async (c, i) => {
      if (!c) return;
      const symbols = pickSymbols(ctx.universe.slice(1), 10, i);
      const k = await atRate(c, ctx.durationS, (j) => (j % 2 ? { type: 'unsubscribe', id: j, symbols } : { type: 'subscribe', id: j, symbols, channels: ['ticker'] }));
      sent += k;
    }));
    await sleep(1000);
    for (const c of cs) c?.ws.socket.destroy();
    return `${cs.filter(Boolean).length} clients, ${sent} messages of 10 tickers at 95% of the rate; got ${tallied(tally)}`;
  },
};

/** Sends `msg(i)` at 95% of the client's allowed rate for `seconds`; returns how many were sent. */
async function atRate(c: { ws: RawWs; rate: () => number }, seconds: number, msg: (i: number) => object): Promise<number> {
  const gap = 1000 / (0.95 * Math.max(1, c.rate()));
  const end = performance.now() + seconds * 1000;
  let i = 0;
  for (let next = performance.now(); next < end; next += gap) {
    await sleep(Math.max(0, next - performance.now()));
    if (c.ws.socket.destroyed) break;
    c.ws.send(Buffer.from(encode(msg(i++))));
  }
  return i;
}

export async function runStorm(storm: StormName, o: StormOptions = {}): Promise<StormResult> {
  const load0 = loadavg()[0]!;
  const script = o.script ?? (existsSync('dist/server/main.js') ? 'dist/server/main.js' : 'server/main.ts');
  const symbols = o.quick ? 500 : storm === 'connect' ? 500 : 10_000;
  const rate = storm === 'connect' ? 10 : 5;
  const srv = await startServer({
    script, env: { FEED_SYMBOLS: String(symbols), FEED_RATE: String(rate), FEED_SEED: 'bench', HEARTBEAT_MS: '100', ...NO_LIMITS }, timeoutMs: 120_000,
    nodeArgs: o.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${o.profileDir}/${storm}`] : [],
  });
  const hs = new Latency();
  let hsFailed = 0;
  const universe = buildUniverse(symbols).map((i) => i.symbol);
  const ctx: Ctx = {
    url: srv.url, wsUrl: srv.url.replace(/^http/, 'ws') + '/ws', universe, quick: !!o.quick, durationS: o.durationS ?? (o.quick ? 2 : 15),
    handshake: (ms) => (Number.isNaN(ms) ? hsFailed++ : hs.record(ms)),
  };
  try {
    await sleep(3000); // past start-up
    const bystander = await startBystander(ctx.wsUrl, universe[0]!);
    await sleep(1000);
    await loopDelay(srv.url); // resets the monitor: the figure below covers the storm only
    const probe = startProbe(srv.url + '/healthz', 50);
    bystander.begin();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const ws = await openTimed(ctx, { message() {} });
        ws?.socket.destroy();
        await sleep(200);
      }
    })();
    const t0 = performance.now();
    const work = await BODIES[storm](ctx);
    const stormS = (performance.now() - t0) / 1000;
    sampling = false;
    await sampler;
    const healthzMs = await probe.stop();
    const b = bystander.end();
    bystander.close();
    return { storm, symbols, work, stormS, healthzMs, handshakeMs: { ...hs.summary(), failed: hsFailed }, bystander: b, loopDelayMs: await loopDelay(srv.url), loadAvg: [load0, loadavg()[0]!] };
  } finally {
    await srv.stop();
  }
}

export async function runStorms(o: StormOptions = {}, each?: (r: StormResult) => void): Promise<StormResult[]> {
  const out: StormResult[] = [];
  for (const s of o.only ?? STORMS) {
    const r = await runStorm(s, o);
    out.push(r);
    each?.(r);
  }
  return out;
}

const f = (v: number, d = 0) => (Number.isFinite(v) ? v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : 'n/a');

export function stormsMarkdown(rs: StormResult[]): string {
  let md = '| storm | symbols | /healthz p99 / max ms | handshakes max ms (n, failed) | bystander silence / gap / oldest update ms (breaks) | loop delay p99 / max ms | storm s | load avg | what it did |\n';
  md += '|--|--:|--:|--:|--:|--:|--:|--:|--|\n';
  for (const r of rs) {
    md += `| ${r.storm} | ${f(r.symbols)} | ${f(r.healthzMs.p99, 1)} / ${f(r.healthzMs.max, 1)} | ${f(r.handshakeMs.max)} (${f(r.handshakeMs.count)}, ${r.handshakeMs.failed}) | ` +
      `${f(r.bystander.longestSilenceMs)} / ${f(r.bystander.longestGapMs)} / ${f(r.bystander.maxAgeMs)} (${r.bystander.breaks}) | ${f(r.loopDelayMs.p99)} / ${f(r.loopDelayMs.max)} | ${f(r.stormS, 1)} | ${f(r.loadAvg[0], 1)}-${f(r.loadAvg[1], 1)} | ${r.work} |\n`;
  }
  return md;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values: v } = parseArgs({ options: { only: { type: 'string' }, duration: { type: 'string' }, quick: { type: 'boolean' }, server: { type: 'string' }, profile: { type: 'string' } } });
  const only = v.only?.split(',').map((s) => s.trim()) as StormName[] | undefined;
  const bad = only?.filter((s) => !STORMS.includes(s));
  if (bad?.length) throw new Error(`unknown storm(s) ${bad.join(', ')}: one of ${STORMS.join(', ')}`);
  const rs = await runStorms({ only, durationS: v.duration ? Number(v.duration) : undefined, quick: v.quick, script: v.server, profileDir: v.profile }, (r) => console.error(`${r.storm}: /healthz p99 ${f(r.healthzMs.p99, 1)} max ${f(r.healthzMs.max, 1)} ms; ${r.work}`));
  console.log(JSON.stringify(rs, null, 2));
  console.log(stormsMarkdown(rs));
}
