/**
 * More accepts per event-loop iteration on Node 20. Its libuv (1.46) accepts one connection each
 * time the listening socket polls readable, that is one per iteration: on a loop busy with 10 ms
 * iterations a 1,000-client reconnect takes 10 s to accept, and every new connection (a health
 * check's too) waits behind it in the kernel's queue. Node 22.12's `reusePort` is not here.
 *
 * So the listening socket is watched through more descriptors of its own: each poll reports
 * every descriptor readable, and each accepts one connection. A process cannot duplicate a
 * socket's descriptor from JavaScript, but one passed over an IPC channel arrives as a new
 * descriptor (SCM_RIGHTS): a short-lived child sends each handle straight back and exits. What
 * the extra descriptors accept is handed to the server as its own 'connection' (the documented
 * way to inject one), so every guard and listener sees it alike.
 *
 * Each new connection wakes every watching descriptor, and all but one find the queue empty
 * (EAGAIN): about 4 us a descriptor here (scripts/bench/accept-cost.ts). So `calm` descriptors
 * watch while connections come one by one, and the `most` are watched on demand: in the
 * iteration where every watching descriptor accepted one (a burst, the queue likely holds more),
 * the spares start watching; `calmMs` after the last such burst they are closed and fresh spares
 * fetched (a descriptor cannot stop watching without closing).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

/** Sends every handle it is given straight back, then leaves once the last has gone. */
const ECHO = "process.on('message',(m,h)=>process.send(m,h,()=>{if(m.last)process.disconnect()}))";

/** How long the child may take to start and echo, ms; past it the server keeps what it has. */
const ECHO_TIMEOUT_MS = 10_000;

export interface AcceptOptions {
  /** Descriptors watching in calm (the server's own included; default 4). */
  calm?: number;
  /** Descriptors watching in a burst, at most (the server's own included): ACCEPT_HANDLES. */
  most: number;
  /** Passed again with each listen, since listen() on a shared socket sets the queue length for all. */
  backlog: number;
  /** How long after the last burst the spares stop watching, ms (default 5000). */
  calmMs?: number;
  /** Why fewer descriptors than asked were added (the server works on with what it has). */
  onError?: (err: Error) => void;
}

export interface AcceptHandles {
  /** Extra descriptors watching now. */
  readonly watching: number;
  /** Extra descriptors held, watching or spare. */
  readonly held: number;
  /**
   * Stops them all (the server's own handle closes with the server) and kills any child still
   * running; resolves once the children are gone, since their copies keep the port open till then.
   */
  close(): Promise<void>;
}

interface RawHandle {
  close(cb?: () => void): void;
}

/** Adds descriptors to `server`'s listening socket in the background (none when `most` <= 1). */
export function addAcceptHandles(server: net.Server, o: AcceptOptions): AcceptHandles {
  const calm = Math.max(1, Math.min(o.calm ?? 4, o.most));
  const calmMs = o.calmMs ?? 5000;
  const onError = o.onError ?? (() => {});
  const handle = (server as unknown as { _handle?: object })._handle; // what cluster sends its workers
  const watching: net.Server[] = [];
  const spares: RawHandle[] = [];
  const echoes = new Set<Echo>();
  let closed = false;
  let lastBurst = 0;
  let accepted = 0;

  const take = (dup: RawHandle) => {
    if (closed) return dup.close();
    if (watching.length < calm - 1) watching.push(listenOn(server, dup, o.backlog));
    else spares.push(dup);
  };
  const fetch = (k: number) => {
    if (k <= 0 || closed || !handle) return;
    const e = echo(handle, k, take, (err) => onError(err));
    echoes.add(e);
    void e.gone.then(() => echoes.delete(e));
  };
  // A burst: every watching descriptor (and the server's own) accepted one in this iteration.
  const count = () => {
    if (accepted++ > 0) return;
    setImmediate(() => {
      if (accepted >= watching.length + 1 && watching.length + 1 >= calm) {
        lastBurst = performance.now();
        for (const dup of spares.splice(0)) watching.push(listenOn(server, dup, o.backlog));
      }
      accepted = 0;
    });
  };
  const calmDown = () => {
    if (watching.length <= calm - 1 || performance.now() - lastBurst < calmMs) return;
    const extra = watching.splice(calm - 1);
    for (const s of extra) s.close();
    fetch(extra.length);
  };
  let calmTimer: NodeJS.Timeout | undefined;

  if (o.most > 1 && handle && server.listening) {
    server.on('connection', count);
    fetch(o.most - 1);
    calmTimer = setInterval(calmDown, Math.max(50, calmMs / 5));
    calmTimer.unref();
  }
  return {
    get watching() {
      return watching.length;
    },
    get held() {
      return watching.length + spares.length;
    },
    close() {
      closed = true;
      clearInterval(calmTimer);
      server.off('connection', count);
      for (const e of echoes) e.stop();
      for (const s of watching.splice(0)) s.close();
      for (const dup of spares.splice(0)) dup.close();
      return Promise.all([...echoes].map((e) => e.gone)).then(() => {});
    },
  };
}

