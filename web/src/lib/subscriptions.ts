/**
 * What the dashboard subscribes to, and the subscribe/unsubscribe calls that move a client from
 * what it has to what is wanted. Pure; one `SubscriptionSync` per client applies the calls.
 */
import type { Channel, Interval } from '../../../shared/protocol.js';
import type { MarketClientApi } from '../../../shared/client/types.js';

/** Channels per symbol. */
export type Wanted = Map<string, Set<Channel>>;

/**
 * The order book's channel. Typed through `string` so that this compiles whether or not the
 * protocol's Channel type lists it yet; the dashboard subscribes to it only when the server's
 * `/api/symbols` shows books (`sizeDecimals`).
 */
export const BOOK_CHANNEL = 'book' as string as Channel;

/** The focused stream: its symbol, chart interval, and whether to stream its book. */
export interface Focus {
  symbol: string;
  interval: Interval;
  book?: boolean;
}

export interface SubOp {
  op: 'subscribe' | 'unsubscribe';
  symbols: string[];
  channels: Channel[];
}

/** Ticker for every watched symbol; trades, `candles:<interval>` (and `book` when asked) for the focused one. */
export function wantedFor(watchlist: readonly string[], focus?: Focus): Wanted {
  const w: Wanted = new Map();
  for (const s of watchlist) w.set(s, new Set<Channel>(['ticker']));
  if (focus) {
    const set = w.get(focus.symbol) ?? new Set<Channel>();
    set.add('ticker');
    set.add('trades');
    set.add(`candles:${focus.interval}`);
    if (focus.book) set.add(BOOK_CHANNEL);
    w.set(focus.symbol, set);
  }
  return w;
}

const byChannel = (w: Wanted): Map<Channel, string[]> => {
  const out = new Map<Channel, string[]>();
  for (const [s, chs] of w) for (const c of chs) (out.get(c) ?? out.set(c, []).get(c)!).push(s);
  return out;
};

/**
 * Calls that turn `have` into `want`, one per channel and direction (unsubscribes first).
 * With `resubscribeAll` (the throttle changed), every wanted stream is subscribed again: the
 * server then replaces its throttle.
 */
export function diffSubscriptions(have: Wanted, want: Wanted, resubscribeAll = false): SubOp[] {
  const ops: SubOp[] = [];
  const h = byChannel(have);
  const w = byChannel(want);
  for (const [ch, syms] of h) {
    const keep = new Set(w.get(ch) ?? []);
    const gone = syms.filter((s) => !keep.has(s));
    if (gone.length) ops.push({ op: 'unsubscribe', symbols: gone, channels: [ch] });
  }
  for (const [ch, syms] of w) {
    const had = new Set(resubscribeAll ? [] : (h.get(ch) ?? []));
    const added = syms.filter((s) => !had.has(s));
    if (added.length) ops.push({ op: 'subscribe', symbols: added, channels: [ch] });
  }
  return ops;
}

const copy = (w: Wanted): Wanted => new Map([...w].map(([s, c]) => [s, new Set(c)]));

/** Keeps one client's subscriptions equal to what is wanted, with the fewest calls. */
export class SubscriptionSync {
  #have: Wanted = new Map();
  #throttle = -1;

  constructor(readonly client: Pick<MarketClientApi, 'subscribe' | 'unsubscribe'>) {}

  sync(want: Wanted, throttle: number): void {
    const ops = diffSubscriptions(this.#have, want, throttle !== this.#throttle);
    for (const o of ops) {
      if (o.op === 'subscribe') this.client.subscribe(o.symbols, { channels: o.channels, throttle });
      else this.client.unsubscribe(o.symbols, o.channels);
    }
    this.#have = copy(want);
    this.#throttle = throttle;
  }
}
