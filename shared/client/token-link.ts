/**
 * A link opened once its token is there (a `getToken` that returns a promise): sends before
 * that are dropped, as on any link that is not open yet; close() before then means it never
 * opens; a token that cannot be had ends it like a refused connection.
 */
import type { Link } from './link.js';
import type { TransportKind } from './types.js';

/** `open` makes the real link (or returns undefined when its owner has given up meanwhile). */
export function linkAfterToken(kind: TransportKind, token: Promise<string>, open: (token: string) => Link | undefined, failed: (reason: string) => void): Link {
  let inner: Link | undefined;
  let ended = false;
  token.then(
    (t) => {
      if (!ended) inner = open(String(t));
    },
    (err: unknown) => {
      if (!ended) failed(`getToken failed: ${err instanceof Error ? err.message : String(err)}`);
    },
  );
  return {
    kind,
    get token() {
      return inner?.token;
    },
    send: (m) => inner?.send(m),
    close: () => {
      ended = true;
      inner?.close();
    },
    setToken: (t) => inner?.setToken?.(t),
  };
}
