import { describe, expect, it } from 'vitest';
import type { SymbolInfo } from '../../shared/protocol.js';
import { Beat, LaneBeat, laneOf, PhasedSlot } from '../../web/src/lib/cadence.js';
import { FlashGate } from '../../web/src/lib/flash-gate.js';
import { formatBytes, formatChange, formatCompact, formatMs, formatPct, formatPrice } from '../../web/src/lib/format.js';
import { FrameLoop } from '../../web/src/lib/frame-loop.js';
import { describeStatus } from '../../web/src/lib/status-label.js';
import { searchSymbols } from '../../web/src/lib/symbol-search.js';

describe('FlashGate', () => {
  it('allows at most three flashes a second', () => {
    const g = new FlashGate();
    let n = 0;
    for (let t = 0; t < 1000; t += 16) if (g.allow(t)) n++;
    expect(n).toBe(3);
  });
});

describe('screen cadence', () => {
  const frames = (ms: number) => Array.from({ length: Math.round(ms / (1000 / 60)) }, (_, i) => (i * 1000) / 60);

  it('beats every sixth frame at 60 Hz for 100 ms, on time despite frame jitter', () => {
    const beat = new Beat(100);
    const on = frames(1000).filter((t) => beat.take(t));
    expect(on.length).toBe(10);
    const jittery = new Beat(100);
    // Frames 1 ms early or late: still one beat in six frames, never two within 96 ms.
    const times = frames(2000).map((t, i) => t + (i % 2 ? 1 : -1));
    const beats = times.filter((t) => jittery.take(t));
    expect(beats.length).toBe(20);
    for (let i = 1; i < beats.length; i++) expect(beats[i] - beats[i - 1]).toBeGreaterThanOrEqual(96);
  });

  it('takes two lanes in turn, each every 100 ms, 50 ms apart', () => {
    const beat = new LaneBeat(100, 2);
    const taken = frames(1000).map((t) => [t, beat.take(t)] as const).filter(([, lane]) => lane >= 0);
    expect(taken.map(([, lane]) => lane)).toEqual(Array.from({ length: 20 }, (_, i) => i % 2));
    for (let i = 2; i < taken.length; i++) expect(taken[i][0] - taken[i - 2][0]).toBeCloseTo(100, 0);
    // Rows split into contiguous blocks, one per lane.
    expect(Array.from({ length: 7 }, (_, i) => laneOf(i, 7, 2))).toEqual([0, 0, 0, 0, 1, 1, 1]);
    expect(laneOf(0, 0, 2)).toBe(0);
  });

  it('takes a phased slot once per period, and spreads keys over the period', () => {
    const slot = new PhasedSlot(500, 'AAPL');
    const taken = frames(5000).filter((t) => slot.take(t));
    expect(taken.length).toBeGreaterThanOrEqual(10);
    expect(taken.length).toBeLessThanOrEqual(11);
    // The first take is at once; from then on one per period, at the key's phase.
    for (let i = 2; i < taken.length; i++) expect(taken[i] - taken[i - 1]).toBeGreaterThan(480);
    expect(Math.round(taken[1] + slot.phase) % 500).toBeLessThan(17);
    // 30 symbols on 100 ms beats: their slots fall on different beats, not all on one.
    const phases = Array.from({ length: 30 }, (_, i) => new PhasedSlot(500, `SYM${i}`).phase);
    const perBeat = [0, 1, 2, 3, 4].map((b) => phases.filter((p) => Math.floor(p / 100) === b).length);
    expect(Math.max(...perBeat)).toBeLessThan(15);
    expect(new PhasedSlot(500, 'AAPL').phase).toBe(slot.phase);
  });
});

