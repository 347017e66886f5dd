/**
 * The terminal ladder of one order book (pure): asks above, highest first, so the best ask sits
 * just above the spread line; bids below, best first. Each level shows its price, size and the
 * cumulative size from the touch, with a bar proportional to that cumulative size.
 */
import type { BookData } from '../../shared/protocol.js';

/** Colours (structurally the subscribe view's Paint); identity functions for plain text. */
export interface LadderPaint {
  green(s: string): string;
  red(s: string): string;
  dim(s: string): string;
}

export interface LadderOptions {
  decimals: number;
  sizeDecimals: number;
  /** Levels shown per side (default 10). */
  levels?: number;
  /** Width of the longest bar in characters (default 20). */
  barWidth?: number;
  /** The stream's seq, shown in the heading. */
  seq?: number;
  /** Whether the client's own checksum matched the item's: shown in the heading when given. */
  checksumOk?: boolean;
  paint?: LadderPaint;
}

const plain: LadderPaint = { green: (s) => s, red: (s) => s, dim: (s) => s };
const BAR = '█';

/** The ladder's lines (no newlines), heading first. */
export function ladderLines(symbol: string, book: BookData, o: LadderOptions): string[] {
  const n = o.levels ?? 10;
  const width = o.barWidth ?? 20;
  const paint = o.paint ?? plain;
  const asks = book.asks.slice(0, n);
  const bids = book.bids.slice(0, n);
  const cum = (side: typeof asks) => {
    let c = 0;
    return side.map(([, q]) => (c += q));
  };
  const askCum = cum(asks);
  const bidCum = cum(bids);
  const max = Math.max(askCum.at(-1) ?? 0, bidCum.at(-1) ?? 0) || 1;
  const price = (p: number) => p.toFixed(o.decimals);
  const size = (q: number) => q.toFixed(o.sizeDecimals);
  const pw = Math.max(5, ...[...asks, ...bids].map(([p]) => price(p).length));
  const sw = Math.max(4, ...[...askCum, ...bidCum].map((q) => size(q).length));
  const row = (p: number, q: number, c: number, color: (s: string) => string) =>
    `${color(price(p).padStart(pw))}  ${size(q).padStart(sw)}  ${size(c).padStart(sw)}  ${color(BAR.repeat(Math.max(c > 0 ? 1 : 0, Math.round((c / max) * width))))}`;

  const status = o.checksumOk === undefined ? '' : o.checksumOk ? `  checksum ${book.checksum} ok` : `  checksum ${book.checksum} MISMATCH`;
  const lines = [`${symbol} book${o.seq !== undefined ? `  seq ${o.seq}` : ''}${status}`];
  lines.push(paint.dim(`${'price'.padStart(pw)}  ${'size'.padStart(sw)}  ${'total'.padStart(sw)}`));
  for (let i = asks.length - 1; i >= 0; i--) lines.push(row(asks[i]![0], asks[i]![1], askCum[i]!, paint.red));
  if (asks.length && bids.length) {
    const spread = asks[0]![0] - bids[0]![0];
    const mid = (asks[0]![0] + bids[0]![0]) / 2;
    lines.push(paint.dim(`${'-'.repeat(4)} spread ${spread.toFixed(o.decimals)} (${((spread / mid) * 1e4).toFixed(1)} bps) ${'-'.repeat(4)}`));
  } else lines.push(paint.dim('---- one side empty ----'));
  for (let i = 0; i < bids.length; i++) lines.push(row(bids[i]![0], bids[i]![1], bidCum[i]!, paint.green));
  return lines;
}
