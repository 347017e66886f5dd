/**
 * `npm run build`: server/ and shared/ compiled by tsc (tsconfig.build.json) into dist/server and
 * dist/shared, the dashboard built by vite into dist/web. Plain JavaScript, run by plain node.
 *   --if-stale      (npm start) build only the parts whose output is missing or older than a source
 *   --server-only   skip the dashboard
 *   --out DIR       build into DIR instead of dist (tests); it must sit inside the project so
 *                   that node finds node_modules from there
 * Exits with the failing compiler's code.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { isStale, mtimeOf, mtimes, SOURCES } from './stale.mjs';

const root = new URL('../..', import.meta.url).pathname;
const require = createRequire(import.meta.url);
const { values } = parseArgs({ options: { 'if-stale': { type: 'boolean' }, 'server-only': { type: 'boolean' }, out: { type: 'string' } } });
const out = values.out ? join(process.cwd(), values.out) : join(root, 'dist');
const at = (...p) => p.map((x) => join(root, x));

const parts = [
  {
    name: 'server',
    output: join(out, 'server/main.js'),
    sources: at(...SOURCES.server),
    build() {
      // A clean compile: files whose source was deleted must not linger in dist.
      for (const d of ['server', 'shared']) rmSync(join(out, d), { recursive: true, force: true });
      return run(binOf('typescript', 'tsc'), ['-p', join(root, 'tsconfig.build.json'), '--outDir', out]);
    },
  },
  {
    name: 'dashboard',
    output: join(out, 'web/index.html'),
    sources: at(...SOURCES.dashboard),
    build: () => run(binOf('vite', 'vite'), ['build', '--logLevel', 'warn', '--outDir', join(out, 'web'), '--emptyOutDir']),
  },
].filter((p) => !(values['server-only'] && p.name === 'dashboard'));

for (const part of parts) {
  if (values['if-stale'] && !isStale(mtimeOf(part.output), mtimes(part.sources))) continue;
  const started = Date.now();
  const code = part.build();
  if (code !== 0) {
    process.stderr.write(`build: ${part.name} failed (exit ${code})\n`);
    process.exit(code);
  }
  process.stderr.write(`build: ${part.name} built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

/** A package's command (its package.json `bin`), found the way node finds the package. */
function binOf(pkg, name) {
  const manifest = require.resolve(`${pkg}/package.json`);
  const { bin } = JSON.parse(readFileSync(manifest, 'utf8'));
  return join(dirname(manifest), typeof bin === 'string' ? bin : bin[name]);
}

function run(script, args) {
  const r = spawnSync(process.execPath, [script, ...args], { cwd: root, stdio: 'inherit' });
  return r.status ?? 1;
}