interface Echo {
  stop(): void;
  /** Resolves once the child is gone. */
  gone: Promise<void>;
}

/** `k` new descriptors of `handle`'s socket, each given to `take` as it comes back. */
function echo(handle: object, k: number, take: (dup: RawHandle) => void, onError: (err: Error) => void): Echo {
  const env = { ...process.env };
  delete env.NODE_OPTIONS; // a loader or preload of the parent's would only slow the echo down
  let child: ChildProcess | undefined = spawn(process.execPath, ['-e', ECHO], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'], env });
  child.unref();
  const c = child;
  let got = 0;
  const stop = () => {
    clearTimeout(timer);
    if (child && child.exitCode === null && child.signalCode === null) child.kill();
    child = undefined;
  };
  const timer = setTimeout(() => {
    if (!child) return;
    stop();
    onError(new Error(`accept handles: ${got} of ${k} descriptors within ${ECHO_TIMEOUT_MS} ms`));
  }, ECHO_TIMEOUT_MS);
  timer.unref();
  const gone = new Promise<void>((resolve) => {
    c.once('close', (code, signal) => {
      resolve();
      if (child !== c) return; // done, or stopped
      stop();
      onError(new Error(`accept handles: the echo child ended (${code ?? signal}) with ${got} of ${k} descriptors sent back`));
    });
    c.on('error', (err) => {
      resolve(); // never started, or a send failed
      if (child !== c) return;
      stop();
      onError(err);
    });
  });
  c.on('message', (_m, dup: unknown) => {
    if (!dup) return;
    if (!child) return void (dup as RawHandle).close();
    take(dup as RawHandle);
    if (++got === k) stop();
  });
  for (let i = 0; i < k; i++) c.send({ last: i === k - 1 }, handle as net.Server);
  return { stop, gone };
}

/** A server on `dup` whose connections are `server`'s, accepted with the same socket options. */
function listenOn(server: net.Server, dup: RawHandle, backlog: number): net.Server {
  const o = server as unknown as { allowHalfOpen?: boolean; pauseOnConnect?: boolean; noDelay?: boolean; keepAlive?: boolean; keepAliveInitialDelay?: number };
  const side = net.createServer({
    allowHalfOpen: o.allowHalfOpen,
    pauseOnConnect: o.pauseOnConnect,
    noDelay: o.noDelay,
    keepAlive: o.keepAlive,
    keepAliveInitialDelay: o.keepAliveInitialDelay,
  });
  side.on('connection', (socket) => server.emit('connection', socket));
  side.on('error', () => side.close()); // its descriptor only: the server's own still accepts
  side.listen(dup as unknown as net.Server, backlog);
  return side;
}
