/**
 * Rows to market events, after Tardis's and Nautilus's documented rules. Pure.
 * - Rows of one L2 file sharing a symbol and `local_timestamp` are one book event (one seq,
 *   one checksum): the caller hands rows in merge order with their file index, and an event is
 *   handed out when a row of another group comes (or on flush()).
 * - A snapshot row after non-snapshot rows, or with a new snapshot timestamp, clears the book;
 *   deltas before a symbol's first snapshot are skipped; amount 0 removes a level.
 * - `book_snapshot_N` rows replace the book.
 * - A symbol with quotes but no L2 has a one-level book from its quotes (quotes of a symbol
 *   with L2 or snapshots say nothing more and are dropped); with neither, no book.
 * - The quote of every event is the book's touch; trades move `last` and volumes. A trade whose
 *   side the source left `unknown` is a buy at or above the mid, else a sell.
 */
import { BookSide } from '../../market/book-state.js';
import type { BookInit, BookLevels, MarketEvent, Quote } from '../tick-source.js';
import type { Row } from './row.js';

/** What the scan found for one symbol. */
export interface SymbolPlan {
  symbol: string;
  /** Where its book comes from. */
  book: 'l2' | 'quotes' | 'none';
  decimals: number;
  sizeDecimals: number;
}

interface SymbolBook {
  plan: SymbolPlan;
  bids: BookSide;
  asks: BookSide;
  /** Whether a snapshot has been seen (deltas before it are skipped). */
  seen: boolean;
  /** The `recv` of the snapshot being read, or -1 after a non-snapshot row. */
  snapRecv: number;
}

interface Group {
  file: number;
  book: SymbolBook;
  recv: number;
  ts: number;
  bids: Map<number, number>;
  asks: Map<number, number>;
}

export class BookRules {
  readonly #books = new Map<string, SymbolBook>();
  #group: Group | undefined;

  constructor(plans: Iterable<SymbolPlan>) {
    for (const plan of plans) this.#books.set(plan.symbol, { plan, bids: new BookSide(true), asks: new BookSide(false), seen: false, snapRecv: -1 });
  }

  /** The symbol's whole book (best first), or undefined for a symbol without one. */
  book(symbol: string): BookInit | undefined {
    const b = this.#books.get(symbol);
    if (!b || b.plan.book === 'none') return undefined;
    const side = (s: BookSide) => s.p.map((p, i) => [p, s.q[i]!] as [number, number]);
    return { bids: side(b.bids), asks: side(b.asks), decimals: b.plan.decimals, sizeDecimals: b.plan.sizeDecimals };
  }

  /** The symbol's touch (zeros where a side is empty). */
  quote(symbol: string): Quote {
    const b = this.#books.get(symbol);
    return b ? touch(b) : { bid: 0, ask: 0, bidSize: 0, askSize: 0 };
  }

  /** Whether `row` from file `file` belongs to the book event being gathered. */
  continues(row: Row, file: number): boolean {
    const g = this.#group;
    return g !== undefined && row.kind === 'l2' && g.file === file && g.recv === row.recv && g.book.plan.symbol === row.symbol;
  }

  /** Takes one row (merge order); pushes the events it completes onto `out`. */
  row(row: Row, file: number, out: MarketEvent[]): void {
    if (!this.continues(row, file)) this.flush(out);
    const b = this.#books.get(row.symbol);
    if (!b) return;
    if (row.kind === 'trade') {
      const q = touch(b);
      const side = row.side !== 'unknown' ? row.side : q.bid > 0 && q.ask > 0 && row.price < (q.bid + q.ask) / 2 ? 'sell' : 'buy';
      out.push({ symbol: row.symbol, ts: row.ts, quote: q, trade: { price: row.price, size: row.amount, side, xid: row.id } });
    } else if (row.kind === 'quote') {
      if (b.plan.book !== 'quotes') return;
      const changes = { bids: new Map<number, number>(), asks: new Map<number, number>() };
      replaceSide(b.bids, row.bid > 0 && row.bidSize > 0 ? [[row.bid, row.bidSize]] : [], changes.bids);
      replaceSide(b.asks, row.ask > 0 && row.askSize > 0 ? [[row.ask, row.askSize]] : [], changes.asks);
      out.push(this.#event(b, row.ts, changes.bids, changes.asks));
    } else if (row.kind === 'snap') {
      const bids = new Map<number, number>();
      const asks = new Map<number, number>();
      replaceSide(b.bids, row.bids, bids);
      replaceSide(b.asks, row.asks, asks);
      b.seen = true;
      out.push(this.#event(b, row.ts, bids, asks));
    } else {
      let g = this.#group;
      if (row.snapshot) {
        if (b.snapRecv !== row.recv) {
          // A new snapshot: the book starts again (its old levels leave as 0 in this event).
          g ??= this.#open(b, row, file);
          clearSide(b.bids, g.bids);
          clearSide(b.asks, g.asks);
        }
        b.seen = true;
        b.snapRecv = row.recv;
      } else {
        b.snapRecv = -1;
        if (!b.seen) return;
      }
      g ??= this.#open(b, row, file);
      g.ts = row.ts;
      (row.side === 'bid' ? b.bids : b.asks).set(row.price, row.amount);
      (row.side === 'bid' ? g.bids : g.asks).set(row.price, row.amount);
    }
  }

  /** Hands out the book event being gathered, if any. */
  flush(out: MarketEvent[]): void {
    const g = this.#group;
    if (!g) return;
    this.#group = undefined;
    out.push(this.#event(g.book, g.ts, g.bids, g.asks));
  }

  #open(b: SymbolBook, row: Row, file: number): Group {
    return (this.#group = { file, book: b, recv: row.recv, ts: row.ts, bids: new Map(), asks: new Map() });
  }

  #event(b: SymbolBook, ts: number, bids: Map<number, number>, asks: Map<number, number>): MarketEvent {
    const book: BookLevels = { bids: [...bids], asks: [...asks] };
    return { symbol: b.plan.symbol, ts, quote: touch(b), book };
  }
}

function touch(b: SymbolBook): Quote {
  return { bid: b.bids.p[0] ?? 0, ask: b.asks.p[0] ?? 0, bidSize: b.bids.q[0] ?? 0, askSize: b.asks.q[0] ?? 0 };
}

/** Removes every level of `side`, noting each as 0 in `changes`. */
function clearSide(side: BookSide, changes: Map<number, number>): void {
  for (const p of side.p) changes.set(p, 0);
  side.clear();
}

/** Makes `side` exactly `levels`, noting what changed. */
function replaceSide(side: BookSide, levels: readonly (readonly [number, number])[], changes: Map<number, number>): void {
  const keep = new Set<number>();
  for (const [p, q] of levels) keep.add(p);
  for (const p of [...side.p]) if (!keep.has(p)) {
    changes.set(p, 0);
    side.set(p, 0);
  }
  for (const [p, q] of levels) {
    if (side.q[side.find(p)] !== q) changes.set(p, q);
    side.set(p, q);
  }
}
