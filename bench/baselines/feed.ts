/**
 * The feed the baselines share with Tickwire: the same SimSource and MarketState (same seed,
 * same symbols, same rate, same per-event work on trades and candles), read from the same
 * environment variables. Baselines get, per ticker event, the symbol and its whole current
 * ticker (what a tutorial server keeps and sends), kept up to date in place.
 *
 * The tutorial's feed, as issue 14 measured it: a 10 ms feed timer at every rate (SimSource's
 * own default is 20 ms below 20 events/s), and `ts` stamped at emission, here set to the clock
 * when the batch reaches the server, whatever the simulator stamps.
 */
import { loadConfig } from '../../server/config.js';
import { SimSource } from '../../server/feed/sim-source.js';
import { MarketState } from '../../server/market/market-state.js';
import type { StreamEvent } from '../../server/market/stream-event.js';

export type TickerView = Record<string, number>;

export interface BaselineFeed {
  symbols: string[];
  /** Latest whole ticker per symbol (mutated in place as events arrive). */
  tickers: Map<string, TickerView>;
  start(onTicker: (symbol: string, ticker: TickerView) => void): void;
  stop(): void;
}

export function baselineFeed(env: Record<string, string | undefined> = process.env): BaselineFeed {
  const config = loadConfig(env);
  const feed = new SimSource({ symbols: config.feedSymbols, rate: config.feedRate, seed: config.feedSeed, tickMs: 10 });
  const market = new MarketState();
  const tickers = new Map<string, TickerView>();
  for (const inst of feed.instruments) {
    market.addSymbol(inst.symbol, feed.history(inst.symbol));
    tickers.set(inst.symbol, market.snapshot(inst.symbol, 'ticker')!.d as TickerView);
  }
  const out: StreamEvent[] = [];
  return {
    symbols: feed.instruments.map((i) => i.symbol),
    tickers,
    start(onTicker) {
      feed.start((events) => {
        out.length = 0;
        for (const e of events) market.apply(e, out);
        const now = Date.now();
        for (const e of out) {
          if (e.ch !== 'ticker') continue;
          const t = tickers.get(e.s)!;
          Object.assign(t, e.d);
          t.ts = now;
          onTicker(e.s, t);
        }
      });
    },
    stop: () => feed.stop(),
  };
}
