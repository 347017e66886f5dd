/**
 * The lightweight-charts 5 chart of one symbol: candlesticks over a volume histogram. Owns the
 * chart from `new` to `destroy()`; data is pushed in with `load` and `update`. Bounded and
 * tolerant: a bar older than the last is ignored. Never touched after `destroy()`.
 */
import {
  CandlestickSeries,
  ColorType,
  CrosshairMode,
  HistogramSeries,
  createChart,
  type CandlestickData,
  type HistogramData,
  type IChartApi,
  type ISeriesApi,
  type MouseEventParams,
  type UTCTimestamp,
} from 'lightweight-charts';
import type { Candle } from '../../../shared/protocol.js';
import { BarBuffer } from './bar-buffer.js';
import { formatPrice } from './format.js';
import { THEME } from './theme.js';

const candle = (b: Candle): CandlestickData<UTCTimestamp> => ({
  time: b.time as UTCTimestamp, open: b.open, high: b.high, low: b.low, close: b.close,
});
const volume = (b: Candle): HistogramData<UTCTimestamp> => ({
  time: b.time as UTCTimestamp, value: b.volume, color: b.close >= b.open ? THEME.upVolume : THEME.downVolume,
});

/** Called with the bar under the crosshair, or the last bar when the crosshair leaves. */
export type LegendListener = (bar: Candle | undefined, hovering: boolean) => void;

export class CandleChart {
  readonly #el: HTMLElement;
  readonly #chart: IChartApi;
  readonly #candles: ISeriesApi<'Candlestick'>;
  readonly #volume: ISeriesApi<'Histogram'>;
  readonly #buffer: BarBuffer;
  #hovering = false;
  #decimals = 2;
  #destroyed = false;
  #legend: LegendListener = () => {};

  constructor(el: HTMLElement, cap = 1500) {
    this.#el = el;
    this.#buffer = new BarBuffer(cap);
    this.#chart = createChart(el, {
      autoSize: true,
      layout: {
        background: { type: ColorType.Solid, color: THEME.panel },
        textColor: THEME.muted,
        fontSize: 11,
        fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
      },
      grid: { vertLines: { color: THEME.grid }, horzLines: { color: THEME.grid } },
      crosshair: { mode: CrosshairMode.Normal },
      // The instrument's decimals, with thousands separators: 104,500.00 like the watchlist.
      localization: { priceFormatter: (p: number) => formatPrice(p, this.#decimals) },
      rightPriceScale: { borderColor: THEME.border, scaleMargins: { top: 0.08, bottom: 0.26 } },
      timeScale: { borderColor: THEME.border, timeVisible: true, secondsVisible: true, rightOffset: 4 },
    });
    this.#candles = this.#chart.addSeries(CandlestickSeries, {
      upColor: THEME.up, downColor: THEME.down, borderVisible: false, wickUpColor: THEME.up, wickDownColor: THEME.down,
    });
    this.#volume = this.#chart.addSeries(HistogramSeries, { priceFormat: { type: 'volume' }, priceScaleId: '', lastValueVisible: false, priceLineVisible: false });
    this.#volume.priceScale().applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    this.#chart.subscribeCrosshairMove(this.#onCrosshair);
  }

  /** Sets the legend callback (called at once with the current last bar). */
  onLegend(fn: LegendListener): void {
    this.#legend = fn;
    fn(this.#buffer.last, false);
  }

  /** Shows prices with `decimals` places (the instrument's tick). */
  setDecimals(decimals: number): void {
    if (this.#destroyed) return;
    this.#decimals = decimals;
    this.#candles.applyOptions({ priceFormat: { type: 'price', precision: decimals, minMove: 10 ** -decimals } });
  }

  /** Replaces all bars (history), with time-axis seconds shown for short intervals. */
  load(bars: readonly Candle[], intervalSec: number): void {
    if (this.#destroyed) return;
    this.#chart.applyOptions({ timeScale: { secondsVisible: intervalSec < 60 } });
    this.#redraw(this.#buffer.load(bars));
    this.#chart.timeScale().scrollToRealTime();
  }

  /** Applies one live bar: same time replaces the last, newer appends, older is ignored. */
  update(bar: Candle): void {
    if (this.#destroyed) return;
    const change = this.#buffer.apply(bar);
    if (change === 'ignore') return;
    if (change === 'reset') {
      const range = this.#chart.timeScale().getVisibleLogicalRange();
      this.#redraw(this.#buffer.bars);
      if (range) this.#chart.timeScale().setVisibleLogicalRange(range);
    } else {
      const b = this.#buffer.last!;
      this.#candles.update(candle(b));
      this.#volume.update(volume(b));
      this.#mark();
    }
    if (!this.#hovering) this.#legend(this.#buffer.last, false);
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#chart.unsubscribeCrosshairMove(this.#onCrosshair);
    this.#chart.remove();
  }

  #redraw(bars: readonly Candle[]): void {
    this.#candles.setData(bars.map(candle));
    this.#volume.setData(bars.map(volume));
    this.#mark();
    if (!this.#hovering) this.#legend(this.#buffer.last, false);
  }

  // Attributes for tests and tools: how many bars, and the live bar's time and close.
  #mark(): void {
    const last = this.#buffer.last;
    this.#el.dataset.bars = String(this.#buffer.bars.length);
    this.#el.dataset.lastTime = last ? String(last.time) : '';
    this.#el.dataset.lastClose = last ? String(last.close) : '';
  }

  readonly #onCrosshair = (p: MouseEventParams): void => {
    const d = p.time !== undefined && p.point ? (p.seriesData.get(this.#candles) as CandlestickData | undefined) : undefined;
    if (d && 'open' in d) {
      const vol = p.seriesData.get(this.#volume) as HistogramData | undefined;
      this.#hovering = true;
      this.#legend({ time: d.time as number, open: d.open, high: d.high, low: d.low, close: d.close, volume: vol?.value ?? NaN }, true);
    } else {
      this.#hovering = false;
      this.#legend(this.#buffer.last, false);
    }
  };
}
