/**
 * The lightweight-charts 5 chart of one symbol: prices (candles, a line or an area) over a
 * volume histogram, with indicator lines (chart-overlays.ts), a linear or log price scale and
 * times in one zone. Owns the chart from `new` to `destroy()`; data is pushed in with `load`
 * and `update`. Bounded and tolerant: a bar older than the last is ignored. Never touched
 * after `destroy()`.
 *
 * The newest bar stays in view: after a load, and whenever the chart comes back from zero
 * width (a hidden tab shown), it scrolls to the real-time edge, so the price label (the last
 * visible bar's close) and the legend (the last bar's) show the same bar.
 */
import {
  AreaSeries,
  CandlestickSeries,
  ColorType,
  CrosshairMode,
  HistogramSeries,
  LineSeries,
  PriceScaleMode,
  createChart,
  type HistogramData,
  type IChartApi,
  type ISeriesApi,
  type MouseEventParams,
  type SeriesType,
  type UTCTimestamp,
} from 'lightweight-charts';
import type { Candle } from '../../../shared/protocol.js';
import { BarBuffer } from './bar-buffer.js';
import { ChartOverlays, type OverlayValue, type OverlayView } from './chart-overlays.js';
import type { ChartStyle } from './chart-prefs.js';
import { formatPrice } from './format.js';
import { THEME } from './theme.js';
import { ZoneShift } from './time-zone.js';

/**
 * Called with the bar under the crosshair (or the last bar when the crosshair leaves) and the
 * overlays' values at that bar.
 */
export type LegendListener = (bar: Candle | undefined, hovering: boolean, overlays: OverlayValue[]) => void;

/** How the chart draws: style, scale, overlays and the IANA zone of its time axis. */
export interface ChartView extends OverlayView {
  style: ChartStyle;
  log: boolean;
  zone: string;
}

