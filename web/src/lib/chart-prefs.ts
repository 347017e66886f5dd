/**
 * The chart's settings: how prices are drawn, the overlays, the price scale and the time zone
 * every time on screen uses. Pure; anything malformed in storage falls back to the default.
 */
import { isPeriod } from './indicators.js';
import { ZONE_CHOICES, type ZoneChoice } from './time-zone.js';

export type ChartStyle = 'candles' | 'line' | 'area';
export const CHART_STYLES: readonly ChartStyle[] = ['candles', 'line', 'area'];

export interface Overlay {
  on: boolean;
  period: number;
}

export interface ChartPrefs {
  style: ChartStyle;
  /** Logarithmic price scale. */
  log: boolean;
  sma: Overlay;
  ema: Overlay;
  vwap: boolean;
  zone: ZoneChoice;
}

export function defaultChartPrefs(): ChartPrefs {
  return { style: 'candles', log: false, sma: { on: false, period: 20 }, ema: { on: false, period: 50 }, vwap: false, zone: 'local' };
}

const overlay = (v: unknown, def: Overlay): Overlay => {
  if (!v || typeof v !== 'object') return def;
  const o = v as Record<string, unknown>;
  return { on: typeof o.on === 'boolean' ? o.on : def.on, period: isPeriod(o.period) ? o.period : def.period };
};

/** Stored chart settings, field by field, with defaults for what is missing or wrong. */
export function parseChartPrefs(v: unknown): ChartPrefs {
  const d = defaultChartPrefs();
  if (!v || typeof v !== 'object') return d;
  const r = v as Record<string, unknown>;
  return {
    style: CHART_STYLES.includes(r.style as ChartStyle) ? (r.style as ChartStyle) : d.style,
    log: typeof r.log === 'boolean' ? r.log : d.log,
    sma: overlay(r.sma, d.sma),
    ema: overlay(r.ema, d.ema),
    vwap: typeof r.vwap === 'boolean' ? r.vwap : d.vwap,
    zone: ZONE_CHOICES.includes(r.zone as ZoneChoice) ? (r.zone as ZoneChoice) : d.zone,
  };
}
