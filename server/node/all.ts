/**
 * ROLE=all (the default) with the simulator: one process, feed -> market state -> memory bus ->
 * hub -> transports, plus REST and the dashboard, no Redis. `start()` listens and returns the
 * URL; `close()` stops everything. FEED=replay in one process is replay-node.ts.
 */
import type { FastifyInstance } from 'fastify';
import type { Bus } from '../bus/bus.js';
import { MemoryBus } from '../bus/memory.js';
import type { Config } from '../config.js';
import type { Hub } from '../fanout/hub.js';
import { WARM_INLINE } from '../fanout/snapshot-parts.js';
import { SimSource } from '../feed/sim-source.js';
import type { TickSource } from '../feed/tick-source.js';
import { newEpoch } from '../history/epoch.js';
import type { MarketView } from '../http/market-view.js';
import { MarketState } from '../market/market-state.js';
import { recorderFor } from '../record/from-config.js';
import { BackfillPool } from '../work/backfill-pool.js';
import { serveClients } from './http-server.js';
import { LocalSource } from './local-source.js';
import { SwitchSource } from './switch-source.js';
import { simSymbols } from './symbol-list.js';
import { readIn, Warmup } from './warmup.js';
import { historyLimits, hubFor, localLife } from './wiring.js';

/**
 * A symbol whose last snapshot is this old and that no stream record holds (records linger 10 s
 * after their last subscriber) goes quiet again; swept every QUIET_SWEEP_MS: within 45 s.
 */
export const QUIET_AFTER_MS = 30_000;
const QUIET_SWEEP_MS = 5_000;

export interface Node {
  app: FastifyInstance;
  hub: Hub;
  feed: TickSource;
  market: MarketState;
  /** The hub's state source: the market state's epoch, recovery history and watch (local-source.ts). */
  source: LocalSource;
  /** Listens on config.port (0: a free port); resolves to the base URL, e.g. http://127.0.0.1:8080. */
  start(): Promise<string>;
  close(): Promise<void>;
}

export async function createNode(config: Config): Promise<Node> {
  const sim = new SimSource({ symbols: config.feedSymbols, rate: config.feedRate, seed: config.feedSeed, bookDepth: config.bookDepth });
  const feed: TickSource = sim;
  // One process: every position comes from a snapshot, and the simulator holds every book as it stands.
  const market = new MarketState({ bookDepth: config.bookDepth, quiet: { bookOf: (s) => feed.history(s).book! } });
  for (const inst of feed.instruments) market.addSymbol(inst.symbol, feed.history(inst.symbol));
  const bus: Bus = new MemoryBus();
  const recorder = recorderFor(config, feed); // RECORD_DIR (docs/replay.md)

  // One process keeps no state across restarts: each start is a new epoch.
  const source = new LocalSource(market, newEpoch(Date.now(), Math.random), historyLimits(config), Date.now);
  const pool = config.backfillWorkers > 0 ? new BackfillPool(sim.recipe, { workers: config.backfillWorkers }) : undefined;
  source.warmup = new Warmup(sim, readIn(market), pool);
  const hub = hubFor(config, new SwitchSource(bus, source)); // a simulator's run never starts again: the one source stays

  const symbols = simSymbols(feed.instruments);
  const view: MarketView = {
    symbols: () => symbols,
    snapshot: (s, ch) => source.snapshot(s, ch),
    candles: (s, iv, limit) => market.candles(s, iv, limit),
    warm: (syms, owner, part) => source.warmup?.warm(syms, owner, WARM_INLINE, part) ?? Promise.resolve(),
    done: (syms) => source.quietNow(syms, (s) => hub.streams.inUse(s)),
  };
  // Watching ends: symbols nobody holds go quiet again (QUIET_AFTER_MS after their last snapshot).
  const quieter = setInterval(() => source.quietIdle(Date.now(), QUIET_AFTER_MS, (s) => hub.streams.inUse(s)), QUIET_SWEEP_MS);
  quieter.unref();

  // feedRate: so that a tool measuring this node (npm run compare --url) can report it.
  const app = await serveClients(config, hub, view, () => ({ symbols: symbols.length, feedRate: config.feedRate }));
  hub.setLog((msg) => app.log.error(msg), (obj, msg) => app.log.info(obj, msg));

  return {
    app,
    hub,
    feed,
    market,
    source,
    ...localLife({ config, feed, market: () => market, bus, recorder, hub, app }, async () => {
      clearInterval(quieter);
      await source.warmup?.close();
    }),
  };
}
