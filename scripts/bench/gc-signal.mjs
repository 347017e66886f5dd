// Preloaded into a benchmarked server (node --expose-gc --import this): SIGUSR2 runs a full GC
// and prints `gc-done <rss> <heapUsed>` on stderr, so a bench can read RSS after GC from outside.
process.on('SIGUSR2', () => {
  globalThis.gc?.();
  globalThis.gc?.();
  const m = process.memoryUsage();
  process.stderr.write(`gc-done ${m.rss} ${m.heapUsed} ${m.external}\n`);
});
