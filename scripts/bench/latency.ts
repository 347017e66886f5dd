/**
 * Latency distributions in milliseconds, recorded into an HDR histogram at microsecond
 * resolution (3 significant digits). Negative values (clock noise) are recorded as 0 and counted.
 */
import * as hdr from 'hdr-histogram-js';

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
  /** Values below zero, recorded as 0. */
  negative: number;
}

export class Latency {
  readonly h = hdr.build({ numberOfSignificantValueDigits: 3, highestTrackableValue: 120_000_000 });
  negative = 0;

  record(ms: number): void {
    if (!(ms >= 0)) {
      this.negative++;
      ms = 0;
    }
    this.h.recordValue(Math.min(Math.round(ms * 1000), 120_000_000));
  }

  reset(): void {
    this.h.reset();
    this.negative = 0;
  }

  summary(): LatencySummary {
    const h = this.h;
    const at = (p: number) => (h.totalCount ? h.getValueAtPercentile(p) / 1000 : NaN);
    return {
      count: h.totalCount,
      p50: at(50),
      p90: at(90),
      p99: at(99),
      p999: at(99.9),
      max: h.totalCount ? h.maxValue / 1000 : NaN,
      mean: h.totalCount ? h.mean / 1000 : NaN,
      negative: this.negative,
    };
  }

  /** Latency at percentiles from 0 to 99.99, log-spaced in 1/(1-p): the HDR "percentile spectrum". */
  spectrum(): [number, number][] {
    const out: [number, number][] = [];
    if (this.h.totalCount === 0) return out;
    for (let k = 0; k <= 40; k++) {
      const p = 100 * (1 - 10 ** (-k / 10)); // 0, 20.6, 36.9, ... 99.99
      out.push([p, this.h.getValueAtPercentile(p) / 1000]);
    }
    out.push([100, this.h.maxValue / 1000]);
    return out;
  }
}
