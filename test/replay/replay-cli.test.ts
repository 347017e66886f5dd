/** `npm run replay -- FILES --speed N` serves the recording; `npm run subscribe` shows its clock. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { replayEnv } from '../../scripts/replay.js';
import { writeMinute } from './replay-node.js';
import { until } from '../helpers/wait.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => children.splice(0).forEach((c) => c.kill('SIGKILL')));

function run(args: string[], env: Record<string, string> = {}): { child: ChildProcess; out: () => string; err: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '', err = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (err += c));
  return { child, out: () => out, err: () => err, exited: new Promise((r) => child.on('exit', r)) };
}

/** The first match of `re` in what `read` returns, once there is one. */
const waitFor = (read: () => string, re: RegExp, ms = 30_000): Promise<RegExpExecArray> => until(`${re}`, () => re.exec(read()), ms);

describe('replay and subscribe commands', () => {
  it('parse the short form into the settings', () => {
    expect(replayEnv(['a.csv.gz', 'dir', '--speed', '10', '--loop', '--from=2025-01-01'])).toEqual({ FEED: 'replay', REPLAY_FILES: 'a.csv.gz,dir', REPLAY_SPEED: '10', REPLAY_LOOP: 'true', REPLAY_FROM: '2025-01-01' });
    expect(() => replayEnv(['--speed', '2'])).toThrow('name at least one file or folder');
    expect(() => replayEnv(['x', '--fast'])).toThrow('unknown option --fast');
  });

  it('npm run replay serves the files; npm run subscribe shows the replay clock', async () => {
    const server = run(['scripts/replay.ts', writeMinute(), '--speed', '2'], { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', WEB_DIR: '/nonexistent' });
    const url = (await waitFor(server.out, /Tickwire serving (http:\/\/[\d.]+:\d+)/))[1]!;
    expect(await (await fetch(`${url}/api/replay`)).json()).toMatchObject({ mode: 'replay', speed: 2 });
    const sub = run(['scripts/subscribe.ts', 'BTCUSD', '--channels', 'trades', '--url', url, '--count', '3', '--format', 'ndjson']);
    expect(await sub.exited).toBe(0);
    expect(sub.err()).toMatch(/replay 2025-01-01 00:00:\d\d\.\d{3} UTC x2/);
    expect(sub.out().trim().split('\n')).toHaveLength(3);
  }, 60_000);
});
