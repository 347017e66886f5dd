/**
 * A one-line progress bar on stderr. On a terminal it redraws in place; otherwise it prints a
 * plain line at most every few seconds, so CI logs stay short.
 */
const tty = process.stderr.isTTY === true;
let lastPlain = 0;

/** Draws `label [#####.....] detail` for a fraction `f` of 0..1. */
export function progress(label: string, f: number, detail = ''): void {
  const width = 24;
  const n = Math.max(0, Math.min(width, Math.round(f * width)));
  const line = `${label} [${'#'.repeat(n)}${'.'.repeat(width - n)}] ${detail}`;
  if (tty) process.stderr.write(`\r\x1b[2K${line}`);
  else if (Date.now() - lastPlain > 5000 || f >= 1) {
    lastPlain = Date.now();
    process.stderr.write(line + '\n');
  }
}

/** Ends the bar's line (terminal only) and prints a note. */
export function note(text: string): void {
  if (tty) process.stderr.write('\r\x1b[2K');
  process.stderr.write(text + '\n');
}
