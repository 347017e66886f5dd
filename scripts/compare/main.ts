/**
 * `npm run compare`: latency and cost of WebSocket against SSE on the same subscriptions.
 * Starts a server (or uses --url), then runs N WebSocket clients for D seconds, then N SSE
 * clients on the same symbols and throttle for D seconds (one after the other, so that the
 * server's CPU time can be told apart), and writes results.json, report.md and latency.svg.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pickSymbols } from '../bench/load-run.js';
import { startServer, type ServerProc } from '../bench/proc.js';
import { note } from '../bench/progress.js';
import { latencyChart } from './chart.js';
import { runPhase, type PhaseResult, type Transport } from './phase.js';
import { compareMarkdown } from './report.js';

const USAGE = `usage: npm run compare -- [--clients N] [--symbols N] [--throttle MS] [--duration S] [--rate R]
                            [--feed-symbols N] [--port P] [--url URL [--pid PID]] [--transports ws,sse] [--out DIR] [--quick]
  --clients       clients per transport (default 50)
  --symbols       symbols per client, ticker channel (default 20)
  --throttle      ms, 0 = every event (default 0)
  --duration      measured seconds per transport (default 10)
  --rate          FEED_RATE of the started server (default 10)
  --feed-symbols  FEED_SYMBOLS of the started server (default 500)
  --port          port of the started server (default: a free one)
  --url           use a running server (loopback) instead; --pid PID lets its CPU time be read;
                  the report gives that server's symbols and FEED_RATE (from /api/symbols, /healthz)
  --out           report folder (default reports/compare-<timestamp>)
  --quick         smoke run: 4 clients x 5 symbols, 1.5 s, 50 symbols`;

const { values: a } = parseArgs({
  options: {
    clients: { type: 'string' }, symbols: { type: 'string' }, throttle: { type: 'string' }, duration: { type: 'string' },
    rate: { type: 'string' }, 'feed-symbols': { type: 'string' }, port: { type: 'string' }, url: { type: 'string' }, pid: { type: 'string' },
    transports: { type: 'string' }, out: { type: 'string' }, quick: { type: 'boolean' }, help: { type: 'boolean' },
  },
});
if (a.help) {
  console.log(USAGE);
  process.exit(0);
}
const q = !!a.quick;
const opts = {
  clients: Number(a.clients ?? (q ? 4 : 50)),
  symbolsPer: Number(a.symbols ?? (q ? 5 : 20)),
  throttle: Number(a.throttle ?? 0),
  durationS: Number(a.duration ?? (q ? 1.5 : 10)),
  feedRate: Number(a.rate ?? 10),
  feedSymbols: Number(a['feed-symbols'] ?? (q ? 50 : 500)),
};
if (Object.values(opts).some((v) => !Number.isFinite(v) || v < 0) || opts.clients < 1) {
  console.error(USAGE);
  process.exit(2);
}
const transports = (a.transports ?? 'ws,sse').split(',').map((x) => x.trim()) as Transport[];
const out = a.out ?? join('reports', `compare-${new Date().toISOString().replace(/[:.]/g, '-')}`);
mkdirSync(out, { recursive: true });

let server: ServerProc | undefined;
let url = a.url;
let pid = a.pid ? Number(a.pid) : undefined;
if (a.port !== undefined && (a.url || !/^\d+$/.test(a.port) || Number(a.port) > 65535)) {
  console.error(a.url ? '--port is for the started server; --url names a running one' : `--port must be a port number, got ${JSON.stringify(a.port)}`);
  process.exit(2);
}
if (!url) {
  server = await startServer({
    script: 'server/main.ts',
    port: a.port ? Number(a.port) : undefined,
    env: { FEED_RATE: String(opts.feedRate), FEED_SYMBOLS: String(opts.feedSymbols), LIMIT_CONNECTIONS_PER_IP: '0', LIMIT_NEW_CONNECTIONS: '0', LIMIT_SOCKETS_PER_IP: '0' },
  });
  url = server.url;
  pid = server.pid;
}
const sameHost = /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:|\/|$)/.test(url);

const results: PhaseResult[] = [];
try {
  const universe = ((await (await fetch(`${url}/api/symbols`)).json()) as { symbol: string }[]).map((s) => s.symbol);
  // The settings of the server measured: a running one's own, not this script's defaults.
  opts.feedSymbols = universe.length;
  if (a.url) {
    const health = (await (await fetch(`${url}/healthz`)).json().catch(() => ({}))) as { feedRate?: number };
    opts.feedRate = typeof health.feedRate === 'number' ? health.feedRate : NaN;
  }
  const symbolsOf = (i: number) => pickSymbols(universe, opts.symbolsPer, i);
  for (const t of transports) {
    const r = await runPhase({ transport: t, url, pid, clients: opts.clients, symbolsOf, throttle: opts.throttle, durationMs: opts.durationS * 1000, warmupMs: q ? 500 : 2000 });
    results.push(r);
    note(`${t}: ${Math.round(r.updatesPerS).toLocaleString('en-US')} upd/s, transport p99 ${r.transportLatencyMs.p99.toFixed(2)} ms, age p99 ${r.dataAgeMs.p99.toFixed(2)} ms` + (r.error ? ` (${r.error})` : ''));
  }
} finally {
  await server?.stop();
}

const clock = {
  avoided: sameHost ? 'same host clock: the server and the clients read one system clock, so no correction is applied' : null,
  note: 'server `t` is whole milliseconds (Date.now()): now - t reads 0.5 ms high on average, the offset estimate 0.5 ms low',
  estimates: Object.fromEntries(results.map((r) => [r.transport, r.clockOffset])),
};
const meta = { started: new Date().toISOString(), url: server ? '(started)' : url, node: process.version, ...opts, order: 'transports run one after the other, same symbols per client index' };
const ws = results.find((r) => r.transport === 'ws');
const sse = results.find((r) => r.transport === 'sse');
const sseOverWsCpu = ws?.cpuSecondsPerMillion && sse?.cpuSecondsPerMillion ? sse.cpuSecondsPerMillion / ws.cpuSecondsPerMillion : null;
writeFileSync(join(out, 'results.json'), JSON.stringify({ meta, clock, transports: results, sseOverWsCpu }, null, 2) + '\n');
writeFileSync(join(out, 'report.md'), compareMarkdown(meta, clock, results, sseOverWsCpu));
const colors: Record<string, string> = { ws: '#2b6cb0', sse: '#dd6b20' };
const svg = latencyChart(
  'Tickwire: WebSocket vs SSE latency',
  ['transport latency: now - t', 'data age: now - ts'],
  results.filter((r) => !r.error).map((r) => ({ name: r.transport === 'ws' ? 'WebSocket' : 'SSE', color: colors[r.transport], panels: [r.transportLatencyMs, r.dataAgeMs] })),
  `${opts.clients} clients x ${opts.symbolsPer} symbols per transport, throttle ${opts.throttle} ms, FEED_RATE ${opts.feedRate}, ${opts.durationS} s each`,
);
writeFileSync(join(out, 'latency.svg'), svg);
console.log(compareMarkdown(meta, clock, results, sseOverWsCpu));
console.log(`report: ${out}/report.md, ${out}/results.json, ${out}/latency.svg`);
