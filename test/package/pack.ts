/**
 * Packs the project as `npm pack` would publish it and installs the tarball into a scratch
 * project, without the network and without touching the checkout's dist/ (other tests run
 * from it): shared/ is compiled by tsc with tsconfig.build.json into a staging folder holding
 * the project's package.json, `npm pack --ignore-scripts` packs that (so `files` and `exports`
 * are the real ones), and the tarball is unpacked into scratch/node_modules/tickwire the way
 * npm installs one. Its dependencies are linked from the project's node_modules: the npm cache
 * of a fresh clone holds tarballs but not the registry documents an offline install needs.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

export interface Packed {
  dir: string;
  tarball: string;
  /** Bytes of the .tgz, and the paths it holds (without the `package/` prefix). */
  size: number;
  files: string[];
  /** The scratch project, with tickwire installed in its node_modules. */
  app: string;
}

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

export function packAndInstall(): Packed {
  const dir = mkdtempSync(join(tmpdir(), 'tickwire-pack-'));
  const stage = join(dir, 'stage');
  mkdirSync(stage);
  copyFileSync(join(ROOT, 'package.json'), join(stage, 'package.json'));
  // The real build options; only what is compiled (shared/, the package's code) and where differ.
  writeFileSync(join(stage, 'tsconfig.json'), JSON.stringify({
    extends: join(ROOT, 'tsconfig.build.json'),
    compilerOptions: { rootDir: ROOT, outDir: join(stage, 'dist'), typeRoots: [join(ROOT, 'node_modules/@types')] },
    include: [join(ROOT, 'shared')],
  }));
  run(process.execPath, [TSC, '-p', join(stage, 'tsconfig.json')], stage);
  const [info] = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], stage)) as { filename: string; size: number; files: { path: string }[] }[];
  const tarball = join(dir, info!.filename);

  const app = join(dir, 'app');
  const pkg = join(app, 'node_modules/tickwire');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
  run('tar', ['-xzf', tarball, '-C', pkg, '--strip-components=1'], app);
  const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  for (const dep of Object.keys(manifest.dependencies)) {
    const at = join(app, 'node_modules', dep);
    mkdirSync(join(at, '..'), { recursive: true });
    if (!existsSync(at)) symlinkSync(join(ROOT, 'node_modules', dep), at, 'dir');
  }
  return { dir, tarball, size: info!.size, files: info!.files.map((f) => f.path), app };
}
