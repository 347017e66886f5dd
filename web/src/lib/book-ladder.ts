/**
 * The order book ladder's numbers: levels grouped by a multiple of the tick, cumulative sizes,
 * the spread. Pure: the book comes in (as the client keeps it: each side best first), and
 * nothing here touches the DOM or the clock.
 */

/** A price level: [price, size], size > 0. */
export type Level = readonly [price: number, size: number];

/** A book as MarketClient keeps it: bids highest first, asks lowest first. */
export interface BookLevels {
  bids: readonly Level[];
  asks: readonly Level[];
}

/** The grouping steps offered, in ticks; `g` cycles through them. */
export const GROUP_STEPS = [1, 2, 5, 10, 25, 50, 100] as const;

/** The step after `step` (in ticks), wrapping around. */
export function nextGroupStep(step: number): number {
  const i = GROUP_STEPS.indexOf(step as (typeof GROUP_STEPS)[number]);
  return GROUP_STEPS[(i + 1) % GROUP_STEPS.length];
}

/** One ladder row: a grouped price, its size, and the running total from the best level out. */
export interface LadderRow {
  price: number;
  size: number;
  cum: number;
}

/** Rounds to `decimals` places, so that grouped prices print and compare exactly. */
const round = (x: number, decimals: number) => Number(x.toFixed(decimals));

/**
 * Groups one side's levels into buckets of `step` ticks of `tickSize`: bids fall to the bucket
 * at or below their price, asks rise to the one at or above, so a bucket never crosses the
 * spread. Best first, as given; sizes summed; at most `rows` rows. Prices are counted in whole
 * ticks (rounded), so float noise in a price never moves it to another bucket.
 */
export function groupSide(
  levels: readonly Level[],
  side: 'bid' | 'ask',
  tickSize: number,
  step: number,
  decimals: number,
  rows = Infinity,
): LadderRow[] {
  const out: LadderRow[] = [];
  const m = Math.max(1, Math.round(step));
  let cum = 0;
  for (const [price, size] of levels) {
    if (!(size > 0)) continue;
    const ticks = Math.round(price / tickSize);
    const bucket = side === 'bid' ? Math.floor(ticks / m) * m : Math.ceil(ticks / m) * m;
    const p = round(bucket * tickSize, decimals);
    cum += size;
    const last = out[out.length - 1];
    if (last && last.price === p) {
      last.size += size;
      last.cum = cum;
    } else {
      if (out.length === rows) break;
      out.push({ price: p, size, cum });
    }
  }
  return out;
}

/** What the ladder shows. */
export interface Ladder {
  /** Best (lowest) first: the view draws them reversed, worst at the top. */
  asks: LadderRow[];
  /** Best (highest) first. */
  bids: LadderRow[];
  /** Best ask − best bid (ungrouped), NaN when a side is empty. */
  spread: number;
  /** The spread in basis points of the mid, NaN when a side is empty. */
  spreadBps: number;
  /** The largest cumulative size shown on either side: the full width of a size bar. */
  maxCum: number;
}

/** The ladder of `book` with `rows` rows per side, grouped by `step` ticks. */
export function buildLadder(book: BookLevels, tickSize: number, step: number, decimals: number, rows: number): Ladder {
  const asks = groupSide(book.asks, 'ask', tickSize, step, decimals, rows);
  const bids = groupSide(book.bids, 'bid', tickSize, step, decimals, rows);
  const bestBid = book.bids[0]?.[0];
  const bestAsk = book.asks[0]?.[0];
  const spread = bestBid !== undefined && bestAsk !== undefined ? round(bestAsk - bestBid, decimals + 2) : NaN;
  const mid = bestBid !== undefined && bestAsk !== undefined ? (bestAsk + bestBid) / 2 : NaN;
  const maxCum = Math.max(asks.at(-1)?.cum ?? 0, bids.at(-1)?.cum ?? 0);
  return { asks, bids, spread, spreadBps: mid > 0 ? (spread / mid) * 10_000 : NaN, maxCum };
}
