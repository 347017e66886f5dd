/**
 * Running the Python client (clients/python, package `tickwire`) from tests with the system's
 * /usr/bin/python3 (msgpack and websockets from Debian; bash .ci/run installs them): its CLI,
 * `python3 -m tickwire`, and `follow`, a short driver of tickwire.Client that prints what the
 * client ends with. Without those modules the tests fail with the reason; they do not skip.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';
/** The package's directory: `tickwire` is importable with it as the working directory. */
export const PY_DIR = fileURLToPath(new URL('../../clients/python/', import.meta.url));

/** Why Python cannot run the client, or undefined when it can. */
export function pythonProblem(): string | undefined {
  const r = spawnSync(PYTHON, ['-c', 'import msgpack, websockets'], { encoding: 'utf8' });
  if (r.error) return `${PYTHON} cannot run: ${r.error.message}`;
  if (r.status !== 0) return `${PYTHON} cannot import msgpack and websockets: ${r.stderr.trim().split('\n').at(-1)}. Install python3-msgpack and python3-websockets (bash .ci/run does it).`;
  return undefined;
}

/** Runs Python code with the package importable; returns its stdout parsed as JSON. */
export function py(code: string, input = ''): unknown {
  const r = spawnSync(PYTHON, ['-c', code], { cwd: PY_DIR, input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed (${r.error?.message ?? r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

export interface Exit {
  out: string;
  err: string;
  code: number | null;
}

/** Runs `python3 -m tickwire ...argv` to its exit (killed after `killAfterMs`). */
export function runPyCli(argv: string[], env: Record<string, string> = {}, killAfterMs = 60_000): Promise<Exit> {
  const base = { ...process.env };
  delete base.TICKWIRE_URL;
  const child = spawn(PYTHON, ['-m', 'tickwire', ...argv], { cwd: PY_DIR, stdio: ['ignore', 'pipe', 'pipe'], env: { ...base, ...env } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ out, err, code });
    }),
  );
}

/** What `follow` prints when it ends. */
export interface Followed {
  updates: number;
  gaps: number;
  dropped: number;
  reconnects: number;
  recovered: string[];
  unrecovered: string[];
  errors: string[];
  checksums: { verified: number; mismatched: number; unverified: number };
  streams: Record<string, { seq: number; state: unknown; epoch?: string }>;
}

export interface FollowOptions {
  url: string;
  symbols: string[];
  channels: string[];
  throttle?: number;
  /** How long to run after the first change (s). */
  seconds: number;
  /** Test aid: in the first half of the run, ignore every Nth update item as if it never arrived. */
  loseEvery?: number;
}

// Runs tickwire.Client for `seconds` from its first change; "live" on stderr at that change.
const FOLLOW = `
import asyncio, json, sys, time
import tickwire
o = json.loads(sys.argv[1])
async def main():
    live = asyncio.Event()
    async with tickwire.Client(o["url"], base_delay=0.05, max_delay=0.5) as c:
        lose, seen, half = o.get("loseEvery") or 0, 0, [float("inf")]
        apply = c._streams.apply_update
        def lossy(item):
            nonlocal seen
            seen += 1
            if lose and time.monotonic() < half[0] and seen % lose == 0:
                return None  # as if the item never arrived: the next one's prev reveals it
            return apply(item)
        c._streams.apply_update = lossy
        async def consume():
            async for _ in c.stream(o["symbols"], o["channels"], o.get("throttle", 0)):
                if not live.is_set():
                    half[0] = time.monotonic() + o["seconds"] / 2
                    print("live", file=sys.stderr, flush=True)
                    live.set()
        task = asyncio.create_task(consume())
        await live.wait()
        await asyncio.sleep(o["seconds"])
        task.cancel()
        s = c._streams
        print(json.dumps({"updates": s.updates, "gaps": s.gaps, "dropped": s.dropped, "reconnects": c.reconnects,
            "recovered": [f"{a}|{b}" for a, b in c.recovered], "unrecovered": [f"{a}|{b}" for a, b in c.unrecovered],
            "errors": [e.code for e in c.errors], "checksums": c.checksums, "streams": s.streams}))
asyncio.run(main())
`;

/** Runs tickwire.Client per `o`; `live` resolves when its first change came, `done` with what it ended with. */
export function follow(o: FollowOptions): { live: Promise<number>; done: Promise<Followed>; kill(): void } {
  const child = spawn(PYTHON, ['-c', FOLLOW, JSON.stringify(o)], { cwd: PY_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let onLive!: (t: number) => void;
  const live = new Promise<number>((resolve) => (onLive = resolve));
  child.stdout.on('data', (b: Buffer) => (stdout += b));
  child.stderr.on('data', (b: Buffer) => {
    stderr += b;
    if (stderr.includes('live')) onLive(Date.now());
  });
  const killer = setTimeout(() => child.kill(), (o.seconds + 30) * 1000);
  const done = new Promise<Followed>((resolve, reject) =>
    child.on('close', (code) => {
      clearTimeout(killer);
      if (code === 0) resolve(JSON.parse(stdout) as Followed);
      else reject(new Error(`python exited ${code}:\n${stderr}`));
    }),
  );
  return { live, done, kill: () => child.kill() };
}