export class CandleChart {
  readonly #el: HTMLElement;
  readonly #chart: IChartApi;
  #price: ISeriesApi<SeriesType>;
  readonly #volume: ISeriesApi<'Histogram'>;
  readonly #overlays: ChartOverlays;
  readonly #buffer: BarBuffer;
  readonly #resize: ResizeObserver;
  /** Chart (zone-shifted) time of each buffered bar, same order. */
  #times: number[] = [];
  #shift = new ZoneShift('UTC');
  #style: ChartStyle = 'candles';
  #width = 0;
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
    this.#price = this.#addPrice('candles');
    this.#volume = this.#chart.addSeries(HistogramSeries, { priceFormat: { type: 'volume' }, priceScaleId: '', lastValueVisible: false, priceLineVisible: false });
    this.#volume.priceScale().applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    this.#overlays = new ChartOverlays(this.#chart);
    this.#chart.subscribeCrosshairMove(this.#onCrosshair);
    this.#chart.timeScale().subscribeVisibleLogicalRangeChange(this.#onRange);
    this.#resize = new ResizeObserver(([e]) => this.#onResize(e.contentRect.width));
    this.#resize.observe(el);
  }

  /** Sets the legend callback (called at once with the current last bar). */
  onLegend(fn: LegendListener): void {
    this.#legend = fn;
    this.#showLast();
  }

  /** Shows prices with `decimals` places (the instrument's tick). */
  setDecimals(decimals: number): void {
    if (this.#destroyed) return;
    this.#decimals = decimals;
    this.#price.applyOptions({ priceFormat: { type: 'price', precision: decimals, minMove: 10 ** -decimals } });
  }

  /** Applies style, scale, overlays and zone; redraws what they change. */
  setView(v: ChartView): void {
    if (this.#destroyed) return;
    this.#chart.priceScale('right').applyOptions({ mode: v.log ? PriceScaleMode.Logarithmic : PriceScaleMode.Normal });
    if (v.style !== this.#style) {
      this.#chart.removeSeries(this.#price);
      this.#style = v.style;
      this.#price = this.#addPrice(v.style);
      this.setDecimals(this.#decimals);
    }
    if (v.zone !== this.#shift.zone) this.#shift = new ZoneShift(v.zone);
    this.#overlays.view = v;
    this.#el.dataset.style = v.style;
    this.#el.dataset.scale = v.log ? 'log' : 'linear';
    this.#el.dataset.zone = v.zone;
    this.#redraw(true);
  }

  /** Replaces all bars (history), with time-axis seconds shown for short intervals. */
  load(bars: readonly Candle[], intervalSec: number): void {
    if (this.#destroyed) return;
    this.#chart.applyOptions({ timeScale: { secondsVisible: intervalSec < 60 } });
    this.#buffer.load(bars);
    this.#redraw(false);
    this.#chart.timeScale().scrollToRealTime();
  }

  /** Applies one live bar: same time replaces the last, newer appends, older is ignored. */
  update(bar: Candle): void {
    if (this.#destroyed) return;
    const change = this.#buffer.apply(bar);
    if (change === 'ignore') return;
    if (change === 'reset') {
      this.#redraw(true);
    } else {
      const b = this.#buffer.last!;
      if (change === 'append') this.#times.push(Math.max(this.#shift.at(b.time), (this.#times.at(-1) ?? -Infinity) + 1));
      const t = this.#times.at(-1)!;
      this.#price.update(this.#point(b, t));
      this.#volume.update(this.#vol(b, t));
      this.#overlays.updateLast(this.#buffer.bars, t);
      this.#mark();
    }
    if (!this.#hovering) this.#showLast();
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#resize.disconnect();
    this.#chart.unsubscribeCrosshairMove(this.#onCrosshair);
    this.#chart.timeScale().unsubscribeVisibleLogicalRangeChange(this.#onRange);
    this.#chart.remove();
  }

  #addPrice(style: ChartStyle): ISeriesApi<SeriesType> {
    if (style === 'line') return this.#chart.addSeries(LineSeries, { color: THEME.ws, lineWidth: 2 });
    if (style === 'area') {
      return this.#chart.addSeries(AreaSeries, { lineColor: THEME.ws, topColor: 'rgba(88,166,255,0.35)', bottomColor: 'rgba(88,166,255,0.02)', lineWidth: 2 });
    }
    return this.#chart.addSeries(CandlestickSeries, {
      upColor: THEME.up, downColor: THEME.down, borderVisible: false, wickUpColor: THEME.up, wickDownColor: THEME.down,
    });
  }

  #point(b: Candle, t: number) {
    const time = t as UTCTimestamp;
    return this.#style === 'candles' ? { time, open: b.open, high: b.high, low: b.low, close: b.close } : { time, value: b.close };
  }

  #vol(b: Candle, t: number): HistogramData<UTCTimestamp> {
    return { time: t as UTCTimestamp, value: b.volume, color: b.close >= b.open ? THEME.upVolume : THEME.downVolume };
  }

  /** Sets every series from the buffer; `keepRange` keeps the scrolled position. */
  #redraw(keepRange: boolean): void {
    const range = keepRange ? this.#chart.timeScale().getVisibleLogicalRange() : null;
    const bars = this.#buffer.bars;
    this.#times = this.#shift.all(bars.map((b) => b.time));
    this.#price.setData(bars.map((b, i) => this.#point(b, this.#times[i])));
    this.#volume.setData(bars.map((b, i) => this.#vol(b, this.#times[i])));
    this.#overlays.draw(bars, this.#times);
    if (range) this.#chart.timeScale().setVisibleLogicalRange(range);
    this.#mark();
    if (!this.#hovering) this.#showLast();
  }

  #showLast(): void {
    this.#legend(this.#buffer.last, false, this.#overlays.valuesAt(this.#buffer.bars.length - 1));
  }

  // Attributes for tests and tools: how many bars, the live bar's time, close and chart time.
  #mark(): void {
    const last = this.#buffer.last;
    this.#el.dataset.bars = String(this.#buffer.bars.length);
    this.#el.dataset.lastTime = last ? String(last.time) : '';
    this.#el.dataset.lastClose = last ? String(last.close) : '';
    this.#el.dataset.lastChartTime = String(this.#times.at(-1) ?? '');
    this.#el.dataset.firstTime = String(this.#buffer.bars[0]?.time ?? '');
    this.#onRange();
  }

  /** A chart shown again after zero width (a hidden tab) scrolls its newest bar into view. */
  #onResize(width: number): void {
    if (this.#destroyed) return;
    if (this.#width === 0 && width > 0) requestAnimationFrame(() => !this.#destroyed && this.#chart.timeScale().scrollToRealTime());
    this.#width = width;
  }

  /**
   * The visible range's right end and the close of the last bar in view: the value the price
   * label shows (lightweight-charts labels the latest *visible* price).
   */
  readonly #onRange = (): void => {
    const r = this.#chart.timeScale().getVisibleLogicalRange();
    const bars = this.#buffer.bars;
    this.#el.dataset.rangeTo = r ? r.to.toFixed(2) : '';
    const shown = r ? bars[Math.min(Math.floor(r.to), bars.length - 1)] : undefined;
    this.#el.dataset.labelClose = shown ? String(shown.close) : '';
  };

  readonly #onCrosshair = (p: MouseEventParams): void => {
    const i = p.point && p.logical !== undefined ? Math.round(p.logical) : -1;
    const bar = i >= 0 ? this.#buffer.bars[i] : undefined;
    this.#hovering = !!bar;
    if (bar) this.#legend(bar, true, this.#overlays.valuesAt(i));
    else this.#showLast();
  };
}
