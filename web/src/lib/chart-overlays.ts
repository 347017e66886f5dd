/**
 * The chart's indicator lines (SMA, EMA, VWAP) as lightweight-charts line series: added when
 * switched on, removed when off, recomputed from the chart's bars (indicators.ts). A live bar
 * moves only the last point (`update`); loads and trims redraw the lines.
 */
import { LineSeries, type IChartApi, type ISeriesApi, type LineData, type UTCTimestamp } from 'lightweight-charts';
import type { Candle } from '../../../shared/protocol.js';
import type { Overlay } from './chart-prefs.js';
import { ema, sma, vwap, type IndicatorPoint } from './indicators.js';

export interface OverlayView {
  sma: Overlay;
  ema: Overlay;
  vwap: boolean;
}

type Key = 'sma' | 'ema' | 'vwap';

/** One overlay's value at a bar, for the legend. */
export interface OverlayValue {
  key: Key;
  label: string;
  color: string;
  value: number | undefined;
}
const COLORS: Record<Key, string> = { sma: '#f0b429', ema: '#b37feb', vwap: '#58a6ff' };

export class ChartOverlays {
  readonly #chart: IChartApi;
  readonly #series = new Map<Key, ISeriesApi<'Line'>>();
  /** The points last drawn per line, and how many bars they were computed from. */
  readonly #drawn = new Map<Key, IndicatorPoint[]>();
  #bars = 0;
  #view: OverlayView = { sma: { on: false, period: 20 }, ema: { on: false, period: 50 }, vwap: false };

  constructor(chart: IChartApi) {
    this.#chart = chart;
  }

  /** Which lines are on, with their periods. Call `draw` afterwards. */
  set view(v: OverlayView) {
    this.#view = v;
    const on: Record<Key, boolean> = { sma: v.sma.on, ema: v.ema.on, vwap: v.vwap };
    for (const key of ['sma', 'ema', 'vwap'] as const) {
      const s = this.#series.get(key);
      if (on[key] && !s) {
        this.#series.set(key, this.#chart.addSeries(LineSeries, {
          color: COLORS[key], lineWidth: 2, priceLineVisible: false, lastValueVisible: false, crosshairMarkerVisible: false,
        }));
      } else if (!on[key] && s) {
        this.#chart.removeSeries(s);
        this.#series.delete(key);
        this.#drawn.delete(key);
      }
    }
  }

  /** The line's legend name: `SMA 20`, `EMA 50`, `VWAP`. */
  label(key: Key): string {
    return key === 'vwap' ? 'VWAP' : `${key.toUpperCase()} ${this.#view[key].period}`;
  }

  /** The lines that are on, with their colours and values at bar `i` of the last drawn bars. */
  valuesAt(i: number): OverlayValue[] {
    return [...this.#series.keys()].map((key) => {
      const pts = this.#drawn.get(key) ?? [];
      const j = i - (this.#bars - pts.length);
      return { key, label: this.label(key), color: COLORS[key], value: j >= 0 ? pts[j]?.value : undefined };
    });
  }

  /** Redraws every line from `bars`; `times` are their chart (zone-shifted) times. */
  draw(bars: readonly Candle[], times: readonly number[]): void {
    this.#bars = bars.length;
    for (const [key, s] of this.#series) {
      const pts = this.#points(key, bars);
      this.#drawn.set(key, pts);
      const off = bars.length - pts.length;
      s.setData(pts.map((p, j) => ({ time: times[j + off] as UTCTimestamp, value: p.value })));
    }
  }

  /** Moves the lines' last points to the last bar, drawn at chart time `time`. */
  updateLast(bars: readonly Candle[], time: number): void {
    this.#bars = bars.length;
    for (const [key, s] of this.#series) {
      const pts = this.#points(key, bars);
      this.#drawn.set(key, pts);
      const last = pts.at(-1);
      if (last && last.time === bars.at(-1)?.time) s.update({ time: time as UTCTimestamp, value: last.value } satisfies LineData<UTCTimestamp>);
    }
  }

  #points(key: Key, bars: readonly Candle[]): IndicatorPoint[] {
    if (key === 'sma') return sma(bars, this.#view.sma.period);
    if (key === 'ema') return ema(bars, this.#view.ema.period);
    return vwap(bars);
  }
}
