/**
 * The back-fill: the 24 h of bars before the feed starts, so charts open full, walked by the
 * price process of walk.ts along a path anchored to the UTC day (day-walk.ts): for a seed, the
 * walk's state at 00:00 UTC is fixed (the instrument's reference price), so every start on the
 * same UTC day gives the same bars for the same times. Pure: time and randomness are parameters.
 */
import type { Interval } from '../../shared/protocol.js';
import type { Instrument, Quote, SymbolHistory } from './tick-source.js';
import { microstructure, type Microstructure } from './universe.js';
import type { CandleSeriesState } from '../market/candle-series.js';
import type { Rng } from './rng.js';
import { refineMinute, walkMinutes, type MinuteWalk } from './day-walk.js';
import { DAY, VOL_SD, volMultiplier, type WalkState } from './walk.js';

export { perSecondVol, stepPrice, stepVol, stepWalk, volMultiplier, VOL_SD, type WalkState } from './walk.js';

/**
 * Contiguous bars of one interval, packed to spare the heap: bar i opens at
 * `time0 + i * seconds` (epoch seconds); `data[5i .. 5i + 4]` hold its open, high, low and
 * close in whole ticks (see Microstructure.fromTicks) and its volume.
 */
export interface PackedBars {
  seconds: number;
  time0: number;
  count: number;
  data: Float64Array;
}

/** Back-filled bars and state at `endMs`, from which the live simulation continues. */
export interface Backfill extends BackfillBars {
  quote: Quote;
  state: WalkState;
}

/** The history part of a back-fill: what only the walk over the past 24 h can tell. */
export interface BackfillBars {
  bars: Record<Interval, PackedBars>;
  /** The last trade price at endMs (the close of the last bars). */
  last: number;
  session: SymbolHistory['session'];
  micro: Microstructure;
  /** The bars as candle series, when built elsewhere with them (history-job.ts). */
  series?: Record<Interval, CandleSeriesState>;
}

export interface BackfillOptions {
  /** Mean trades per second at normal volatility, for bar volumes (default 1). */
  tradeRate?: number;
}

/** The anchor of the back-fill's path: the UTC day start at or before `endMs`, epoch seconds. */
export const anchorSec = (endMs: number): number => Math.floor(endMs / 1000 / DAY) * DAY;

/**
 * The walk's state at the anchor: the price at `inst.price`, the log-vol drawn from its
 * stationary law. Consumes one normal of `rng` (the symbol's generator).
 */
export function anchorState(inst: Instrument, rng: Rng): WalkState {
  return { x: Math.log(inst.price), h: VOL_SD * rng.normal() };
}

/** The path's generators: price draws and volume draws per direction, from the history generator. */
const walker = (inst: Instrument, ms: Microstructure, rng: Rng, dir: 'forward' | 'back', tradeRate?: number): MinuteWalk => ({
  inst,
  ms,
  rng: rng.fork(dir),
  ...(tradeRate === undefined ? {} : { volume: { rng: rng.fork(`${dir}-volume`), tradeRate } }),
});

/** The generator of the seconds of the minute opening at `sec` (epoch seconds). */
const secondsRng = (rng: Rng, sec: number): Rng => rng.fork(`s${sec}`);

/**
 * Where the live walk starts at `endMs`: the path's price at the close of the second holding
 * endMs (the history's last price), with the log-vol of that minute. Walks the minutes from
 * the anchor to endMs (no bars kept), so it costs about a microsecond per ten minutes since
 * 00:00 UTC. `anchor` is anchorState's; `rng` the history generator (not consumed).
 */
export function endState(inst: Instrument, anchor: WalkState, rng: Rng, endMs: number): WalkState {
  const ms = microstructure(inst);
  const a = anchorSec(endMs);
  const endSec = Math.floor(endMs / 1000);
  const minutes = Math.floor((endSec - a) / 60) + 1;
  const { state, last } = walkMinutes(walker(inst, ms, rng, 'forward'), anchor, 1, minutes);
  const secs = refineMinute(last, ms, secondsRng(rng, a + (minutes - 1) * 60));
  return { x: Math.log(ms.fromTicks(secs[((endSec - a) % 60) * 5 + 3]!)), h: state.h };
}

/** The last price the history ends on, in units: the end state's price on the tick grid. */
export function endPrice(inst: Instrument, end: WalkState): number {
  const ms = microstructure(inst);
  return ms.fromTicks(Math.max(1, Math.round(Math.exp(end.x) * ms.ticksPerUnit)));
}

