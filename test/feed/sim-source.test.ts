import { afterEach, describe, expect, it } from 'vitest';
import { SimSource, type SimSourceOptions } from '../../server/feed/sim-source.js';
import { WAKE_MIN_MS } from '../../server/feed/wake-plan.js';
import type { MarketEvent, TickSource } from '../../server/feed/tick-source.js';
import { sleep, until } from '../helpers/wait.js';

const T0 = Date.UTC(2027, 5, 1, 12, 0, 0);

/**
 * A SimSource on a hand-driven clock and scheduler: `advance(ms)` moves time, running each
 * timer the source set when its time comes (a 0 ms timer runs at the same time).
 */
function manual(opts: Partial<SimSourceOptions> = {}, during?: () => void) {
  let now = T0;
  let pending: { fn: () => void; at: number } | undefined;
  const delays: number[] = [];
  const cleared: unknown[] = [];
  const source = new SimSource({
    symbols: 20,
    rate: 50,
    seed: 'manual',
    now: () => now,
    setTimer: (fn, ms) => {
      pending = { fn, at: now + ms };
      delays.push(ms);
      return 'handle';
    },
    clearTimer: (h) => cleared.push(h),
    ...opts,
  });
  const batches: { at: number; events: MarketEvent[] }[] = [];
  source.start((events) => {
    batches.push({ at: now, events });
    during?.();
  });
  const run = () => {
    const p = pending!;
    pending = undefined;
    now = Math.max(now, p.at);
    p.fn();
  };
  const advance = (ms: number): void => {
    const end = now + ms;
    while (pending && pending.at <= end) run();
    now = Math.max(now, end);
  };
  /** Moves the clock `ms` at once (a stall), then runs the timer. */
  const jump = (ms: number): void => {
    now += ms;
    run();
  };
  return { source, batches, advance, jump, cleared, delays, move: (ms: number) => (now += ms), events: () => batches.flatMap((b) => b.events) };
}

