/**
 * `npm run bench`: fan-out scenarios A-E against Tickwire and, in the same run with the same load
 * client, against the baselines in bench/baselines/; F (the feed at scale, Tickwire alone:
 * feed-scale.ts); BOOK (book-run.ts); G (watch-all.ts) and STORMS (storms.ts), issue 21's. Each
 * (scenario, system) gets a fresh server process; the load client runs in this process. Writes results.json and report.md to the report folder
 * and prints the tables. Flags: see usage().
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildUniverse } from '../../server/feed/universe.js';
import { wallNow } from './clock.js';
import { runLoad } from './load-run.js';
import { costsMarkdown, topCosts, type Cost } from './profile-top.js';
import { startServer, type ServerProc } from './proc.js';
import { note } from './progress.js';
import { markdown, ratios, toRow, type Row } from './report.js';
import { FEED_SCALE, quick, quickScale, SCENARIOS, type Scenario } from './scenarios.js';
import { bookMarkdown, runBookBench, type BookRow } from './book-run.js';
import { feedScale, scaleMarkdown, type ScaleResult } from './feed-scale.js';
import { SYSTEMS, type SystemName } from './systems.js';
import { runStorms, stormsMarkdown, type StormResult } from './storms.js';
import { watchAll, watchAllMarkdown, type WatchAllResult } from './watch-all.js';

function usage(): string {
  return `usage: npm run bench -- [--scenario A,B,C,D,E,F,BOOK] [--duration S] [--warmup S] [--systems tickwire,tutorial,socketio]
                          [--sample N] [--quick] [--profile] [--out DIR]
  --scenario   which scenarios (default all: A,B,C,D,E,F,BOOK; see scripts/bench/scenarios.ts)
  --duration   measured seconds per run (default per scenario: 15, D 10; F: its idle window, default 10)
  --warmup     seconds between the last subscription and the measurement (default 3; quick 0.5)
  --systems    which systems (default all three)
  --sample     decode one message in N per connection for data age (default 10)
  --quick      smoke run: 1/100 of the clients, 50 symbols, 1 s; F at 500 symbols only
  --profile    run Tickwire under node --cpu-prof; top costs go into the report
  --rss        G only: seconds after the first subscribe at which RSS is read (default 130; the run lasts that long)
  --long       G only: RSS at 130 s and at 10 min (--rss 130,600)
  --ends       G only: then the clients leave; CPU share and RSS after GC S s later against the idle server's
  (G, "watch everything", is not in the default list: --scenario G; --quick: 500 symbols, 2 clients, no RSS wait;
   it runs dist/server/main.js when built: npm run build first. See scripts/bench/watch-all.ts.)
  (STORMS, issue 21's storms, is not in the default list either: --scenario STORMS; --duration sets
   the control storms' length (default 15 s); --quick: small numbers on 500 symbols. See scripts/bench/storms.ts.)
  --out        report folder (default reports/bench-<timestamp>)`;
}

const { values: a } = parseArgs({
  options: {
    scenario: { type: 'string' }, duration: { type: 'string' }, warmup: { type: 'string' }, systems: { type: 'string' },
    sample: { type: 'string' }, quick: { type: 'boolean' }, profile: { type: 'boolean' }, out: { type: 'string' }, help: { type: 'boolean' },
    rss: { type: 'string' }, long: { type: 'boolean' }, ends: { type: 'string' },
  },
});
if (a.help) {
  console.log(usage());
  process.exit(0);
}

const ids = (a.scenario ?? 'A,B,C,D,E,F,BOOK').toUpperCase().split(',').map((x) => x.trim());
// BOOK: the book-heavy scenarios against the naive whole-window server (book-run.ts). F: feed-scale.ts.
const unknown = ids.filter((id) => id !== 'BOOK' && id !== 'F' && id !== 'G' && id !== 'STORMS' && !SCENARIOS.some((s) => s.id === id));
const systems = (a.systems ?? 'tickwire,tutorial,socketio').split(',').map((x) => x.trim()) as SystemName[];
if (unknown.length || systems.some((s) => !SYSTEMS[s])) {
  console.error(`unknown scenario or system\n${usage()}`);
  process.exit(2);
}
const scenarios = SCENARIOS.filter((s) => ids.includes(s.id))
  .map((s) => (a.quick ? quick(s) : s))
  .map((s) => (a.duration ? { ...s, durationS: Number(a.duration) } : s));
const warmupMs = 1000 * Number(a.warmup ?? (a.quick ? 0.5 : 3));
const sampleEvery = Math.max(1, Number(a.sample ?? 10));
const scale = ids.includes('F') ? (a.quick ? quickScale(FEED_SCALE) : FEED_SCALE) : null;
if (scale && a.duration) scale.windowS = Number(a.duration);
const out = a.out ?? join('reports', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}`);
mkdirSync(out, { recursive: true });

const fdLimit = Number(execFileSync('sh', ['-c', 'ulimit -n']).toString().trim()) || Infinity;
const most = Math.max(...scenarios.map((s) => s.clients));
if (most + 200 > fdLimit) note(`warning: ulimit -n is ${fdLimit}, below the ${most} connections asked for: raise it (ulimit -n 65536)`);

const rows: Row[] = [];
const scaleRows: ScaleResult[] = [];
let bookRows: BookRow[] = [];
const watchRows: WatchAllResult[] = [];
const stormRows: StormResult[] = [];
const profiles: Record<string, { busyShare: number; costs: Cost[] }> = {};
const started = new Date().toISOString();

/**
 * The main thread's profile in `dir`: Node names each thread's CPU.<date>.<time>.<pid>.<tid>.<seq>.cpuprofile
 * and the main thread's tid is 0 (the tsx loader's worker writes one too). Falls back to the largest file.
 */
