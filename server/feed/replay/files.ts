/** REPLAY_FILES: each path a file, or a folder of `*.csv` / `*.csv.gz` (its files by name). */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const RECORDED = /\.csv(?:\.gz)?$/;

/** The files in order; throws an Error naming the path that is missing or holds no recording. */
export function expandFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new Error(`${p}: no such file or folder`);
    }
    if (!st.isDirectory()) {
      out.push(p);
      continue;
    }
    const files = readdirSync(p).filter((f) => RECORDED.test(f)).sort();
    if (files.length === 0) throw new Error(`${p}: a folder without *.csv or *.csv.gz files`);
    for (const f of files) out.push(join(p, f));
  }
  return out;
}
