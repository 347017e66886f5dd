/**
 * Whether a build output is older than its sources (plain JavaScript: `npm start` runs it before
 * anything is compiled). Times are file modification times in ms.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** What each part of the build is made from, relative to the project root. */
export const SOURCES = {
  server: ['server', 'shared', 'tsconfig.json', 'tsconfig.build.json'],
  dashboard: ['web', 'shared', 'vite.config.ts'],
};

/** True when there is no output, or some source changed after it was written. */
export function isStale(outputMtimeMs, sourceMtimesMs) {
  if (outputMtimeMs === undefined) return true;
  return sourceMtimesMs.some((t) => t > outputMtimeMs);
}

/** Modification times of every file under `paths` (files or folders, recursively; missing ones skipped; node_modules and dot-entries left out). */
export function mtimes(paths) {
  const out = [];
  const walk = (p) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      return;
    }
    if (!st.isDirectory()) return void out.push(st.mtimeMs);
    for (const name of readdirSync(p)) {
      if (name !== 'node_modules' && !name.startsWith('.')) walk(join(p, name));
    }
  };
  paths.forEach(walk);
  return out;
}

/** The modification time of one file, undefined when it does not exist. */
export function mtimeOf(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}