// Generous timeouts: shared CI machines are slow.
describe('SimSource', { timeout: 30_000 }, () => {
  const started: TickSource[] = [];
  afterEach(() => {
    for (const s of started.splice(0)) s.stop();
  });

  it('emits about `rate` events per symbol per second, for every symbol', () => {
    const { source, advance, events } = manual();
    advance(10_000);
    const all = events();
    expect(all.length).toBeGreaterThan(0.95 * 20 * 50 * 10);
    expect(all.length).toBeLessThan(1.05 * 20 * 50 * 10);
    for (const inst of source.instruments) {
      const n = all.filter((e) => e.symbol === inst.symbol).length;
      expect(n, inst.symbol).toBeGreaterThan(380); // 500 expected, Poisson sd ~22
      expect(n, inst.symbol).toBeLessThan(620);
    }
  });

  it('keeps low and high rates on target', () => {
    for (const rate of [0.5, 400]) {
      const { advance, events } = manual({ symbols: 10, rate });
      const seconds = rate < 1 ? 400 : 2;
      advance(seconds * 1000);
      const expected = 10 * rate * seconds;
      expect(events().length, `rate ${rate}`).toBeGreaterThan(0.9 * expected);
      expect(events().length, `rate ${rate}`).toBeLessThan(1.1 * expected);
    }
  });

  it('emits batches in time order, stamped no later than the clock', () => {
    const { batches, advance } = manual({ rate: 300 });
    advance(2000);
    let prev = -Infinity;
    const lastBySymbol = new Map<string, number>();
    const bad: string[] = [];
    for (const { at, events } of batches) {
      if (events.length === 0) bad.push(`empty batch at ${at}`);
      for (const e of events) {
        if (e.ts < prev || e.ts > at || e.ts <= (lastBySymbol.get(e.symbol) ?? T0)) bad.push(`${e.symbol} ${e.ts} at ${at}`);
        prev = e.ts;
        lastBySymbol.set(e.symbol, e.ts);
      }
    }
    expect(bad.slice(0, 5)).toEqual([]);
    expect(lastBySymbol.size).toBe(20);
    // At 300/s a symbol sometimes has several events in one wake.
    expect(batches.some((b) => new Set(b.events.map((e) => e.symbol)).size < b.events.length)).toBe(true);
  });

  it('stamps events at emission, so how late the timer fired adds nothing to their age', () => {
    const { batches, advance } = manual({ symbols: 20, rate: 300 });
    advance(1000);
    const late = batches.flatMap(({ at, events }) => events.filter((e) => e.ts > at || e.ts < at - 0.01).map((e) => `${e.symbol} ${e.ts} at ${at}`));
    expect(late.slice(0, 5)).toEqual([]);
    expect(batches.length).toBeGreaterThan(50);
  });

  it('skips ahead instead of bursting after a stall', () => {
    const { batches, advance, jump } = manual();
    advance(1000);
    const before = batches.length;
    jump(60_000);
    const burst = batches.slice(before).flatMap((b) => b.events);
    expect(burst.length).toBeLessThan(1.3 * 20 * 50 * 0.25); // about 250 ms' worth (maxLagMs), not sixty seconds'
    expect(burst.length).toBeGreaterThan(0.7 * 20 * 50 * 0.25);
    expect(Math.min(...burst.map((e) => e.ts))).toBeGreaterThanOrEqual(T0 + 61_000 - 250);
  });

  it('times each wake to the next due event: a sparse feed wakes about once per event', () => {
    const { batches, advance, delays } = manual({ symbols: 3, rate: 2 });
    advance(20_000);
    const events = batches.reduce((n, b) => n + b.events.length, 0);
    expect(events).toBeGreaterThan(80); // 120 expected
    // Every wake but a few carries an event (no empty beats), and the waits follow the gaps.
    const wakes = delays.length;
    expect(wakes).toBeLessThan(events + 5);
    expect(new Set(delays).size).toBeGreaterThan(20);
    expect(Math.max(...delays)).toBeGreaterThan(100);
  });

  it('wakes at most once a millisecond when events are denser than that', () => {
    const { batches, advance, delays } = manual({ symbols: 500, rate: 10 }); // 5 events per ms
    advance(1000);
    expect(delays.every((ms) => ms >= WAKE_MIN_MS)).toBe(true);
    expect(batches.length).toBeLessThanOrEqual(1000 / WAKE_MIN_MS + 1);
    expect(batches.length).toBeGreaterThan(900); // something due at nearly every wake
  });

  it('asks for the next turn of the event loop when events fell due during a wake', () => {
    let busy = true;
    const m = manual({ symbols: 500, rate: 10 }, () => {
      if (busy) m.move(5); // the consumer took 5 ms
    });
    m.advance(2);
    expect(m.delays.at(-1)).toBe(0);
    busy = false;
    const wakes = m.batches.length;
    m.advance(0); // the 0 ms timer runs now, and catches up
    expect(m.batches.length).toBeGreaterThan(wakes);
    expect(m.delays.at(-1)).toBeGreaterThanOrEqual(WAKE_MIN_MS);
  });

  it('takes only a budget of the oldest events per wake when handing them on is costly, and the rest on the next turns, in order, none lost', () => {
    // The consumer takes 0.05 ms per event, on the work clock and the feed's clock alike.
    let work = 0;
    const m = manual({ symbols: 200, rate: 50, wakeBudgetMs: 8, workClock: () => work }, () => {
      const ms = 0.05 * m.batches.at(-1)!.events.length;
      work += ms;
      m.move(ms);
    });
    m.jump(100); // about 1,000 events due: the first wake, before any cost is known, takes them all
    const firstWake = m.events().length;
    expect(firstWake).toBeGreaterThan(700);
    m.jump(100); // as many again: now about 160 (8 ms / 0.05 ms) per wake, each next one on the next turn
    const sizes = [m.events().length - firstWake];
    while (m.delays.at(-1) === 0 && sizes.length < 100) {
      const before = m.events().length;
      m.advance(0);
      sizes.push(m.events().length - before);
    }
    expect(sizes.length).toBeGreaterThan(4);
    expect(Math.max(...sizes)).toBeLessThan(260);
    // Caught up with nothing skipped: the lag stayed within maxLagMs.
    expect(m.delays.at(-1)).toBeGreaterThan(0);
    expect(m.events().length - firstWake).toBeGreaterThan(0.7 * firstWake);
    // Per symbol, stamps rise across the wakes.
    const last = new Map<string, number>();
    for (const e of m.events()) {
      expect(e.ts).toBeGreaterThan(last.get(e.symbol) ?? -Infinity);
      last.set(e.symbol, e.ts);
    }
  });

  it('keeps a fixed beat when asked for one (the baselines\' 10 ms feed)', () => {
    const { batches, advance, delays } = manual({ tickMs: 10 });
    advance(1000);
    expect(new Set(delays.slice(1))).toEqual(new Set([10]));
    expect(batches.length).toBeGreaterThanOrEqual(99);
    expect(new Set(batches.map((b) => b.at % 10))).toEqual(new Set([T0 % 10]));
  });

  it('replays the same events for the same seed and clock', () => {
    const a = manual({ symbols: 8 });
    const b = manual({ symbols: 8 });
    const c = manual({ symbols: 8, seed: 'other' });
    for (const m of [a, b, c]) m.advance(500);
    expect(a.events()).toEqual(b.events());
    expect(a.events()).not.toEqual(c.events());
    expect(a.source.history('AAPL')).toEqual(b.source.history('AAPL'));
  });

  it('starts live prices from the history', () => {
    const { source, advance, events } = manual({ symbols: 48 });
    advance(200);
    for (const inst of source.instruments) {
      const first = events().find((e) => e.symbol === inst.symbol);
      if (!first) continue;
      const mid = (first.quote.bid + first.quote.ask) / 2;
      expect(Math.abs(mid / source.history(inst.symbol).last - 1), inst.symbol).toBeLessThan(0.002);
    }
    expect(source.history('AAPL').bars['1s'].at(-1)!.time).toBe(Math.floor(T0 / 1000));
  });

  it('rejects rates outside 0.1..1000 and empty universes', () => {
    expect(() => new SimSource({ symbols: 5, rate: 0.05, seed: 1 })).toThrow(RangeError);
    expect(() => new SimSource({ symbols: 5, rate: 1001, seed: 1 })).toThrow(RangeError);
    expect(() => new SimSource({ symbols: 0, rate: 1, seed: 1 })).toThrow(RangeError);
  });

  it('clears its timer on stop and refuses a double start', () => {
    const { source, cleared } = manual();
    expect(() => source.start(() => {})).toThrow(/already started/);
    source.stop();
    source.stop();
    expect(cleared).toEqual(['handle']);
  });

  it('runs on a real timer and stops', async () => {
    const source = new SimSource({ symbols: 5, rate: 200, seed: 'real' });
    started.push(source);
    let count = 0;
    source.start((events) => {
      count += events.length;
    });
    // Rates are checked on the fake clock above; a real timer on a shared machine is only checked to run.
    await until('50 events', () => count >= 50, 5000).catch(() => {});
    source.stop();
    expect(count).toBeGreaterThanOrEqual(50);
    const after = count;
    await sleep(100); // a window in which a stopped source may emit nothing
    expect(count).toBe(after);
  });

  it('back-fills a 500-symbol universe at start (time printed, not asserted)', () => {
    const source = new SimSource({ symbols: 500, rate: 10, seed: 'big', setTimer: () => 0, clearTimer: () => {} });
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    source.start(() => {});
    const cpu = process.cpuUsage(cpu0);
    console.log(
      `SimSource back-fill of 500 symbols: ${(performance.now() - t0).toFixed(0)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms cpu`,
    );
    expect(source.history('SYM499').bars['1m'].length).toBeGreaterThanOrEqual(1441);
  }, 60_000);
});
