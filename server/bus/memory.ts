import type { StreamEvent } from '../market/stream-event.js';
import type { Bus } from './bus.js';

/** In-process bus: publish hands the batch to every handler synchronously. */
export class MemoryBus implements Bus {
  readonly #handlers: ((events: StreamEvent[]) => void)[] = [];

  publish(events: StreamEvent[]): void {
    for (const h of this.#handlers) h(events);
  }

  onEvents(handler: (events: StreamEvent[]) => void): void {
    this.#handlers.push(handler);
  }

  /** Every event reaches every handler: nothing to subscribe. */
  async subscribe(_symbols: string[]): Promise<void> {}

  async unsubscribe(_symbols: string[]): Promise<void> {}

  /** In-process delivery loses nothing: never called. */
  onReset(_fn: () => void): void {}

  async close(): Promise<void> {
    this.#handlers.length = 0;
  }
}

export const memoryBus = (): Bus => new MemoryBus() satisfies Bus;
