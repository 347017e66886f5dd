/**
 * Quiet symbols (MarketState `quiet`): until its first snapshot a symbol's events are not built,
 * but its state moves exactly as a loud one's. Pure: a SimSource on a hand-driven clock feeds a
 * quiet and a loud MarketState the same events.
 */
import { describe, expect, it } from 'vitest';
import { CHANNELS } from '../../shared/protocol.js';
import { SimSource } from '../../server/feed/sim-source.js';
import { MarketState } from '../../server/market/market-state.js';
import type { StreamEvent } from '../../server/market/stream-event.js';

const T0 = Date.UTC(2026, 10, 26, 12, 0, 59, 500);

function rig() {
  let now = T0;
  let fire: () => void = () => {};
  const src = new SimSource({ symbols: 4, rate: 40, seed: 'quiet', now: () => now, setTimer: (fn) => ((fire = fn), 'h'), clearTimer: () => {} });
  // An unwatched book is taken from the source at its first snapshot; its changes are only counted.
  const quiet = new MarketState({ quiet: { bookOf: (s) => src.history(s).book! } });
  const loud = new MarketState();
  for (const i of src.instruments) quiet.addSymbol(i.symbol, src.history(i.symbol)), loud.addSymbol(i.symbol, src.history(i.symbol));
  const outQ: StreamEvent[] = [];
  const outL: StreamEvent[] = [];
  src.start((events) => {
    for (const e of events) quiet.apply(e, outQ), loud.apply(e, outL);
  });
  const run = (beats: number) => {
    outQ.length = outL.length = 0;
    for (let b = 0; b < beats; b++) (now += 10), fire();
  };
  return { quiet, loud, run, outQ, outL, symbols: src.instruments.map((i) => i.symbol) };
}

describe('quiet symbols', () => {
  it('build no events until watched, then give the loud state and the same changes from there', () => {
    const { quiet, loud, run, outQ, outL, symbols } = rig();
    run(300);
    expect(outL.length).toBeGreaterThan(500);
    expect(outQ).toEqual([]);
    const [s] = symbols as [string];
    // The first snapshot watches the symbol: its whole state equals the loud one's (book checksum included).
    for (const ch of CHANNELS) {
      const q = quiet.snapshot(s, ch)!;
      const l = loud.snapshot(s, ch)!;
      expect(q.d, ch).toEqual(l.d);
      // Seqs count every event alike, but the book's: a quiet book counts every change, not only the window's.
      if (ch !== 'book') expect(q.seq, ch).toBe(l.seq);
    }
    const bookOffset = loud.seq(s, 'book')! - quiet.seq(s, 'book')!;
    run(300);
    const mine = outL.filter((e) => e.s === s).map((e) => (e.ch === 'book' ? { ...e, seq: e.seq - bookOffset } : e));
    expect(mine.length).toBeGreaterThan(100);
    expect(outQ).toEqual(mine);
    // The others stay quiet, and their states still equal the loud ones' when asked.
    for (const o of symbols.slice(1)) for (const ch of CHANNELS) expect(quiet.snapshot(o, ch)!.d, `${o} ${ch}`).toEqual(loud.snapshot(o, ch)!.d);
  });
});

describe('a quiet book under a watched symbol', () => {
  it('builds no book events while only the other streams are watched; its first book snapshot equals the loud book, and its changes follow', () => {
    const { quiet, loud, run, outQ, outL, symbols } = rig();
    const [s] = symbols as [string];
    for (const ch of CHANNELS.filter((c) => c !== 'book')) quiet.snapshot(s, ch);
    run(300);
    const ofS = (out: StreamEvent[]) => out.filter((e) => e.s === s);
    expect(ofS(outQ).length).toBeGreaterThan(100);
    expect(ofS(outQ).filter((e) => e.ch === 'book')).toEqual([]);
    expect(ofS(outL).some((e) => e.ch === 'book')).toBe(true);
    // The ticker's touch still follows the source while the book sleeps.
    expect(quiet.snapshot(s, 'ticker')!.d).toEqual(loud.snapshot(s, 'ticker')!.d);
    expect(quiet.snapshot(s, 'book')!.d).toEqual(loud.snapshot(s, 'book')!.d); // checksum included
    const bookOffset = loud.seq(s, 'book')! - quiet.seq(s, 'book')!;
    run(300);
    const books = (out: StreamEvent[], off = 0) => ofS(out).filter((e) => e.ch === 'book').map((e) => ({ ...e, seq: e.seq - off }));
    expect(books(outQ).length).toBeGreaterThan(20);
    expect(books(outQ)).toEqual(books(outL, bookOffset));
  });
});

describe('watching ends (unwatch)', () => {
  it('a watched symbol made quiet again builds no events, and its next snapshot equals the loud state', () => {
    const { quiet, loud, run, outQ, outL, symbols } = rig();
    const [s] = symbols as [string];
    quiet.snapshot(s, 'book');
    run(100);
    expect(outQ.some((e) => e.s === s)).toBe(true);
    expect(quiet.unwatch(s)).toBe(true);
    expect(quiet.watched(s)).toBe(false);
    expect(quiet.unwatch(s)).toBe(false); // already quiet
    run(300);
    expect(outL.some((e) => e.s === s)).toBe(true);
    expect(outQ).toEqual([]);
    for (const ch of CHANNELS) expect(quiet.snapshot(s, ch)!.d, ch).toEqual(loud.snapshot(s, ch)!.d);
    expect(quiet.watched(s)).toBe(true);
    run(100);
    expect(outQ.some((e) => e.s === s)).toBe(true);
  });

  it('a loud state (no quiet option) never goes quiet', () => {
    const { loud, symbols } = rig();
    expect(loud.unwatch(symbols[0]!)).toBe(false);
  });
});
