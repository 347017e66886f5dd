/** The Python client (clients/python, tickwire.Client) on a replay: `on_clock` from hello and from `clock` messages, `market_now()`. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { T0_MS } from './fixtures.js';
import { startReplay, writeMinute } from './replay-node.js';

const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';
const DIR = fileURLToPath(new URL('../../clients/python/', import.meta.url));

const CODE = `
import asyncio, json, sys, urllib.request
from tickwire import Client
URL = sys.argv[1]
clocks = []
async def main():
    async with Client(URL, on_clock=clocks.append) as c:
        async def consume():
            async for _ in c.stream(["BTCUSD"], ["trades"]):
                pass
        task = asyncio.create_task(consume())
        while not clocks:
            await asyncio.sleep(0.02)
        req = urllib.request.Request(URL + "/api/replay", data=b'{"action":"pause"}', headers={"content-type": "application/json"}, method="POST")
        await asyncio.get_running_loop().run_in_executor(None, urllib.request.urlopen, req)
        for _ in range(500):
            if clocks[-1].get("paused"):
                break
            await asyncio.sleep(0.02)
        a = c.market_now()
        await asyncio.sleep(0.1)
        b = c.market_now()
        task.cancel()
        print(json.dumps({"clocks": clocks, "held": a == b, "now": a}))
asyncio.run(main())
`;

describe('the Python client on a replay', () => {
  it('calls on_clock with hello.clock and with the clock message a pause sends; market_now stands still while paused', async () => {
    const run = await startReplay({ REPLAY_FILES: writeMinute(), REPLAY_SPEED: '1' });
    try {
      const out = await new Promise<string>((resolve, reject) => {
        const p = spawn(PYTHON, ['-c', CODE, run.url], { cwd: DIR });
        let so = '', se = '';
        p.stdout.on('data', (c) => (so += c));
        p.stderr.on('data', (c) => (se += c));
        p.on('exit', (code) => (code === 0 ? resolve(so) : reject(new Error(`python exited ${code}: ${se}`))));
      });
      const r = JSON.parse(out) as { clocks: Record<string, unknown>[]; held: boolean; now: number };
      expect(r.clocks[0]).toMatchObject({ mode: 'replay', speed: 1, paused: false, from: T0_MS, control: true });
      expect(r.clocks.at(-1)).toMatchObject({ mode: 'replay', paused: true, control: true });
      expect(r.held).toBe(true);
      expect(r.now).toBeGreaterThanOrEqual(T0_MS);
    } finally {
      await run.node.close();
    }
  });
});
