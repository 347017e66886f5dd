/**
 * The names closest to a mistyped one, for "did you mean" answers (the dashboard's search, the
 * CLI). Pure. Distance is the optimal-string-alignment edit distance (insert, delete, replace,
 * swap two neighbours) between upper-cased names, punctuation ignored (`btcusd` ~ `BTC-USD`).
 */

const squash = (s: string) => s.toUpperCase().replace(/[^A-Z0-9]/g, '');

/** Edit distance between `a` and `b` (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev2: number[] = [];
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      cur.push(d);
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[n];
}

/**
 * Up to `limit` of `names` closest to `query`, nearest first (ties in the given order), leaving
 * out those further than `maxDistance` (default: half the query's length, at least 2).
 */
export function closest(query: string, names: readonly string[], limit = 3, maxDistance?: number): string[] {
  const q = squash(query);
  if (!q) return [];
  const max = maxDistance ?? Math.max(2, Math.ceil(q.length / 2));
  return names
    .map((name, i) => ({ name, i, d: editDistance(q, squash(name)) }))
    .filter((x) => x.d <= max)
    .sort((a, b) => a.d - b.d || a.i - b.i)
    .slice(0, limit)
    .map((x) => x.name);
}

/**
 * Resolves what a person typed to one of `names`: the exact name, else the only name equal to
 * it ignoring case (and punctuation); undefined when none or several.
 */
export function resolveName(typed: string, names: readonly string[]): string | undefined {
  if (names.includes(typed)) return typed;
  const q = squash(typed);
  const hits = names.filter((n) => squash(n) === q);
  return hits.length === 1 ? hits[0] : undefined;
}
