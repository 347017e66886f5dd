/**
 * The StateSource of a node that runs its market (ROLE=all, a replay), and the one path from
 * its memory bus into the hub: each batch is recorded into the current LocalSource's history,
 * then published into the sink. The LocalSource is replaced when numbering starts again (a
 * replay's seek or loop: a new epoch over a new market state); the hub keeps this one object.
 * A simulator's run never starts again: ROLE=all keeps its first.
 */
import type { Channel, StreamPosition } from '../../shared/protocol.js';
import type { Bus } from '../bus/bus.js';
import type { StreamSink } from '../fanout/stream-sink.js';
import type { Recovery } from '../history/stream-history.js';
import type { StreamSnapshot } from '../market/stream-event.js';
import type { LocalSource } from './local-source.js';
import type { FeedingSource } from './wiring.js';

export class SwitchSource implements FeedingSource {
  #sink?: StreamSink;

  constructor(bus: Bus, public current: LocalSource) {
    bus.onEvents((events) => {
      this.current.record(events);
      this.#sink?.publish(events);
    });
  }

  attach(sink: StreamSink): void {
    this.#sink = sink;
  }

  isSymbol(symbol: string): boolean {
    return this.current.isSymbol(symbol);
  }

  snapshot(symbol: string, ch: Channel): StreamSnapshot | undefined {
    return this.current.snapshot(symbol, ch);
  }

  recover(p: StreamPosition, now: number): Recovery {
    return this.current.recover(p, now);
  }

  cold(symbol: string): boolean {
    return this.current.cold(symbol);
  }

  warm(symbols: string[], owner: object, inline?: number): Promise<void> {
    return this.current.warm(symbols, owner, inline);
  }
}
