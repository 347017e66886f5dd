/**
 * A StateSource whose LocalSource is replaced when numbering starts again (a replay's seek or
 * loop: a new epoch over a new market state). The hub keeps the one object.
 */
import type { Channel, StreamPosition } from '../../shared/protocol.js';
import type { StateSource } from '../fanout/state-source.js';
import type { Recovery } from '../history/stream-history.js';
import type { StreamSnapshot } from '../market/stream-event.js';
import type { LocalSource } from './local-source.js';

export class SwitchSource implements StateSource {
  constructor(public current: LocalSource) {}

  isSymbol(symbol: string): boolean {
    return this.current.isSymbol(symbol);
  }

  snapshot(symbol: string, ch: Channel): StreamSnapshot | undefined {
    return this.current.snapshot(symbol, ch);
  }

  recover(p: StreamPosition, now: number): Recovery {
    return this.current.recover(p, now);
  }
}
