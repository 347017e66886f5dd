/**
 * Graceful shutdown. On SIGTERM or SIGINT: every session is told goodbye through its own
 * transport (WebSocket: close 1001 "going away"; SSE: the stream ends, and EventSource
 * reconnects elsewhere), then the node closes (Fastify stops accepting and answers 503 while
 * it closes) and the process exits 0. Past `timeoutMs`, or on a second signal, it exits 1.
 */
import { CLOSE } from '../shared/protocol.js';
import type { Hub } from './fanout/hub.js';

export interface Closable {
  /** The client sessions; a feed node serves none. */
  hub?: Hub;
  close(): Promise<void>;
}

/** Closes every session with 1001, then the node. Resolves when the node has closed. */
export async function goAway(node: Closable): Promise<void> {
  const hub = node.hub;
  for (const s of hub ? [...hub.sessions] : []) {
    s.transport.close(CLOSE.goingAway, 'server shutting down');
    hub?.close(s);
  }
  await node.close();
}

export interface ShutdownOptions {
  /** Longest wait for a clean close before exiting 1, ms (default 4000). */
  timeoutMs?: number;
  log?: { info(msg: string): void; error(obj: unknown, msg: string): void };
  exit?: (code: number) => void;
}

/** Installs the SIGTERM/SIGINT handlers; returns a function that removes them. */
export function installShutdown(node: Closable, o: ShutdownOptions = {}): () => void {
  const exit = o.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (stopping) return exit(1);
    stopping = true;
    o.log?.info(`${sig}: shutting down`);
    setTimeout(() => {
      o.log?.info(`shutdown took over ${o.timeoutMs ?? 4000} ms: exiting anyway`);
      exit(1);
    }, o.timeoutMs ?? 4000).unref();
    goAway(node).then(
      () => exit(0),
      (err) => {
        o.log?.error(err, 'shutdown failed');
        exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
}