function mainThreadProfile(dir: string): string {
  const files = readdirSync(dir).map((f) => join(dir, f));
  return files.find((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f)) ?? files.sort((x, y) => statSync(y).size - statSync(x).size)[0];
}

function save(): void {
  const rs = ratios(rows);
  const meta = {
    started, host: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version }, sampleEvery, warmupMs,
    note: 'Load client and server share this machine. Server CPU includes the feed simulator (the same in every system).',
  };
  const feedScaleOut = scale ? { scenario: scale, results: scaleRows } : null;
  writeFileSync(join(out, 'results.json'), JSON.stringify({ meta, scenarios, rows, ratios: rs, feedScale: feedScaleOut, book: bookRows, watchAll: watchRows, storms: stormRows, profiles }, null, 2) + '\n');
  let md = `# Fan-out benchmark\n\nStarted ${started}; Node ${process.version}; ${meta.host.cpus} x ${meta.host.model}; ` +
    `data age sampled on 1 message in ${sampleEvery} per connection; /healthz probed every 50 ms during each measurement.\n\n`;
  for (const s of scenarios) md += `- **${s.id}**: ${s.title} (FEED_SYMBOLS=${s.feedSymbols}, FEED_RATE=${s.feedRate}, ${s.durationS} s)\n`;
  if (scale) md += `- **F**: ${scale.title} (idle window ${scale.windowS} s)\n`;
  md += '\n' + markdown(rows, rs);
  if (scaleRows.length) md += `\n## F: the feed at scale\n\n${scaleMarkdown(scaleRows)}`;
  if (bookRows.length) md += `\n## Book\n\n${bookMarkdown(bookRows)}`;
  if (watchRows.length) md += `\n## G: watch everything\n\n${watchAllMarkdown(watchRows)}`;
  if (stormRows.length) md += `\n## Storms\n\n${stormsMarkdown(stormRows)}`;
  for (const [k, p] of Object.entries(profiles)) md += `\n### Tickwire profile, scenario ${k} (busy ${(p.busyShare * 100).toFixed(0)}% of samples)\n\n${costsMarkdown(p.costs)}`;
  writeFileSync(join(out, 'report.md'), md);
}

const UNLIMITED = { LIMIT_CONNECTIONS_PER_IP: '0', LIMIT_NEW_CONNECTIONS: '0', LIMIT_SOCKETS_PER_IP: '0' };

// --quick keeps one server per system for all scenarios (same feed): a smoke run stays short.
const running = new Map<string, ServerProc>();
async function serverFor(name: SystemName, s: Scenario, profile: boolean): Promise<ServerProc> {
  const key = `${name}|${s.feedSymbols}|${s.feedRate}`;
  const have = running.get(key);
  if (have) return have;
  const server = await startServer({
    script: SYSTEMS[name].script,
    // Tickwire's per-IP connection limits (LIMIT_CONNECTIONS_PER_IP, LIMIT_NEW_CONNECTIONS, LIMIT_SOCKETS_PER_IP) are off:
    // every load client connects from 127.0.0.1.
    env: { FEED_SYMBOLS: String(s.feedSymbols), FEED_RATE: String(s.feedRate), FEED_SEED: 'bench', ...UNLIMITED },
    // One profile per thread (tsx's loader has its own): mainThreadProfile picks the main thread's.
    nodeArgs: profile ? ['--cpu-prof', '--cpu-prof-dir', join(out, 'profiles', s.id)] : [],
  });
  if (a.quick) running.set(key, server);
  return server;
}