describe('FrameLoop', () => {
  const fakeRaf = () => {
    const queue: FrameRequestCallback[] = [];
    return { raf: (cb: FrameRequestCallback) => queue.push(cb), run: (t: number) => queue.splice(0).forEach((cb) => cb(t)), queue };
  };

  it('runs every task once per requested frame, however many requests', () => {
    const f = fakeRaf();
    const loop = new FrameLoop(f.raf);
    let runs = 0;
    loop.add(() => runs++);
    loop.request();
    loop.request();
    loop.request();
    expect(f.queue).toHaveLength(1);
    f.run(16);
    expect(runs).toBe(1);
    f.run(32);
    expect(runs).toBe(1);
  });

  it('holds frames while paused and catches up once on resume', () => {
    const f = fakeRaf();
    const loop = new FrameLoop(f.raf);
    let runs = 0;
    loop.add(() => runs++);
    loop.paused = true;
    loop.request();
    expect(f.queue).toHaveLength(0);
    loop.paused = false;
    f.run(16);
    expect(runs).toBe(1);
  });
});

describe('format', () => {
  it('formats prices, changes and percentages with signs', () => {
    expect(formatPrice(104500.5, 2)).toBe('104,500.50');
    expect(formatPrice(undefined, 2)).toBe('—');
    expect(formatChange(1.5, 2)).toBe('+1.50');
    expect(formatChange(-0.25, 2)).toBe('−0.25');
    expect(formatChange(0.001, 2)).toBe('0.00');
    expect(formatPct(1.234)).toBe('+1.23%');
    expect(formatPct(-0.5)).toBe('−0.50%');
  });

  it('formats volumes, bytes and milliseconds compactly', () => {
    expect(formatCompact(950)).toBe('950');
    expect(formatCompact(12_340)).toBe('12.3K');
    expect(formatCompact(4_560_000)).toBe('4.56M');
    expect(formatCompact(0.0042)).toBe('0.0042');
    expect(formatCompact(2.5)).toBe('2.50');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(2048)).toBe('2.00 KB');
    expect(formatMs(3.14159)).toBe('3.1');
    expect(formatMs(2)).toBe('2');
    expect(formatMs(0)).toBe('0');
    expect(formatMs(250.6)).toBe('251');
    expect(formatMs(NaN)).toBe('—');
  });
});

describe('searchSymbols', () => {
  const all = [
    { symbol: 'AAPL', name: 'Apple Inc.' },
    { symbol: 'BTC-USD', name: 'Bitcoin' },
    { symbol: 'PLTR', name: 'Palantir Technologies' },
    { symbol: 'AMD', name: 'Advanced Micro Devices' },
    { symbol: 'A', name: 'Agilent' },
  ] as SymbolInfo[];

  it('ranks the exact symbol, then prefixes, then names', () => {
    expect(searchSymbols(all, 'a').map((s) => s.symbol)).toEqual(['A', 'AAPL', 'AMD', 'PLTR']);
    expect(searchSymbols(all, 'bitc').map((s) => s.symbol)).toEqual(['BTC-USD']);
    expect(searchSymbols(all, 'btcusd').map((s) => s.symbol)).toEqual(['BTC-USD']);
  });

  it('leaves out symbols already watched, and matches nothing for an empty query', () => {
    expect(searchSymbols(all, 'aapl', ['AAPL'])).toEqual([]);
    expect(searchSymbols(all, '  ')).toEqual([]);
  });
});

describe('describeStatus', () => {
  it('names live, fallback, reconnecting and closed states', () => {
    expect(describeStatus({ state: 'live', url: 'u', transport: 'ws', fallback: false })).toMatchObject({ kind: 'live', label: 'Live · WebSocket' });
    expect(describeStatus({ state: 'live', url: 'u', transport: 'sse', fallback: true }).kind).toBe('fallback');
    expect(describeStatus({ state: 'live', url: 'u', transport: 'sse', fallback: false }).label).toBe('Live · SSE');
    expect(describeStatus({ state: 'reconnecting', attempt: 2, delayMs: 1500, reason: 'closed' })).toMatchObject({ kind: 'reconnecting' });
    expect(describeStatus({ state: 'closed' }).kind).toBe('closed');
  });
});
