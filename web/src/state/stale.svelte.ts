/**
 * Whether what the screen shows may be out of date: from the moment the stream drops
 * (reconnecting after having been live) until it is live again, which the client
 * reaches only after recovering the missed events or taking fresh snapshots.
 */
import type { ClientStatus } from '../../../shared/client/types.js';

export class Staleness {
  #since = $state<number | undefined>();
  #seenLive = false;

  /** When the data went stale (epoch ms), or undefined while it is live. */
  get since(): number | undefined {
    return this.#since;
  }

  /** Follows the client's status; `now` is the time of the change. */
  follow(state: ClientStatus['state'], now: number): void {
    if (state === 'live') {
      this.#seenLive = true;
      this.#since = undefined;
    } else if (this.#seenLive && this.#since === undefined && state === 'reconnecting') {
      this.#since = now;
    }
  }
}
