/**
 * A feed node (ROLE=feed): runs the market and publishes every tick to Redis together with the
 * state gateways read (cluster/feed-store.ts). Serves only /healthz and /metrics. Exactly one
 * feed runs per Redis. A restarted feed continues every stream's seq from what Redis holds.
 *
 * Books across a restart: clients hold the book Redis kept, and the new run's simulator has a
 * book of its own. The market state starts from the kept one (same seq, levels, checksum), and
 * just before a restored symbol's first live event the feed applies one ordinary event that
 * takes it to the simulator's book (levels gone as 0, new ones with their size; the ticker
 * follows the touch). So every `book` update chains on in the same epoch and the checksum
 * holds for clients that stayed and for those that resume with `since`; a trade is always at
 * a touch clients saw.
 */
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { listen } from '../app.js';
import { RedisBus } from '../bus/redis.js';
import { bookTransition } from '../cluster/book-levels.js';
import { FeedStore } from '../cluster/feed-store.js';
import type { Config } from '../config.js';
import { SimSource } from '../feed/sim-source.js';
import type { BookLevels, MarketEvent, SymbolHistory, TickSource } from '../feed/tick-source.js';
import { newEpoch } from '../history/epoch.js';
import { MarketState } from '../market/market-state.js';
import type { StreamEvent } from '../market/stream-event.js';
import { registerFeedMetrics, type FeedStats } from './feed-metrics.js';
import { openReplay } from './replay-node.js';
import { recorderFor } from '../record/from-config.js';
import { replaySymbols } from './replay-symbols.js';

export interface FeedNode {
  readonly role: 'feed';
  app: FastifyInstance;
  feed: TickSource;
  market: MarketState;
  bus: RedisBus;
  /** What the feed keeps in Redis, epochs included. */
  store: FeedStore;
  stats: FeedStats;
  /** Writes the symbols not restored from Redis, starts the feed, listens; resolves to the URL. */
  start(): Promise<string>;
  close(): Promise<void>;
}

/** Waits for Redis (ioredis keeps retrying) and reads what a previous feed left there. */
export async function createFeedNode(config: Config): Promise<FeedNode> {
  const app = Fastify({
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
    logController: new LogController({ disableRequestLogging: true }),
  });
  const stats: FeedStats = { events: 0, batches: 0, lost: 0, rewrites: 0, restored: 0 };
  // FEED=replay: the recording plays once (or loops: see replayLoop below); nothing is restored from Redis.
  const replay = config.feed === 'replay' ? await openReplay(config, { shown: [], count: 0 }) : undefined;
  const feed: TickSource = replay ?? new SimSource({ symbols: config.feedSymbols, rate: config.feedRate, seed: config.feedSeed, bookDepth: config.bookDepth });
  let market = new MarketState({ bookDepth: config.bookDepth });
  // Redis is behind the market (a batch failed, or Redis restarted empty): rewrite before the next publish.
  let behind = false;
  let store: FeedStore | undefined;
  const bus = new RedisBus({
    url: config.redisUrl,
    persist: (tx, events) => store?.persist(tx, events),
    epochOf: (s) => store?.epochOf(s) ?? '',
    historyMs: config.historyMs,
    onLost: () => {
      if (!behind) app.log.warn('redis: a batch was not written; rewriting everything once Redis is back');
      stats.lost++;
      behind = true;
    },
    onError: (err) => app.log.warn(`redis: ${err.message}`),
  });
  await bus.ready();
  const symbols = feed.instruments.map((i) => i.symbol);
  const restored = replay ? new Map() : await FeedStore.restore(bus.redis, bus.keys, feed.instruments, config.bookDepth);
  /** Per restored symbol, the change from the kept book to the simulator's, applied before its first event. */
  const handover = new Map<string, MarketEvent>();
  for (const s of symbols) {
    const r = restored.get(s);
    market.addSymbol(s, r?.history ?? feed.history(s), r?.seqs);
    if (r) handover.set(s, handoverEvent(s, r.history.book ?? { bids: [], asks: [] }, feed.history(s)));
  }
  stats.restored = restored.size;
  const infos = replay ? replaySymbols(replay) : feed.instruments.map(({ symbol, name, kind, decimals, tickSize, currency, sizeDecimals }) => ({ symbol, name, kind, decimals, tickSize, currency, sizeDecimals, source: 'sim' as const }));
  const recorder = recorderFor(config, feed); // RECORD_DIR: what this feed publishes
  let st = (store = new FeedStore(bus.redis, bus.keys, market, infos, restored, newEpoch(Date.now(), Math.random)));
  if (replay) {
    replay.hooks = {
      restart() {
        market = new MarketState({ bookDepth: config.bookDepth });
        for (const s of symbols) market.addSymbol(s, feed.history(s));
      },
      history: (events) => void events.forEach((e) => market.apply(e, [])),
      // Each run (the first, a loop) under a new epoch, written whole before its first event:
      // gateways see the new epoch on the next event and re-read the symbol.
      live() {
        recorder?.books((s) => feed.history(s).book);
        st = store = new FeedStore(bus.redis, bus.keys, market, infos, new Map(), newEpoch(Date.now(), Math.random));
        void st.writeAll().catch(() => (behind = true));
      },
      clock: (c) => app.log.info({ clock: c }, 'replay clock'),
    };
  }

  const rewrite = () => {
    behind = false;
    stats.rewrites++;
    st.writeAll().catch(() => (behind = true));
  };
  // Registered after the first `ready`, so it sees reconnects only: Redis may have restarted empty,
  // or batches were missed. The market's state is the truth.
  bus.redis.on('ready', rewrite);

  const started = Date.now();
  app.get('/healthz', async () => ({
    status: 'ok',
    role: 'feed',
    uptime: (Date.now() - started) / 1000,
    symbols: symbols.length,
    redis: bus.status(),
    ...stats,
  }));
  registerFeedMetrics(app, stats, () => bus.status() === 'ready');

  const out: StreamEvent[] = [];
  return {
    role: 'feed',
    app,
    feed,
    get market() {
      return market;
    },
    bus,
    get store() {
      return st;
    },
    stats,
    async start() {
      // Restored symbols are left as stored: their trades and ts are the previous run's.
      await st.writeAll(symbols.filter((s) => !restored.get(s)?.epoch));
      const startedAt = Date.now();
      feed.start((events) => {
        out.length = 0;
        for (const e of events) {
          const h = handover.size ? handover.get(e.symbol) : undefined;
          if (h) {
            handover.delete(e.symbol);
            h.ts = Math.min(startedAt, e.ts);
            market.apply(h, out);
          }
          market.apply(e, out);
          recorder?.add(e, market.seq(e.symbol, 'trades')!);
        }
        if (out.length === 0) return;
        if (behind && bus.redis.status === 'ready') rewrite();
        st.note(out);
        stats.events += out.length;
        stats.batches++;
        void bus.publish(out.slice());
      });
      return listen(app, { ...config, tlsCert: undefined }); // plain HTTP: health and metrics only
    },
    async close() {
      feed.stop();
      await recorder?.close();
      await app.close();
      await bus.close();
    },
  };
}

/**
 * The event that takes a restored symbol from the book Redis kept to the source's book as it
 * starts (`ts` is set when applied): the level changes between the two, and the source's touch
 * as the quote. Without a source book the kept levels all go (the stream then stays empty).
 */
function handoverEvent(symbol: string, kept: BookLevels, h: SymbolHistory): MarketEvent {
  const to = h.book ?? { bids: [], asks: [] };
  return { symbol, ts: 0, quote: { ...h.quote }, book: bookTransition(kept, to) };
}
