/**
 * A client's order books kept from `book` snapshot and update items exactly as protocol 1.1
 * section 3 says (apply every pair, 0 removes, sort best first), checking the `prev` chain and
 * every item's checksum. Records every failure instead of throwing.
 */
import { bookChecksum } from '../../shared/book-checksum.js';
import type { BookData, BookDelta, BookLevel, ServerMessage, SymbolInfo } from '../../shared/protocol.js';

export interface KeptBook {
  seq: number;
  bids: BookLevel[];
  asks: BookLevel[];
  checksum: number;
}

function applySide(cur: BookLevel[], pairs: BookLevel[] | undefined, desc: boolean): BookLevel[] {
  if (!pairs) return cur;
  const m = new Map(cur);
  for (const [p, q] of pairs) m.set(p, q);
  return [...m].filter(([, q]) => q > 0).sort((a, b) => (desc ? b[0] - a[0] : a[0] - b[0]));
}

/** Each symbol's price and size decimals, as the checksum formats them. */
export type BookFormats = Map<string, { decimals: number; sizeDecimals: number }>;

/** The formats of every symbol a node serves, from its `/api/symbols`. */
export async function bookFormats(url: string): Promise<BookFormats> {
  const symbols = (await (await fetch(`${url}/api/symbols`)).json()) as SymbolInfo[];
  return new Map(symbols.map((s) => [s.symbol, { decimals: s.decimals, sizeDecimals: s.sizeDecimals! }]));
}

export class BookKeeper {
  readonly books = new Map<string, KeptBook>();
  readonly failures: string[] = [];
  items = 0;
  checked = 0;
  conflated = 0;

  /** `formats`: per symbol, its decimals and sizeDecimals (from /api/symbols); `depth` bounds each side. */
  constructor(readonly formats: BookFormats, readonly depth: number) {}

  apply(m: ServerMessage): void {
    if (m.type === 'snapshot') {
      for (const it of m.items) if (it.ch === 'book') this.#snapshot(it.s, it.seq, it.d as BookData);
    } else if (m.type === 'update') {
      for (const it of m.items) {
        if (it.ch !== 'book') continue;
        const cur = this.books.get(it.s);
        if (!cur || cur.seq !== it.prev) {
          this.#fail(`${it.s}: have ${cur?.seq} got prev ${it.prev}`);
          continue;
        }
        const d = it.d as BookDelta;
        this.items++;
        if (it.seq - it.prev > 1) this.conflated++;
        cur.seq = it.seq;
        cur.bids = applySide(cur.bids, d.bids, true);
        cur.asks = applySide(cur.asks, d.asks, false);
        cur.checksum = d.checksum;
        this.#check(it.s, cur);
      }
    }
  }

  #snapshot(s: string, seq: number, d: BookData): void {
    this.items++;
    for (const [, q] of [...d.bids, ...d.asks]) if (!(q > 0)) this.#fail(`${s}: snapshot size ${q}`);
    const b = { seq, bids: d.bids, asks: d.asks, checksum: d.checksum };
    this.books.set(s, b);
    this.#check(s, b);
  }

  #check(s: string, b: KeptBook): void {
    const f = this.formats.get(s);
    if (!f) return this.#fail(`${s}: no formats`);
    this.checked++;
    const mine = bookChecksum(b, f.decimals, f.sizeDecimals);
    if (mine !== b.checksum) this.#fail(`${s}@${b.seq}: checksum ${mine} != ${b.checksum}`);
    if (b.bids.length > this.depth || b.asks.length > this.depth) this.#fail(`${s}@${b.seq}: more than ${this.depth} levels`);
    if (b.bids.length && b.asks.length && !(b.bids[0]![0] < b.asks[0]![0])) this.#fail(`${s}@${b.seq}: crossed`);
  }

  #fail(msg: string): void {
    if (this.failures.length < 10) this.failures.push(msg);
  }
}
