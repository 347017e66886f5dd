/**
 * ROLE=all with FEED=replay: recorded files → market state → memory bus → hub, as createNode
 * does for the simulator, plus the replay clock (protocol 1.2 sections 2-3): hello.clock, the
 * `clock` message to every session, GET/POST /api/replay.
 *
 * Each run (the start, a seek, a loop) gives every stream a new epoch: a fresh LocalSource over
 * the market state as of the run's starting point (a backward seek or a loop rebuilds that state
 * from the files' start, the rows before the point applied without sending), and every stream
 * record in the hub is resynced, so subscribers get a snapshot of the new epoch.
 */
import type { Config } from '../config.js';
import { ConfigError } from '../config.js';
import { MemoryBus } from '../bus/memory.js';
import type { Bus } from '../bus/bus.js';
import { ReplaySource } from '../feed/replay/replay-source.js';
import { newEpoch } from '../history/epoch.js';
import type { MarketView } from '../http/market-view.js';
import { registerReplayRoutes } from '../http/replay-routes.js';
import { MarketState } from '../market/market-state.js';
import type { StreamEvent } from '../market/stream-event.js';
import { recorderFor } from '../record/from-config.js';
import type { Node } from './all.js';
import { serveClients } from './http-server.js';
import { LocalSource } from './local-source.js';
import { replaySymbols } from './symbol-list.js';
import { SwitchSource } from './switch-source.js';
import { historyLimits, hubFor, localLife, sendClock } from './wiring.js';

/** Bad lines logged one by one; past this many they are only counted. */
const BAD_LINES_SHOWN = 20;

export interface ReplayNode extends Node {
  replay: ReplaySource;
  /** Malformed lines found by the scan: the first ones (file:line: why), and how many. */
  badLines: { shown: string[]; count: number };
}

/** Opens and scans the recording (REPLAY_FILES...); a file it cannot use is a ConfigError naming it. */
export async function openReplay(config: Config, bad: ReplayNode['badLines']): Promise<ReplaySource> {
  if (config.replayFiles.length === 0) throw new ConfigError('REPLAY_FILES must name at least one file or folder when FEED=replay');
  try {
    return await ReplaySource.create({
      files: config.replayFiles,
      speed: config.replaySpeed,
      from: config.replayFrom,
      to: config.replayTo,
      loop: config.replayLoop,
      onBad: (file, line, message) => {
        if (bad.count++ < BAD_LINES_SHOWN) bad.shown.push(`${file}:${line}: ${message}`);
      },
    });
  } catch (err) {
    throw new ConfigError(`REPLAY_FILES: ${(err as Error).message}`);
  }
}

export async function createReplayNode(config: Config): Promise<ReplayNode> {
  const badLines = { shown: [] as string[], count: 0 };
  const feed = await openReplay(config, badLines);
  const symbolList = feed.instruments.map((i) => i.symbol);
  const newMarket = () => {
    // One process: quiet symbols take their book from the replay's own when first watched.
    const m = new MarketState({ bookDepth: config.bookDepth, quiet: { bookOf: (s) => feed.history(s).book! } });
    for (const s of symbolList) m.addSymbol(s, feed.history(s));
    return m;
  };
  let market = newMarket();
  const local = (m: MarketState) => new LocalSource(m, newEpoch(Date.now(), Math.random), historyLimits(config), Date.now);
  const bus: Bus = new MemoryBus();
  const source = new SwitchSource(bus, local(market));
  const hub = hubFor(config, source);

  const symbols = replaySymbols(feed);
  const view: MarketView = {
    symbols: () => symbols,
    snapshot: (s, ch) => source.snapshot(s, ch),
    candles: (s, iv, limit) => market.candles(s, iv, limit),
  };
  const app = await serveClients(config, hub, view, () => ({ symbols: symbols.length, replay: feed.clock() }), { replay: feed });
  // The delivery-delay metric measures wall time since `ts`; a replay's ts are market times of the past.
  hub.ignoreDelay();
  hub.setLog((msg) => app.log.error(msg), (obj, msg) => app.log.info(obj, msg));
  for (const line of badLines.shown) app.log.warn(`replay: malformed line skipped: ${line}`);
  if (badLines.count > badLines.shown.length) app.log.warn(`replay: ${badLines.count - badLines.shown.length} more malformed lines skipped`);

  hub.setClock((session) => ({ ...feed.clock(), control: session.replay }));
  const recorder = recorderFor(config, feed);
  const scratch: StreamEvent[] = [];
  feed.hooks = {
    restart: () => {
      market = newMarket();
    },
    history: (events) => {
      for (const e of events) market.apply(e, scratch);
      scratch.length = 0;
    },
    live: () => {
      recorder?.books((s) => feed.history(s).book);
      source.current = local(market);
      for (const [s, ch] of hub.streams.streams()) {
        const snap = source.snapshot(s, ch);
        if (snap) hub.resync(snap);
      }
    },
    clock: (c) => sendClock(hub, () => c),
  };

  return {
    app,
    hub,
    feed,
    get market() {
      return market;
    },
    /** The current run's state source (each run has its own: a new epoch). */
    get source() {
      return source.current;
    },
    replay: feed,
    badLines,
    ...localLife({ config, feed, market: () => market, bus, recorder, hub, app }),
  };
}
