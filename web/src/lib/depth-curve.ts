/**
 * The depth chart's geometry: each side's cumulative size as a step curve, in pixels. Pure:
 * the book and the plot size come in; the canvas drawing is in components/DepthChart.svelte.
 */
import type { BookLevels, Level } from './book-ladder.js';

export interface DepthCurve {
  /** Step polylines [x, y] in pixels, from the mid outwards; y grows downwards (canvas). */
  bids: [number, number][];
  asks: [number, number][];
  /** The price range drawn, left to right, and the largest cumulative size (the top). */
  minPrice: number;
  maxPrice: number;
  maxCum: number;
  /** Pixel x of the mid price. */
  midX: number;
}

/**
 * The curve of `book` in a `width` x `height` plot. The price axis is centred on the mid and
 * spans the farther of the two sides' deepest levels, so both sides share one scale. Each
 * side steps up at each level: flat at the size resting up to that price, rising at the price.
 * Undefined when a side is empty.
 */
export function depthCurve(book: BookLevels, width: number, height: number): DepthCurve | undefined {
  const { bids, asks } = book;
  if (!bids.length || !asks.length || width <= 0 || height <= 0) return undefined;
  const mid = (bids[0][0] + asks[0][0]) / 2;
  const half = Math.max(mid - bids[bids.length - 1][0], asks[asks.length - 1][0] - mid, 1e-12);
  const minPrice = mid - half;
  const maxPrice = mid + half;
  const total = (side: readonly Level[]) => side.reduce((s, [, size]) => s + size, 0);
  const maxCum = Math.max(total(bids), total(asks));
  const x = (p: number) => ((p - minPrice) / (maxPrice - minPrice)) * width;
  const y = (cum: number) => height - (cum / maxCum) * height;
  const side = (levels: readonly Level[], edge: number): [number, number][] => {
    const pts: [number, number][] = [[x(mid), height]];
    let cum = 0;
    for (const [price, size] of levels) {
      pts.push([x(price), y(cum)]);
      cum += size;
      pts.push([x(price), y(cum)]);
    }
    pts.push([edge, y(cum)]);
    return pts;
  };
  return { bids: side(bids, 0), asks: side(asks, width), minPrice, maxPrice, maxCum, midX: x(mid) };
}
