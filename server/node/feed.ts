/**
 * A feed node (ROLE=feed): runs the market and publishes every tick to Redis together with the
 * state gateways read (cluster/feed-store.ts). Serves only /healthz and /metrics, and with
 * FEED=replay GET/POST /api/replay (loopback peers only) and the clock to gateways. Exactly one
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
import type { FastifyInstance } from 'fastify';
import { RedisBus } from '../bus/redis.js';
import { bookTransition } from '../cluster/book-levels.js';
import { Generations } from '../cluster/feed-generations.js';
import { identify, markStopped, readMarkers, readWriter, STOPPED } from '../cluster/feed-proof.js';
import { FeedStore } from '../cluster/feed-store.js';
import type { Config } from '../config.js';
import { SimSource } from '../feed/sim-source.js';
import type { BookLevels, MarketEvent, SymbolHistory, TickSource } from '../feed/tick-source.js';
import { newEpoch } from '../history/epoch.js';
import { MarketState } from '../market/market-state.js';
import type { StreamEvent } from '../market/stream-event.js';
import { degraded } from '../redis/health.js';
import { RedisShard, describeTarget, redisTarget } from '../redis/connection.js';
import { registerRedisMetrics } from '../redis/metrics.js';
import { registerFeedMetrics, type FeedStats } from './feed-metrics.js';
import { openReplay } from './replay-node.js';
import { recorderFor } from '../record/from-config.js';
import { simSymbols, replaySymbols } from './symbol-list.js';
import { listen, newFastify } from './http-server.js';
import { pump } from './wiring.js';
import { clearClock, writeClock } from '../cluster/replay-clock-relay.js';
import { registerReplayRoutes } from '../http/replay-routes.js';

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
  const app = newFastify(config);
  const stats: FeedStats = { events: 0, batches: 0, lost: 0, rewrites: 0, restored: 0, renewed: 0 };
  // FEED=replay: the recording plays once (or loops: see replayLoop below); nothing is restored from Redis.
  const replay = config.feed === 'replay' ? await openReplay(config, { shown: [], count: 0 }) : undefined;
  const feed: TickSource = replay ?? new SimSource({ symbols: config.feedSymbols, rate: config.feedRate, seed: config.feedSeed, bookDepth: config.bookDepth });
  let market = new MarketState({ bookDepth: config.bookDepth });
  // Redis is behind the market (a batch failed, or Redis restarted empty): rewrite before the next publish.
  let behind = false;
  let store: FeedStore | undefined;
  const shard = new RedisShard(redisTarget(config), { log: (msg) => app.log.warn(msg), commandKind: 'publisher' });
  const bus = new RedisBus({
    shard,
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
  await shard.ready();
  const symbols = feed.instruments.map((i) => i.symbol);
  // A previous run's state continues its epochs only if this server provably holds all that run
  // published: it has run since the last proof (same run and replication ids), or the run stopped cleanly.
  let src = await identify(shard);
  const writer = await readWriter(shard);
  const restored = replay ? new Map() : await FeedStore.restore(shard, feed.instruments, config.bookDepth);
  if (restored.size && writer !== src && writer !== STOPPED) {
    app.log.warn(`redis: ${describeTarget(shard.target)} cannot be shown to hold all the last feed published (writer ${writer ?? 'unknown'}, server ${src}); its ${restored.size} symbols start a new epoch`);
    for (const r of restored.values()) delete r.epoch;
  }
  /** Per restored symbol, the change from the kept book to the simulator's, applied before its first event. */
  const handover = new Map<string, MarketEvent>();
  for (const s of symbols) {
    const r = restored.get(s);
    // The handover reads the kept book first: addSymbol takes the history (and drops its book).
    if (r) handover.set(s, handoverEvent(s, r.history.book ?? { bids: [], asks: [] }, feed.history(s)));
    market.addSymbol(s, r?.history ?? feed.history(s), r?.seqs);
  }
  stats.restored = restored.size;
  const infos = replay ? replaySymbols(replay) : simSymbols(feed.instruments);
  const recorder = recorderFor(config, feed); // RECORD_DIR: what this feed publishes
  const gens = new Generations(newEpoch(Date.now(), Math.random));
  let st = (store = new FeedStore(shard, market, infos, restored, newEpoch(Date.now(), Math.random), gens));
  let firstLive = false;
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
        if (!firstLive) (firstLive = true), publishClock(); // re-anchored after the history read; later runs report through `clock`
        recorder?.books((s) => feed.history(s).book);
        st = store = new FeedStore(shard, market, infos, new Map(), newEpoch(Date.now(), Math.random), gens);
        void st.writeAll().catch(() => (behind = true));
      },
      clock: (c) => {
        app.log.info({ clock: c }, 'replay clock');
        publishClock();
      },
    };
  }
  // FEED=replay: gateways mirror the clock (cluster/replay-clock-relay.ts); FEED=sim leaves none.
  const publishClock = (): void => {
    if (!shard.up) return; // written again on the next `ready`
    const p = replay ? writeClock(shard, { state: replay.clock(), t: Date.now() }) : clearClock(shard);
    p.catch((err: Error) => app.log.warn(`redis: the replay clock was not written: ${err.message}`));
  };

  // After a reconnect or a lost batch: symbols whose stored generation does not prove that Redis
  // holds what they last published start a new epoch; then everything is rewritten from the
  // market (the truth) and the writer marker names this server. The reads are sent first, so
  // publishes that go out meanwhile land after them.
  let reconciling = false;
  let again = false;
  // After lost batches, publishes wait until the rewrite is queued: one written before it would
  // add to lists (trades, bars) that still miss the lost batches' entries. Clients see a gap either way.
  let holding = false;
  let running = false; // before start() wrote its markers there is nothing to prove
  const rewrite = () => {
    if (!running) return;
    if (reconciling) return void (again = true);
    reconciling = true;
    holding ||= behind;
    behind = false;
    stats.rewrites++;
    const check = gens.check();
    Promise.all([identify(shard), readMarkers(shard, symbols)])
      .then(async ([server, stored]) => {
        const unproven = check(stored);
        if (unproven.length) {
          st.renew(unproven, newEpoch(Date.now(), Math.random));
          stats.renewed += unproven.length;
          app.log.warn(`redis: ${unproven.length} of ${symbols.length} symbols are not stored as last published (e.g. ${unproven[0]}); they start a new epoch`);
        }
        const written = st.writeAll(undefined, server); // queued now: later publishes land after it
        holding = false;
        await written;
        src = server;
      })
      .catch(() => (behind = true))
      .finally(() => {
        holding = false;
        reconciling = false;
        if (again) (again = false), rewrite();
      });
  };
  // Registered after the first `ready`, so it sees reconnects only: Redis may have restarted, been
  // replaced by a replica, or batches were missed.
  shard.onReady(rewrite);
  shard.onReady(() => running && publishClock());
  // A flushed Redis keeps the connection: the writer marker going missing tells.
  const watchWriter = setInterval(() => {
    if (!running || reconciling || behind || !shard.up) return;
    readWriter(shard).then((w) => w !== src && !reconciling && (app.log.warn('redis: the writer marker changed under the feed; checking every symbol'), rewrite()), () => {});
  }, 1000);
  watchWriter.unref();

  const started = Date.now();
  app.get('/healthz', async (_req, reply) => ({
    ...degraded(shard, reply),
    role: 'feed',
    uptime: (Date.now() - started) / 1000,
    symbols: symbols.length,
    redis: bus.status(),
    ...stats,
  }));
  registerRedisMetrics(registerFeedMetrics(app, stats, () => bus.status() === 'ready'), shard);
  // Replay control lives here (gateways answer 403). The feed checks no tokens: loopback peers only.
  if (replay) registerReplayRoutes(app, replay, { authEnabled: false });

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
      await st.mark(symbols.filter((s) => restored.get(s)?.epoch), src);
      running = true;
      publishClock(); // the first run's clock (its hook reports changes only)
      const startedAt = Date.now();
      const before = (e: MarketEvent, m: MarketState, out: StreamEvent[]) => {
        const h = handover.size ? handover.get(e.symbol) : undefined;
        if (!h) return;
        handover.delete(e.symbol);
        h.ts = Math.min(startedAt, e.ts);
        m.apply(h, out);
      };
      pump(feed, () => market, (out) => {
        if (behind && shard.up) rewrite();
        st.note(out);
        stats.events += out.length;
        stats.batches++;
        if (holding) stats.lost++;
        else void bus.publish(out.slice());
      }, { recorder, before });
      return listen(app, { ...config, tlsCert: undefined }); // plain HTTP: health, metrics, replay control (loopback)
    },
    async close() {
      feed.stop();
      clearInterval(watchWriter);
      await recorder?.close();
      await app.close();
      // After the last publish on this connection: the state Redis holds is all this run published.
      if (shard.up && !behind && !reconciling) await markStopped(shard).catch(() => {});
      await bus.close();
      await shard.close();
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