for (const s of scenarios) {
  const universe = buildUniverse(s.feedSymbols).map((i) => i.symbol);
  for (const name of systems) {
    const label = `${s.id} ${name.padEnd(8)}`;
    const profile = !!a.profile && !a.quick && name === 'tickwire';
    const server = await serverFor(name, s, profile);
    let measured = { from: 0, to: 0 };
    const load0 = loadavg()[0];
    try {
      const r = await runLoad({
        system: SYSTEMS[name], url: server.url, pid: server.pid, clients: s.clients, symbolsPer: s.symbolsPer, throttle: s.throttle, universe,
        warmupMs, durationMs: s.durationS * 1000, idleMs: a.quick ? 200 : 2000, sampleEvery, concurrency: 100, label,
      });
      measured = { from: r.measuredFrom, to: r.measuredTo };
      const row = toRow(s, name, r, [load0, loadavg()[0]]);
      rows.push(row);
      note(`${label} ${Math.round(row.updatesPerS).toLocaleString('en-US')} upd/s (${(row.deliveredShare * 100).toFixed(1)}%), ` +
        `${row.cpuSecondsPerMillion?.toFixed(2)} CPU s/M, age p99 ${row.dataAgeMs.p99.toFixed(1)} ms, ${row.bytesPerUpdate.toFixed(1)} B/upd` +
        `, cores: server ${row.serverCores?.toFixed(2)} client ${row.clientCores.toFixed(2)}` +
        (r.failed ? `, ${r.failed} failed to connect (${r.errors.join('; ')})` : ''));
    } finally {
      if (!a.quick) await server.stop();
    }
    // The profile ends when the server exits: keep only the samples of the measured window.
    const exitAt = wallNow();
    if (profile) profiles[s.id] = topCosts(mainThreadProfile(join(out, 'profiles', s.id)), 15, { fromEndMs: exitAt - measured.from, toEndMs: exitAt - measured.to });
    save();
  }
}
for (const server of running.values()) await server.stop();
save();
if (scale) {
  for (const n of scale.sizes) {
    // With --profile, the largest universe is profiled over its whole life (start-up and idle window).
    const dir = a.profile && !a.quick && n === Math.max(...scale.sizes) ? join(out, 'profiles', 'F') : undefined;
    const r = await feedScale(n, scale.feedRate, scale.windowS, dir);
    scaleRows.push(r);
    note(`F ${String(n).padStart(6)} symbols: start ${r.startS.toFixed(1)} s, RSS ${r.rssMiB.toFixed(0)} MiB, idle CPU ${(r.cpuShare * 100).toFixed(0)}%, /healthz p99 ${r.healthzMs.p99.toFixed(1)} ms`);
    if (dir) profiles[`F-${n}`] = topCosts(mainThreadProfile(dir), 15);
    save();
  }
}
if (ids.includes('BOOK')) {
  bookRows = await runBookBench({ quick: a.quick, durationS: a.duration ? Number(a.duration) : undefined, out });
  save();
  console.log(bookMarkdown(bookRows));
}
if (ids.includes('G')) {
  const rssAtS = (a.rss ?? (a.quick ? '' : a.long ? '130,600' : '130')).split(',').filter(Boolean).map(Number);
  const r = await watchAll({ symbols: a.quick ? 500 : 10_000, clients: a.quick ? 2 : 10, feedRate: 5, windowS: a.duration ? Number(a.duration) : a.quick ? 2 : 10, rssAtS, endsS: a.ends === undefined ? undefined : Number(a.ends) });
  watchRows.push(r);
  note(`G: all snapshots in ${r.allSnapshotsS.toFixed(1)} s, /healthz p99 ${r.healthzMs.p99.toFixed(1)} max ${r.healthzMs.max.toFixed(1)} ms, bystander silence ${r.bystander.longestSilenceMs.toFixed(0)} ms, longest gap ${r.bystander.longestGapMs.toFixed(0)} ms (idle ${r.bystander.idleGapMs.toFixed(0)})`);
  save();
  console.log(watchAllMarkdown(watchRows));
}
if (ids.includes('STORMS')) {
  await runStorms({ quick: a.quick, durationS: a.duration ? Number(a.duration) : undefined }, (r) => {
    stormRows.push(r);
    note(`storm ${r.storm}: /healthz p99 ${r.healthzMs.p99.toFixed(1)} max ${r.healthzMs.max.toFixed(1)} ms, handshakes max ${r.handshakeMs.max.toFixed(0)} ms; ${r.work}`);
    save();
  });
  console.log(stormsMarkdown(stormRows));
}
if (scaleRows.length) console.log(scaleMarkdown(scaleRows));
console.log(markdown(rows, ratios(rows)));
for (const [k, p] of Object.entries(profiles)) console.log(`Tickwire profile, scenario ${k}:\n${costsMarkdown(p.costs.slice(0, 10))}`);
console.log(`report: ${out}/report.md, ${out}/results.json`);
