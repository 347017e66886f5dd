/** The Markdown report of `npm run compare`. */
import type { PhaseResult } from './phase.js';

const f = (v: number | null | undefined, d = 2) =>
  v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

export function compareMarkdown(
  meta: { clients: number; symbolsPer: number; throttle: number; durationS: number; feedRate: number; feedSymbols: number; started: string; node: string },
  clock: { avoided: string | null; note: string; estimates: Record<string, { estimateMs: number; rttMs: number; samples: number } | null> },
  rs: PhaseResult[],
  sseOverWsCpu: number | null,
): string {
  const L = [
    '# WebSocket vs SSE',
    '',
    `${meta.clients} clients per transport x ${meta.symbolsPer} symbols (ticker), throttle ${meta.throttle} ms, ` +
      `FEED_RATE=${meta.feedRate}, FEED_SYMBOLS=${meta.feedSymbols}, ${meta.durationS} s per transport, one transport after the other. ` +
      `Started ${meta.started}, Node ${meta.node}.`,
    '',
    '| transport | measure | p50 | p90 | p99 | p99.9 | max | samples |',
    '|---|---|--:|--:|--:|--:|--:|--:|',
  ];
  for (const r of rs) {
    for (const [name, s] of [['transport latency, ms (now - t)', r.transportLatencyMs], ['data age, ms (now - ts)', r.dataAgeMs]] as const) {
      L.push(`| ${r.transport} | ${name} | ${f(s.p50)} | ${f(s.p90)} | ${f(s.p99)} | ${f(s.p999)} | ${f(s.max)} | ${s.count.toLocaleString('en-US')} |`);
    }
  }
  L.push('', '| transport | updates/s | frames/s | bytes / update | server CPU s / M updates | client cores | note |', '|---|--:|--:|--:|--:|--:|---|');
  for (const r of rs) {
    L.push(`| ${r.transport} | ${f(r.updatesPerS, 0)} | ${f(r.framesPerS, 0)} | ${f(r.bytesPerUpdate, 1)} | ${f(r.cpuSecondsPerMillion)} | ${f(r.clientCores)} | ${r.error ?? ''} |`);
  }
  if (sseOverWsCpu !== null) L.push('', `SSE costs ${f(sseOverWsCpu)}x WebSocket's server CPU per update.`);
  L.push('', '**Clock offset.** ' + (clock.avoided ? `Avoided: ${clock.avoided}.` : 'Not avoided: the server is not on this host; see the estimate.'));
  for (const [t, e] of Object.entries(clock.estimates)) {
    L.push(`- measured with ping \`t\` against pong \`t\` over ${t}: ${e ? `${f(e.estimateMs)} ms (best round trip ${f(e.rttMs)} ms, ${e.samples} pongs)` : 'no pongs'}`);
  }
  L.push(`- ${clock.note}.`, '', 'Bytes: WebSocket frames with their headers; SSE event text (`event:`/`data:` lines), without HTTP chunk framing.', '');
  return L.join('\n');
}
