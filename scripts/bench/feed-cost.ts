/**
 * The feed's own cost, without sockets: SimSource on a simulated clock feeding a quiet
 * MarketState (ROLE=all with no client), as fast as it goes. Reports CPU microseconds per
 * event, the heap promoted per simulated second (old space growth between major GCs is what
 * makes scavenges and mark-compacts expensive), median of `--runs`. What scenario F's idle CPU
 * is made of, measurable in seconds:
 * `tsx scripts/bench/feed-cost.ts [--symbols 10000] [--rate 5] [--seconds 20] [--runs 3] [--loud] [--tick-ms N]`
 * (`--loud`: every symbol watched, as if each had had a snapshot; `--tick-ms`: SimSource's fixed
 * beat instead of wakes timed to due events). The clock moves by each delay the source asks for.
 */
import { parseArgs } from 'node:util';
import { PerformanceObserver } from 'node:perf_hooks';
import { SimSource } from '../../server/feed/sim-source.js';
import { MarketState } from '../../server/market/market-state.js';
import type { StreamEvent } from '../../server/market/stream-event.js';

const { values } = parseArgs({
  options: {
    symbols: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '20' },
    runs: { type: 'string', default: '3' },
    loud: { type: 'boolean', default: false },
    'tick-ms': { type: 'string' },
  },
});
const symbols = Number(values.symbols);
const rate = Number(values.rate);
const seconds = Number(values.seconds);

let gcMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcMs += e.duration;
}).observe({ entryTypes: ['gc'] });

interface Run {
  usPerEvent: number;
  gcShare: number;
  events: number;
  wakes: number;
}

async function run(): Promise<Run> {
  let now = Date.UTC(2026, 11, 1, 14, 0, 0);
  let tick: () => void = () => {};
  let delay = 1;
  const tickMs = values['tick-ms'] ? Number(values['tick-ms']) : undefined;
  const setTimer = (fn: () => void, ms: number) => ((tick = fn), (delay = ms), 1);
  const src = new SimSource({ symbols, rate, seed: 'bench', now: () => now, tickMs, setTimer, clearTimer: () => {}, maxLagMs: 1e9 });
  const market = new MarketState(values.loud ? {} : { quiet: { bookOf: (s) => src.history(s).book! } });
  for (const inst of src.instruments) market.addSymbol(inst.symbol, src.history(inst.symbol));
  if (values.loud) for (const inst of src.instruments) market.snapshot(inst.symbol, 'ticker');
  let events = 0;
  const out: StreamEvent[] = [];
  src.start((batch) => {
    out.length = 0;
    for (const e of batch) market.apply(e, out);
    events += batch.length;
  });
  /** Runs the source's timer until `ms` simulated ms have passed; returns the wakes. */
  const simulate = (ms: number): number => {
    let wakes = 0;
    for (const end = now + ms; now < end; wakes++) (now += delay), tick();
    return wakes;
  };
  // Warm-up: one simulated second (JIT, the first bars and trades).
  simulate(1000);
  events = 0;
  gcMs = 0;
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  const wakes = simulate(seconds * 1000);
  const c = process.cpuUsage(c0);
  const wall = performance.now() - w0;
  src.stop();
  await new Promise((r) => setTimeout(r, 50)); // the GC entries arrive asynchronously
  return { usPerEvent: (c.user + c.system) / events, gcShare: gcMs / wall, events, wakes };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const runs: Run[] = [];
for (let i = 0; i < Number(values.runs); i++) {
  runs.push(await run());
  const r = runs.at(-1)!;
  console.log(`run ${i + 1}: ${r.usPerEvent.toFixed(2)} µs CPU / event, GC ${(r.gcShare * 100).toFixed(1)}% of wall, ${r.events} events in ${r.wakes} wakes`);
}
const us = median(runs.map((r) => r.usPerEvent));
console.log(
  `median: ${us.toFixed(2)} µs CPU per event (all threads), GC ${(median(runs.map((r) => r.gcShare)) * 100).toFixed(1)}% of wall; ` +
    `${symbols} symbols x ${rate}/s = ${(symbols * rate).toLocaleString('en-US')} events/s would take ${((us * symbols * rate) / 1e4).toFixed(0)}% of a core`,
);
