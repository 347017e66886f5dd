/** Figures of a bench run: one row per (scenario, system), ratios against the baselines, and a Markdown table. */
import type { Spread } from './fairness.js';
import type { ProbeSummary } from './healthz-probe.js';
import type { LatencySummary } from './latency.js';
import type { LoadResult } from './load-run.js';
import { offeredPerSecond, type Scenario } from './scenarios.js';
import type { SystemName } from './systems.js';

export interface Row {
  scenario: string;
  system: SystemName;
  clients: number;
  symbolsPer: number;
  throttle: number;
  feedRate: number;
  feedSymbols: number;
  connected: number;
  failed: number;
  connectErrors: string[];
  dropped: number;
  durationS: number;
  offeredPerS: number;
  updatesPerS: number;
  /** Delivered / offered (see offeredPerSecond). */
  deliveredShare: number;
  framesPerS: number;
  /** Wire bytes (WebSocket header included) of update-carrying frames per update. */
  bytesPerUpdate: number;
  serverCpuS: number | null;
  cpuSecondsPerMillion: number | null;
  updatesPerCpuSecond: number | null;
  /** Cores used by the server and by the load client during the measurement. */
  serverCores: number | null;
  clientCores: number;
  /** Server CPU (cores) with no client connected: the feed's own cost, included above. */
  idleCores: number | null;
  dataAgeMs: LatencySummary;
  /** `/healthz` answer times, probed every 50 ms from a worker thread of the load process during the measurement. */
  healthzMs: ProbeSummary;
  /** Spread of per-client delivered updates per second (fairness). */
  perClientRate: Spread;
  /** The machine's 1-minute load average when the run started and ended (others' work shows here). */
  loadAvg: [number, number];
  rssIdleMiB: number | null;
  rssBaseMiB: number | null;
  rssLoadedMiB: number | null;
  /** RSS when the measurement ended: above rssLoadedMiB when queues grew during it. */
  rssEndMiB: number | null;
  baseClients: number;
  /** (RSS loaded - RSS with the warm base) / connections added: the marginal cost of a connection. */
  rssPerConnKiB: number | null;
  /** (RSS loaded - RSS idle) / connections: includes what the server grows once under traffic. */
  rssPerConnFromIdleKiB: number | null;
}

export interface Ratios {
  scenario: string;
  /** Tickwire / baseline: updates per server CPU-second (higher is better for Tickwire). */
  cpuEfficiency: Partial<Record<SystemName, number>>;
  /** The same with each server's idle CPU (the feed's own cost, measured before any client) taken out. */
  cpuEfficiencyNetIdle: Partial<Record<SystemName, number>>;
  /** Tickwire / baseline: bytes per update (lower is better). */
  bytesPerUpdate: Partial<Record<SystemName, number>>;
  /** Tickwire / baseline: p99 data age (lower is better). */
  p99Age: Partial<Record<SystemName, number>>;
  /** Tickwire / baseline: RSS per connection (lower is better). */
  rssPerConn: Partial<Record<SystemName, number>>;
  /** Tickwire / baseline: `/healthz` p99 during the measurement (lower is better). */
  healthzP99: Partial<Record<SystemName, number>>;
}

const MiB = 1024 * 1024;

export function toRow(s: Scenario, system: SystemName, r: LoadResult, loadAvg: [number, number]): Row {
  const offered = offeredPerSecond({ ...s, clients: r.connected });
  const added = r.connected - r.baseClients;
  const rssPerConn = r.rssBase !== null && r.rssLoaded !== null && added > 0 ? (r.rssLoaded - r.rssBase) / added / 1024 : null;
  const fromIdle = r.rssIdle !== null && r.rssLoaded !== null && r.connected > 0 ? (r.rssLoaded - r.rssIdle) / r.connected / 1024 : null;
  return {
    scenario: s.id, system, clients: s.clients, symbolsPer: s.symbolsPer, throttle: s.throttle, feedRate: s.feedRate, feedSymbols: s.feedSymbols,
    connected: r.connected, failed: r.failed, connectErrors: r.errors, dropped: r.dropped, durationS: r.elapsedS,
    offeredPerS: offered,
    updatesPerS: r.updates / r.elapsedS,
    deliveredShare: offered > 0 ? r.updates / r.elapsedS / offered : 0,
    framesPerS: r.frames / r.elapsedS,
    bytesPerUpdate: r.updates > 0 ? r.updateBytes / r.updates : 0,
    serverCpuS: r.cpuS,
    cpuSecondsPerMillion: r.cpuS !== null && r.updates > 0 ? r.cpuS / (r.updates / 1e6) : null,
    updatesPerCpuSecond: r.cpuS !== null && r.cpuS > 0 ? r.updates / r.cpuS : null,
    serverCores: r.cpuS !== null ? r.cpuS / r.elapsedS : null,
    clientCores: r.clientCpuS / r.elapsedS,
    idleCores: r.idleCores,
    dataAgeMs: r.age,
    healthzMs: r.healthz,
    perClientRate: r.perClient,
    loadAvg,
    rssIdleMiB: r.rssIdle !== null ? r.rssIdle / MiB : null,
    rssBaseMiB: r.rssBase !== null ? r.rssBase / MiB : null,
    rssLoadedMiB: r.rssLoaded !== null ? r.rssLoaded / MiB : null,
    rssEndMiB: r.rssEnd !== null ? r.rssEnd / MiB : null,
    baseClients: r.baseClients,
    rssPerConnKiB: rssPerConn,
    rssPerConnFromIdleKiB: fromIdle,
  };
}