/**
 * anchorState, the history behind it (from `rng.fork('history')`, see backfillBars), the end
 * state and the quote at the end (from `rng`). `rng` is consumed.
 */
export function backfill(inst: Instrument, rng: Rng, endMs: number, opts: BackfillOptions = {}): Backfill {
  const anchor = anchorState(inst, rng);
  const bars = backfillBars(inst, anchor, rng.fork('history'), endMs, opts);
  const state = endState(inst, anchor, rng.fork('history'), endMs);
  return { ...bars, quote: bars.micro.quote(Math.exp(state.x), volMultiplier(state.h), rng), state };
}

/**
 * History ending at `endMs`: 1m bars from the hour boundary at or before endMs - 24 h (so
 * 1441-1500 bars), 5m and 1h bars aggregated from them, and the last 3600 1s bars. Bar times
 * are aligned to the interval on the epoch; the last bar of each interval holds endMs and is
 * partial (the 1s one whole). The minutes are walked forward and backward from `anchor`, the
 * walk's state at 00:00 UTC (a diffusion's reverse is one too; a jump lowers the log-vol going
 * back, so forward it rises at the jump, as live); the seconds are each minute's refinement,
 * and the last 1m bar aggregates its seconds up to endMs. A bar depends only on the seed, the
 * symbol, the UTC day and its time, not on endMs: every start on the same UTC day gives the
 * same bars for the same times. `rng` is the history generator (forked, not consumed).
 */
export function backfillBars(inst: Instrument, anchor: WalkState, rng: Rng, endMs: number, opts: BackfillOptions = {}): BackfillBars {
  const { ms, m1, endSec, lastMinute } = minuteBars(inst, anchor, rng, endMs, opts);
  const firstHour = m1.time0;

  // The last hour by the second: each minute's seconds, cut after endSec.
  const firstSecond = Math.floor((endSec - 3599) / 60) * 60;
  const minutes = (lastMinute - firstSecond) / 60 + 1;
  const s1: PackedBars = { seconds: 1, time0: firstSecond, count: endSec - firstSecond + 1, data: new Float64Array(minutes * 60 * 5) };
  for (let j = 0; j < minutes; j++) {
    const t = firstSecond + j * 60;
    const i = (t - firstHour) / 60;
    s1.data.set(refineMinute(m1.data.subarray(i * 5, i * 5 + 5), ms, secondsRng(rng, t)), j * 300);
  }
  closeMinute(m1, s1.data.subarray((minutes - 1) * 300), endSec, ms);
  const skip = s1.count - 3600; // keep exactly the last hour of 1s bars
  const last1s: PackedBars = { seconds: 1, time0: firstSecond + skip, count: 3600, data: s1.data.slice(skip * 5, s1.count * 5) };
  return {
    bars: { '1s': last1s, '1m': m1, '5m': aggregate(m1, 300, ms), '1h': aggregate(m1, 3600, ms) },
    ...sessionOf(m1, ms),
    micro: ms,
  };
}

/**
 * The newest bar of each interval of backfillBars (each still open at endMs) and its session
 * and last price, without the bars before: the same minutes walked, but only the last minute's
 * seconds refined and only the last period of 5m and 1h aggregated (about a third of the work,
 * and nothing kept). The same values as backfillBars', bit for bit.
 */
export function backfillHead(inst: Instrument, anchor: WalkState, rng: Rng, endMs: number, opts: BackfillOptions = {}): BackfillHead {
  const { ms, m1, endSec, lastMinute } = minuteBars(inst, anchor, rng, endMs, opts);
  const i = (lastMinute - m1.time0) / 60;
  const secs = refineMinute(m1.data.subarray(i * 5, i * 5 + 5), ms, secondsRng(rng, lastMinute));
  closeMinute(m1, secs, endSec, ms);
  const o = (endSec - lastMinute) * 5;
  const lastPeriod = (seconds: number): PackedBars => {
    const from = (Math.floor(lastMinute / seconds) * seconds - m1.time0) / 60; // within m1: it starts on an hour
    return aggregate({ seconds: 60, time0: m1.time0 + from * 60, count: m1.count - from, data: m1.data.subarray(from * 5) }, seconds, ms);
  };
  return {
    open: {
      '1s': { seconds: 1, time0: endSec, count: 1, data: secs.slice(o, o + 5) },
      '1m': { seconds: 60, time0: lastMinute, count: 1, data: m1.data.slice(i * 5, i * 5 + 5) },
      '5m': lastPeriod(300),
      '1h': lastPeriod(3600),
    },
    ...sessionOf(m1, ms),
    micro: ms,
  };
}

