/**
 * The bus carries stream events from the feed to the fan-out. Engines: memory (one process,
 * the default) and redis (several nodes). Everything after the bus is the same on every node.
 */
import type { StreamEvent } from '../market/stream-event.js';

export interface Bus {
  /** Sends one batch of events, in order; a batch is delivered whole. */
  publish(events: StreamEvent[]): void | Promise<void>;
  /** Registers the receiver of every batch this node gets. */
  onEvents(handler: (events: StreamEvent[]) => void): void;
  close(): Promise<void>;
}
