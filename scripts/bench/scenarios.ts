/** The scenarios of `npm run bench`: fan-out A-E (FEED_SYMBOLS=500; FEED_RATE 10, E 20), the book pair, and F (feed at scale). */

export interface Scenario {
  id: string;
  title: string;
  clients: number;
  symbolsPer: number;
  /** ms; 0 = every event. */
  throttle: number;
  feedRate: number;
  feedSymbols: number;
  /** Measured seconds (default; `--duration` overrides). */
  durationS: number;
}

export const SCENARIOS: Scenario[] = [
  { id: 'A', title: '200 clients x 20 symbols, every event', clients: 200, symbolsPer: 20, throttle: 0, feedRate: 10, feedSymbols: 500, durationS: 15 },
  { id: 'B', title: '1,000 clients x 20 symbols, every event', clients: 1000, symbolsPer: 20, throttle: 0, feedRate: 10, feedSymbols: 500, durationS: 15 },
  { id: 'C', title: '1,000 clients x 50 symbols, throttle 100 ms', clients: 1000, symbolsPer: 50, throttle: 100, feedRate: 10, feedSymbols: 500, durationS: 15 },
  { id: 'D', title: '10,000 connections x 5 symbols, throttle 1,000 ms', clients: 10000, symbolsPer: 5, throttle: 1000, feedRate: 10, feedSymbols: 500, durationS: 10 },
  // Overload: about 800k updates/s offered, past what one process (and this load client) delivers.
  { id: 'E', title: '2,000 clients x 20 symbols, every event, FEED_RATE 20 (overload)', clients: 2000, symbolsPer: 20, throttle: 0, feedRate: 20, feedSymbols: 500, durationS: 15 },
];

/**
 * Scenario F (scripts/bench/feed-scale.ts): Tickwire alone with no client, one fresh process per
 * universe size: time from spawn to the first `/healthz` 200, RSS and CPU over an idle window
 * (`/healthz` probed every 50 ms in it). The issue's goals are at 10,000 symbols; 48 and 500
 * give RSS per symbol. No baseline: the goals are absolute and the baselines' feed is Tickwire's.
 */
export interface FeedScaleScenario {
  id: 'F';
  title: string;
  sizes: number[];
  feedRate: number;
  /** Idle window, s. */
  windowS: number;
}

export const FEED_SCALE: FeedScaleScenario = {
  id: 'F', title: 'feed at scale, no client: 48, 500 and 10,000 symbols at FEED_RATE 5', sizes: [48, 500, 10000], feedRate: 5, windowS: 10,
};

/** `--quick` for F: 500 symbols only, a short window. */
export function quickScale(f: FeedScaleScenario): FeedScaleScenario {
  return { ...f, title: 'feed at scale, no client: 500 symbols (quick)', sizes: [500], windowS: 1 };
}

/**
 * The book-heavy scenarios (scripts/bench/book-run.ts): `ticker` + `book` on 100 symbols, so
 * that clients share streams, each run against Tickwire and the naive full-snapshot baseline.
 */
export const BOOK_SCENARIOS: Scenario[] = [
  { id: 'BOOK0', title: '200 clients x 5 symbols, ticker + book, every event', clients: 200, symbolsPer: 5, throttle: 0, feedRate: 10, feedSymbols: 100, durationS: 10 },
  { id: 'BOOK100', title: '200 clients x 5 symbols, ticker + book, throttle 100 ms', clients: 200, symbolsPer: 5, throttle: 100, feedRate: 10, feedSymbols: 100, durationS: 10 },
];

/** `--quick`: the same shapes, tiny, for a smoke run. */
export function quick(s: Scenario): Scenario {
  return { ...s, clients: Math.max(2, Math.round(s.clients / 100)), feedSymbols: 50, durationS: 1 };
}

/**
 * Updates per second a server can deliver at most. Unthrottled: every event of every
 * subscribed stream (clients x symbols x rate). Throttled to T ms: one conflated item per
 * stream per period that had at least one event; with Poisson events that is
 * (1000/T) x (1 - e^(-rate x T/1000)) per stream.
 */
export function offeredPerSecond(s: Pick<Scenario, 'clients' | 'symbolsPer' | 'throttle' | 'feedRate'>): number {
  const perStream = s.throttle > 0 ? (1000 / s.throttle) * (1 - Math.exp((-s.feedRate * s.throttle) / 1000)) : s.feedRate;
  return s.clients * s.symbolsPer * perStream;
}