/** The newest bar of each interval (one bar each), with the session and last price: see backfillHead. */
export interface BackfillHead {
  open: Record<Interval, PackedBars>;
  last: number;
  session: SymbolHistory['session'];
  micro: Microstructure;
}

/**
 * The minutes of a back-fill: 1m bars from the hour boundary at or before endMs - 24 h to the
 * minute holding endMs (whole: closeMinute cuts it), walked forward and backward from `anchor`.
 */
function minuteBars(inst: Instrument, anchor: WalkState, rng: Rng, endMs: number, opts: BackfillOptions) {
  const ms = microstructure(inst);
  const tradeRate = opts.tradeRate ?? 1;
  const a = anchorSec(endMs);
  const endSec = Math.floor(endMs / 1000);
  const firstHour = Math.floor((endSec - DAY) / 3600) * 3600;
  const lastMinute = Math.floor(endSec / 60) * 60;
  const back = (a - firstHour) / 60;
  const forward = (lastMinute - a) / 60 + 1;
  const m1: PackedBars = { seconds: 60, time0: firstHour, count: back + forward, data: new Float64Array((back + forward) * 5) };
  walkMinutes(walker(inst, ms, rng, 'back', tradeRate), anchor, -1, back, m1.data, 0);
  walkMinutes(walker(inst, ms, rng, 'forward', tradeRate), anchor, 1, forward, m1.data, back);
  return { ms, m1, endSec, lastMinute };
}

/** The minute holding endMs is partial: its bar becomes its seconds (`secs`, the minute's 60) up to endSec. */
function closeMinute(m1: PackedBars, secs: Float64Array, endSec: number, ms: Microstructure): void {
  const lastMinute = Math.floor(endSec / 60) * 60;
  const partial = aggregate({ seconds: 1, time0: lastMinute, count: endSec - lastMinute + 1, data: secs }, 60, ms);
  m1.data.set(partial.data, (m1.count - 1) * 5);
}

/** The session (24 h of minutes: first open, extremes, volume) and the last price. */
function sessionOf(m1: PackedBars, ms: Microstructure): { last: number; session: SymbolHistory['session'] } {
  let high = -Infinity;
  let low = Infinity;
  let volume = 0;
  for (let o = 0; o < m1.data.length; o += 5) {
    high = Math.max(high, m1.data[o + 1]);
    low = Math.min(low, m1.data[o + 2]);
    volume += m1.data[o + 4];
  }
  return {
    last: ms.fromTicks(m1.data[m1.data.length - 2]),
    session: { open: ms.fromTicks(m1.data[0]), high: ms.fromTicks(high), low: ms.fromTicks(low), volume: ms.volume(volume) },
  };
}

/**
 * Bars of `seconds` (a multiple of src.seconds) from `src`: each opens at
 * floor(time / seconds) * seconds with the open of its first bar, the close of its last, the
 * max high, min low and summed volume (rounded by `ms.volume`, to drop floating-point dust).
 */
export function aggregate(src: PackedBars, seconds: number, ms: Pick<Microstructure, 'volume'>): PackedBars {
  const first = Math.floor(src.time0 / seconds);
  const count = src.count === 0 ? 0 : Math.floor((src.time0 + (src.count - 1) * src.seconds) / seconds) - first + 1;
  const out = new Float64Array(count * 5);
  const s = src.data;
  let j = -1;
  for (let i = 0; i < src.count; i++) {
    const k = Math.floor((src.time0 + i * src.seconds) / seconds) - first;
    const o = 5 * i;
    const p = 5 * k;
    if (k !== j) {
      if (j >= 0) out[5 * j + 4] = ms.volume(out[5 * j + 4]);
      j = k;
      for (let f = 0; f < 5; f++) out[p + f] = s[o + f];
    } else {
      out[p + 1] = Math.max(out[p + 1], s[o + 1]);
      out[p + 2] = Math.min(out[p + 2], s[o + 2]);
      out[p + 3] = s[o + 3];
      out[p + 4] += s[o + 4];
    }
  }
  if (j >= 0) out[5 * j + 4] = ms.volume(out[5 * j + 4]);
  return { seconds, time0: first * seconds, count, data: out };
}
