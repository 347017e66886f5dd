import { describe, expect, it } from 'vitest';
import { percentile, RateMeter, SampleWindow, TransportStats } from '../../web/src/lib/stats.js';

describe('percentile (nearest rank)', () => {
  const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1); // 1..100

  it('gives the smallest value with at least p% of values at or below it', () => {
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 95)).toBe(95);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([1, 2, 3], 50)).toBe(2);
  });

  it('is NaN for no values and clamps p', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(percentile([1, 2], -5)).toBe(1);
    expect(percentile([1, 2], 500)).toBe(2);
  });
});

describe('SampleWindow', () => {
  it('keeps only the samples of the last windowMs', () => {
    const w = new SampleWindow(1000);
    w.add(0, 10);
    w.add(500, 20);
    w.add(1200, 30);
    expect([...w.sorted(1200)]).toEqual([20, 30]);
    expect([...w.sorted(1600)]).toEqual([30]);
    expect(w.sum(5000)).toBe(0);
  });

  it('computes percentiles of unsorted input', () => {
    const w = new SampleWindow(10_000);
    for (const v of [5, 1, 4, 2, 3]) w.add(0, v);
    expect(w.percentiles(0, [50, 99])).toEqual([3, 5]);
  });

  it('drops the oldest samples beyond its capacity and ignores non-finite values', () => {
    const w = new SampleWindow(10_000, 3);
    for (let i = 1; i <= 5; i++) w.add(i, i);
    w.add(6, NaN);
    expect(w.size).toBe(3);
    expect([...w.sorted(6)]).toEqual([3, 4, 5]);
  });
});

describe('RateMeter', () => {
  it('measures a steady rate over its window', () => {
    const r = new RateMeter(5000);
    for (let t = 100; t <= 10_000; t += 100) r.add(t, 1); // 10 per second, window (5 s, 10 s]
    expect(r.rate(10_000)).toBeCloseTo(10, 5);
  });

  it('divides by the time elapsed so far before a whole window has passed', () => {
    const r = new RateMeter(10_000);
    for (let t = 0; t < 2000; t += 50) r.add(t, 100); // 2000 per second
    expect(r.rate(2000)).toBeCloseTo(2000, 5);
  });

  it('is 0 before any event and falls to 0 when events stop', () => {
    const r = new RateMeter(1000);
    expect(r.rate(0)).toBe(0);
    r.add(0, 5);
    expect(r.rate(10_000)).toBe(0);
  });
});

describe('TransportStats', () => {
  it('summarises latency, age, messages/s and bytes/s', () => {
    const s = new TransportStats(10_000);
    for (let i = 0; i < 100; i++) s.record(i * 10, { transportMs: i + 1, ageMs: 2 * (i + 1), bytes: 50 });
    const sum = s.summary(1000);
    expect(sum.latency).toEqual({ p50: 50, p95: 95, p99: 99 });
    expect(sum.age).toEqual({ p50: 100, p95: 190, p99: 198 });
    expect(sum.messagesPerSec).toBeCloseTo(100, 5);
    expect(sum.bytesPerSec).toBeCloseTo(5000, 5);
    expect(sum.messages).toBe(100);
  });

  it('reports NaN quantiles when nothing was received', () => {
    const sum = new TransportStats().summary(0);
    expect(sum.latency.p50).toBeNaN();
    expect(sum.messagesPerSec).toBe(0);
  });
});
