/**
 * The bus carries stream events from the feed to the fan-out. Engines: memory (one process,
 * the default) and redis (several nodes), each checked with `satisfies Bus`. Everything after
 * the bus is the same on every node. Stream states, epochs and recovery history are read
 * through a StateSource (fanout/state-source.ts): node/local-source.ts in one process,
 * cluster/gateway-source.ts over Redis.
 */
import type { StreamEvent } from '../market/stream-event.js';

export interface Bus {
  /**
   * Sends one batch of events, in order; a batch is delivered whole. Each event's seq is its
   * stream's; the redis engine adds each symbol's epoch and the publish time to what it sends.
   */
  publish(events: StreamEvent[]): void | Promise<void>;
  /** Registers the receiver of every batch this node gets. */
  onEvents(handler: (events: StreamEvent[]) => void): void;
  /** This node wants these symbols' events; resolves once the engine confirmed (memory: every symbol always comes). */
  subscribe(symbols: string[]): Promise<void>;
  /** This node no longer wants these symbols' events. */
  unsubscribe(symbols: string[]): Promise<void>;
  /** Events may have been lost (the engine reconnected): whoever mirrors stream state re-reads it. */
  onReset(fn: () => void): void;
  close(): Promise<void>;
}
