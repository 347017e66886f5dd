/**
 * How every node that serves clients connects its parts, the same for each role: the source
 * (a StateSource that is also the one path from the bus into the fan-out) feeds the hub through
 * its StreamSink; and, where the market runs in this process, feed -> market -> bus.
 */
import type { FastifyInstance } from 'fastify';
import type { Bus } from '../bus/bus.js';
import type { Config } from '../config.js';
import type { ReplayClockState } from '../feed/replay/clock.js';
import type { MarketEvent, TickSource } from '../feed/tick-source.js';
import { Hub } from '../fanout/hub.js';
import type { StateSource } from '../fanout/state-source.js';
import type { StreamSink } from '../fanout/stream-sink.js';
import type { HistoryLimits } from '../history/stream-history.js';
import { authenticatorFromConfig } from '../auth/index.js';
import { connectionLimits } from '../http/access.js';
import { SNAPSHOT_TRADES, type MarketState } from '../market/market-state.js';
import type { StreamEvent } from '../market/stream-event.js';
import type { Recorder } from '../record/recorder.js';
import { listen } from './http-server.js';

/** HISTORY_MS and HISTORY_TRADES. */
export const historyLimits = (config: Config): HistoryLimits => ({ ms: config.historyMs, trades: config.historyTrades });

/**
 * A node's state source, and the only way the bus's events reach the hub: it keeps what it
 * needs of each batch (history, a mirror) first, then publishes into the sink (switch-source.ts
 * in one process, cluster/gateway-source.ts over Redis).
 */
export interface FeedingSource extends StateSource {
  attach(sink: StreamSink): void;
}

/** The fan-out with the configured limits over `source`, which feeds it from now on. */
export function hubFor(config: Config, source: FeedingSource): Hub {
  const hub = new Hub({
    source,
    history: historyLimits(config),
    limits: {
      symbols: config.limitSymbols,
      throttle: { min: 0, max: 60000 },
      rate: config.limitRate,
      payload: config.limitPayload,
      ...connectionLimits(config),
    },
    heartbeatMs: config.heartbeatMs,
    policy: { highWater: config.slowConsumerBytes, graceMs: config.slowConsumerGraceMs, snapshotTrades: SNAPSHOT_TRADES },
    // One Authenticator per node: the access guard (serveClients) and `refresh` share it.
    auth: authenticatorFromConfig(config),
    book: { depth: config.bookDepth },
  });
  source.attach(hub);
  return hub;
}

/** What a node whose market runs in this process (ROLE=all, a replay) starts and stops. */
export interface LocalParts {
  config: Config;
  feed: TickSource;
  /** Read per batch: a replay swaps the market state between runs. */
  market: () => MarketState;
  bus: Bus;
  recorder?: Recorder;
  hub: Hub;
  app: FastifyInstance;
}

/** `start` runs the feed into the market and listens; `close` stops it all, then `more` (what the role added). */
export function localLife(p: LocalParts, more: () => Promise<void> | void = () => {}): { start(): Promise<string>; close(): Promise<void> } {
  return {
    async start() {
      pump(p.feed, p.market, (out) => void p.bus.publish(out.slice()), { recorder: p.recorder });
      p.hub.start();
      return listen(p.app, p.config);
    },
    async close() {
      p.feed.stop();
      p.hub.stop();
      await p.recorder?.close();
      await p.app.close();
      await p.bus.close();
      await more();
    },
  };
}

export interface PumpOptions {
  /** RECORD_DIR: every market event, with its trades seq. */
  recorder?: Recorder;
  /** Runs before each event is applied (a feed node's handover of a restored book). */
  before?: (e: MarketEvent, market: MarketState, out: StreamEvent[]) => void;
}

/** The `clock` message (protocol 1.2) to every session, the clock as of the hub's now (a replay, a gateway mirroring one). */
export function sendClock(hub: Hub, clockAt: (t: number) => ReplayClockState): void {
  const t = hub.now();
  const c = clockAt(t);
  for (const s of hub.sessions) s.send({ type: 'clock', ...c, t }, t);
}

/**
 * Feed -> market -> publish, on every node that runs the market: each batch is applied to the
 * market state (`market()`, read per batch), recorded when RECORD_DIR is set, and its stream
 * events handed to `publish` (none: not called). `out` is reused: copy what you keep.
 */
export function pump(feed: TickSource, market: () => MarketState, publish: (out: StreamEvent[]) => void, o: PumpOptions = {}): void {
  const out: StreamEvent[] = [];
  feed.start((events) => {
    out.length = 0;
    const m = market();
    for (const e of events) {
      o.before?.(e, m, out);
      m.apply(e, out);
      o.recorder?.add(e, m.seq(e.symbol, 'trades')!);
    }
    if (out.length) publish(out);
  });
}