export function ratios(rows: Row[]): Ratios[] {
  const out: Ratios[] = [];
  for (const id of [...new Set(rows.map((r) => r.scenario))]) {
    const tw = rows.find((r) => r.scenario === id && r.system === 'tickwire');
    if (!tw) continue;
    const q: Ratios = { scenario: id, cpuEfficiency: {}, cpuEfficiencyNetIdle: {}, bytesPerUpdate: {}, p99Age: {}, rssPerConn: {}, healthzP99: {} };
    for (const b of rows.filter((r) => r.scenario === id && r.system !== 'tickwire')) {
      q.cpuEfficiency[b.system] = div(tw.updatesPerCpuSecond, b.updatesPerCpuSecond);
      q.cpuEfficiencyNetIdle[b.system] = div(netIdle(tw), netIdle(b));
      q.bytesPerUpdate[b.system] = div(tw.bytesPerUpdate, b.bytesPerUpdate);
      q.p99Age[b.system] = div(tw.dataAgeMs.p99, b.dataAgeMs.p99);
      q.rssPerConn[b.system] = div(tw.rssPerConnKiB, b.rssPerConnKiB);
      q.healthzP99[b.system] = div(tw.healthzMs.p99, b.healthzMs.p99);
    }
    out.push(q);
  }
  return out;
}

/** Updates per server CPU-second with the idle cores (the feed alone) taken out of the CPU time. */
function netIdle(r: Row): number | null {
  if (r.serverCpuS === null || r.idleCores === null) return null;
  const net = r.serverCpuS - r.idleCores * r.durationS;
  return net > 0 ? (r.updatesPerS * r.durationS) / net : null;
}

const div = (a: number | null, b: number | null) => (a !== null && b !== null && b !== 0 && Number.isFinite(a / b) ? a / b : NaN);

const f = (v: number | null, d = 0) => (v === null || !Number.isFinite(v) ? 'n/a' : v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }));

export function markdown(rows: Row[], rs: Ratios[]): string {
  const lines = [
    '| scenario | system | clients | offered upd/s | delivered upd/s | share | server CPU s / M upd | age p50 / p99 / p99.9 ms | bytes / upd | RSS / conn KiB (from idle) | /healthz p50 / p99 ms |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const r of rows) {
    const a = r.dataAgeMs;
    lines.push(
      `| ${r.scenario} | ${r.system} | ${f(r.connected)} | ${f(r.offeredPerS)} | ${f(r.updatesPerS)} | ${f(r.deliveredShare * 100, 1)}% | ` +
        `${f(r.cpuSecondsPerMillion, 2)} | ${f(a.p50, 1)} / ${f(a.p99, 1)} / ${f(a.p999, 1)} | ${f(r.bytesPerUpdate, 1)} | ${f(r.rssPerConnKiB, 1)} (${f(r.rssPerConnFromIdleKiB, 1)}) | ` +
        `${f(r.healthzMs.p50, 1)} / ${f(r.healthzMs.p99, 1)}${r.healthzMs.failed ? ` (${r.healthzMs.failed} of ${r.healthzMs.sent} failed: ${r.healthzMs.errors?.join(', ')})` : ''} |`,
    );
  }
  lines.push(
    '',
    '| scenario | system | per-client upd/s p1 / p50 / p99 | min / max | p1 / p50 | Jain | RSS MiB idle / loaded / end |',
    '|---|---|--:|--:|--:|--:|--:|',
  );
  for (const r of rows) {
    const c = r.perClientRate;
    lines.push(
      `| ${r.scenario} | ${r.system} | ${f(c.p1, 1)} / ${f(c.p50, 1)} / ${f(c.p99, 1)} | ${f(c.minOverMax, 2)} | ${f(c.p1OverP50, 2)} | ${f(c.jain, 3)} | ` +
        `${f(r.rssIdleMiB)} / ${f(r.rssLoadedMiB)} / ${f(r.rssEndMiB)} |`,
    );
  }
  if (rs.length) {
    lines.push('', '| scenario | vs | updates per CPU-second (x) | same, net of idle (x) | bytes per update (x) | p99 age (x) | RSS per conn (x) | /healthz p99 (x) |', '|---|---|--:|--:|--:|--:|--:|--:|');
    for (const q of rs) {
      for (const b of Object.keys(q.cpuEfficiency) as SystemName[]) {
        lines.push(`| ${q.scenario} | ${b} | ${f(q.cpuEfficiency[b]!, 2)} | ${f(q.cpuEfficiencyNetIdle[b]!, 2)} | ${f(q.bytesPerUpdate[b]!, 2)} | ${f(q.p99Age[b]!, 2)} | ${f(q.rssPerConn[b]!, 2)} | ${f(q.healthzP99[b]!, 2)} |`);
      }
    }
  }
  return lines.join('\n') + '\n';
}
