/**
 * `@tickwire/client` as a user gets it: its packed tarball holds the compiled client, its types
 * and README only; installed offline into a scratch project with nothing but its dependency and
 * the Node peers (ws, eventsource; @types/ws for TypeScript), the README's example type-checks
 * under strict `tsc` and streams from a live node.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, type Running } from '../helpers/node.js';
import { ROOT } from './pack.js';

const PKG = join(ROOT, 'clients/typescript');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
/** What a Node user installs beside the client (and for TypeScript, the types of ws). */
const BESIDE = ['ws', 'eventsource', 'eventsource-parser', 'msgpackr', '@types/ws', '@types/node', 'undici-types'];

let dir: string;
let srv: Running;

function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', ...env } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tickwire-client-'));
  srv = await startNode({ FEED_RATE: '20' });
}, 60_000);
afterAll(async () => {
  await srv?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('@tickwire/client package', () => {
  it('installs from its tarball alone and runs the README example, type-checked', async () => {
    // npm pack runs the package's prepack (tsc into clients/typescript/dist).
    const [info] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', dir], PKG)) as { filename: string; files: { path: string }[] }[];
    const files = info!.files.map((f) => f.path);
    expect(files).toContain('dist/shared/client/index.js');
    expect(files).toContain('dist/shared/client/index.d.ts');
    expect(files).toContain('README.md');
    expect(files.filter((f) => !/^(dist\/shared\/|README\.md$|package\.json$)/.test(f))).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(PKG, 'package.json'), 'utf8')) as { dependencies: object; peerDependenciesMeta: Record<string, { optional: boolean }> };
    expect(Object.keys(manifest.dependencies)).toEqual(['msgpackr']);
    expect(manifest.peerDependenciesMeta).toEqual({ ws: { optional: true }, eventsource: { optional: true } });

    // The peers as tarballs of the checkout's copies: the npm cache holds tarballs but not the
    // registry documents an offline install by name needs.
    for (const dep of BESIDE) run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir, join(ROOT, 'node_modules', dep)], dir);
    const app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
    const tarballs = readdirSync(dir).filter((f) => f.endsWith('.tgz')).map((f) => join(dir, f));
    run('npm', ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', ...tarballs], app);
    const installed = readdirSync(join(app, 'node_modules')).filter((f) => !f.startsWith('.')).sort();
    expect(installed).toEqual(['@tickwire', '@types', 'eventsource', 'eventsource-parser', 'msgpackr', 'undici-types', 'ws']);

    const readme = readFileSync(join(PKG, 'README.md'), 'utf8');
    const example = /```ts\n([\s\S]*?)```/.exec(readme)![1]!;
    writeFileSync(join(app, 'main.ts'), example);
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', outDir: 'out', types: ['node'], skipLibCheck: false },
      files: ['main.ts'],
    }));
    run(process.execPath, [TSC, '-p', 'tsconfig.json'], app);
    // Asynchronously: the server runs in this process.
    const { stdout: out } = await promisify(execFile)(process.execPath, ['out/main.js'], { cwd: app, timeout: 30_000, env: { ...process.env, NODE_OPTIONS: '', TICKWIRE_URL: srv.url } });
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(l).toMatch(/^(AAPL|BTC-USD) [\d.]+ [\d.]+ [\d.]+$/);
  }, 300_000); // npm pack and install, tsc: about 90 s on a busy 2-core machine
});
