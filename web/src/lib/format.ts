/** Display formatting: fixed decimals per instrument, signs on changes, compact volumes. */

const priceFormats = new Map<number, Intl.NumberFormat>();

const priceFormat = (decimals: number): Intl.NumberFormat => {
  let f = priceFormats.get(decimals);
  if (!f) {
    f = new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    priceFormats.set(decimals, f);
  }
  return f;
};

export const DASH = '—';

const ok = (v: number | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/** A price with the instrument's decimals and thousands separators; a dash when unknown. */
export function formatPrice(v: number | undefined, decimals: number): string {
  return ok(v) ? priceFormat(decimals).format(v) : DASH;
}

/** A signed change: `+1.25`, `−0.50` (a true minus sign), `0.00`. */
export function formatChange(v: number | undefined, decimals: number): string {
  if (!ok(v)) return DASH;
  const s = priceFormat(decimals).format(Math.abs(v));
  if (Number(s.replace(/,/g, '')) === 0) return s;
  return (v > 0 ? '+' : '−') + s;
}

/** A signed percentage with two decimals: `+1.23%`. */
export function formatPct(v: number | undefined): string {
  if (!ok(v)) return DASH;
  const s = Math.abs(v).toFixed(2);
  if (Number(s) === 0) return '0.00%';
  return (v > 0 ? '+' : '−') + s + '%';
}

const UNITS = ['', 'K', 'M', 'B', 'T'];

/** A compact count: 950, 12.3K, 4.56M, 0.0042. */
export function formatCompact(v: number | undefined): string {
  if (!ok(v)) return DASH;
  let x = Math.abs(v);
  let u = 0;
  while (x >= 1000 && u < UNITS.length - 1) {
    x /= 1000;
    u++;
  }
  // Fractional sizes (crypto) keep their significant digits: 0.0042, not 0.00.
  const digits = u === 0 && Number.isInteger(x) ? 0 : x >= 100 ? 0 : x >= 10 ? 1 : x >= 1 || u > 0 ? 2 : 4;
  return (v < 0 ? '−' : '') + x.toFixed(digits) + UNITS[u];
}

/** Bytes with a binary unit: `812 B`, `12.4 KB`, `3.10 MB`. */
export function formatBytes(v: number | undefined): string {
  if (!ok(v)) return DASH;
  if (v < 1024) return `${Math.round(v)} B`;
  if (v < 1024 * 1024) return `${(v / 1024).toFixed(v < 10240 ? 2 : 1)} KB`;
  return `${(v / 1024 / 1024).toFixed(2)} MB`;
}

/**
 * Milliseconds as measured: whole milliseconds print whole (`2`, not `2.0`: the clocks tick in
 * ms); fractions (averages, scale ticks) one decimal under 100 ms, whole above.
 */
export function formatMs(v: number | undefined): string {
  if (!ok(v)) return DASH;
  if (Number.isInteger(v) || v >= 100) return Math.round(v).toString();
  return v.toFixed(1);
}

const two = (n: number) => (n < 10 ? '0' : '') + n;

/** Local wall-clock time `HH:MM:SS` of an epoch-ms instant. */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}
