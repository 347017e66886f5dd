/**
 * Lazy history start (LocalSource): a stream's recovery history starts at its first snapshot
 * (the first position handed out) instead of from a snapshot of every stream at start. Pure (no
 * sockets): a SimSource on a hand-driven clock, the market state and the history. Every position
 * from a stream's first snapshot on answers exactly what a history reset from snapshots at start
 * answers; earlier ones, which no client can hold, get snapshots; unwatched streams keep nothing;
 * nothing reads a symbol's back-fill until a client-facing read asks for it.
 */
import { describe, expect, it } from 'vitest';
import { CHANNELS, type Channel } from '../../shared/protocol.js';
import { SimSource } from '../../server/feed/sim-source.js';
import type { SymbolHistory } from '../../server/feed/tick-source.js';
import { History } from '../../server/history/history.js';
import { MarketState } from '../../server/market/market-state.js';
import type { StreamEvent } from '../../server/market/stream-event.js';
import { LocalSource } from '../../server/node/local-source.js';

const T0 = Date.UTC(2026, 10, 26, 12, 0, 59, 500);
const LIMITS = { ms: 2000, trades: 40 };
const EPOCH = 'e-test';

/** The same history read at once (no `asOf`). */
const eager = (h: SymbolHistory): SymbolHistory => ({ bars: h.bars, quote: h.quote, last: h.last, session: h.session, book: h.book });

/** A feed, its market state (lazy or eager histories) and a clock; `step()` runs one 10 ms beat. */
function rig(lazy: boolean, symbols = 4) {
  let now = T0;
  let fire: () => void = () => {};
  const src = new SimSource({ symbols, rate: 40, seed: 'lazy-start', now: () => now, setTimer: (fn) => ((fire = fn), 'h'), clearTimer: () => {} });
  const market = new MarketState();
  for (const inst of src.instruments) market.addSymbol(inst.symbol, lazy ? src.history(inst.symbol) : eager(src.history(inst.symbol)));
  const batches: StreamEvent[][] = [];
  src.start((events) => {
    const out: StreamEvent[] = [];
    for (const e of events) market.apply(e, out);
    if (out.length) batches.push(out);
  });
  const step = (): StreamEvent[][] => {
    batches.length = 0;
    now += 10;
    fire();
    return batches.slice();
  };
  return { src, market, step, now: () => now, symbols: src.instruments.map((i) => i.symbol) };
}

/** What LocalSource did before: every stream reset from its snapshot at start, then every batch recorded. */
function eagerHistory(market: MarketState, symbols: string[], now: number): History {
  const h = new History(LIMITS);
  for (const s of symbols) for (const ch of CHANNELS) h.reset({ ...market.snapshot(s, ch)!, epoch: EPOCH }, EPOCH, now);
  return h;
}

/** Every position from 0 to the current seq of every stream, answered by both. */
function compareAll(a: { recover: LocalSource['recover'] }, b: History, market: MarketState, symbols: string[], now: number): number {
  let recovered = 0;
  for (const s of symbols) {
    for (const ch of CHANNELS) {
      const seq = market.seq(s, ch)!;
      for (let p = 0; p <= seq + 1; p++) {
        const pos = { s, ch, epoch: EPOCH, seq: p };
        const got = a.recover(pos, now);
        const want = b.recover(pos, now);
        expect(got.ok, `${s} ${ch} ${p}`).toBe(want.ok);
        if (got.ok && want.ok) {
          expect(got.item && { ...got.item, d: got.item.d }, `${s} ${ch} ${p}`).toEqual(want.item && { ...want.item, d: want.item.d });
          recovered++;
        }
      }
    }
  }
  return recovered;
}

describe('lazy history start', { timeout: 60_000 }, () => {
  it('answers every position of every stream watched from the start as a history reset from snapshots at start', () => {
    const { market, step, now, symbols } = rig(false);
    const local = new LocalSource(market, EPOCH, LIMITS, now);
    const ref = eagerHistory(market, symbols, now());
    for (const s of symbols) for (const ch of CHANNELS) local.snapshot(s, ch);
    // Before any event: seq 0 is every stream's current seq, always recovered; others are not.
    expect(compareAll(local, ref, market, symbols, now())).toBe(symbols.length * CHANNELS.length);
    expect(local.recover({ s: symbols[0]!, ch: 'ticker', epoch: 'other', seq: 0 }, now()).ok).toBe(false);
    let checked = 0;
    for (let beat = 1; beat <= 400; beat++) {
      for (const batch of step()) {
        local.record(batch);
        ref.record(batch, now(), EPOCH);
      }
      // Past the 2 s window (200 beats) the oldest positions, position 0 among them, expire:
      // every stream's position 0 is timed at the start, whenever its first event came.
      if (beat % 50 === 0 || beat === 3) checked += compareAll(local, ref, market, symbols, now());
      for (const s of symbols) {
        for (const ch of CHANNELS) {
          const pos = { s, ch, epoch: EPOCH, seq: 0 };
          expect(local.recover(pos, now()).ok, `${s} ${ch} 0 at beat ${beat}`).toBe(ref.recover(pos, now()).ok);
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
    // Position 0 was recovered early on and has expired with its start-time stamp, as eagerly.
    expect(local.recover({ s: symbols[0]!, ch: 'ticker', epoch: EPOCH, seq: 0 }, now()).ok).toBe(false);
  });

  it('reads no back-fill at start or while recording, only when a snapshot asks', () => {
    const { market, step, now, symbols } = rig(true, 3);
    const local = new LocalSource(market, EPOCH, LIMITS, now);
    for (let beat = 0; beat < 150; beat++) for (const batch of step()) local.record(batch);
    for (const s of symbols) expect(market.loaded(s), s).toBe(false);
    // A client's position comes from a snapshot (which reads the back-fill); positions from there on recover.
    const snap = local.snapshot(symbols[1]!, 'ticker')!;
    expect(market.loaded(symbols[1]!)).toBe(true);
    expect(market.loaded(symbols[0]!)).toBe(false);
    expect(snap.seq).toBeGreaterThan(0);
    let later = 0;
    while (later === 0) for (const batch of step()) local.record(batch), (later += batch.filter((e) => e.s === symbols[1] && e.ch === 'ticker').length);
    const r = local.recover({ s: symbols[1]!, ch: 'ticker', epoch: EPOCH, seq: snap.seq }, now());
    expect(r.ok).toBe(true);
    // Applying the item to the snapshot gives the current state.
    const item = (r as { item: { d: Record<string, number>; seq: number } }).item;
    expect({ ...(snap.d as Record<string, number>), ...item.d }).toEqual(local.snapshot(symbols[1]!, 'ticker')!.d);
    expect(item.seq).toBe(market.seq(symbols[1]!, 'ticker' as Channel));
  });

  it('keeps nothing for a stream nobody has a snapshot of; from its first snapshot on, answers as eagerly', () => {
    const { market, step, now, symbols } = rig(false, 3);
    const local = new LocalSource(market, EPOCH, LIMITS, now);
    const ref = eagerHistory(market, symbols, now());
    const feed = (beats: number) => {
      for (let b = 0; b < beats; b++) for (const batch of step()) local.record(batch), ref.record(batch, now(), EPOCH);
    };
    feed(60);
    for (const s of symbols) for (const ch of CHANNELS) expect(local.history.get(s, ch), `${s} ${ch}`).toBeUndefined();
    // Positions nobody was handed: a snapshot, never a guess.
    const s0 = symbols[0]!;
    const at = market.seq(s0, 'ticker')!;
    expect(at).toBeGreaterThan(2);
    expect(local.recover({ s: s0, ch: 'ticker', epoch: EPOCH, seq: at - 1 }, now()).ok).toBe(false);
    const first = local.snapshot(s0, 'ticker')!.seq;
    expect(first).toBe(at);
    feed(60);
    let same = 0;
    for (let p = first; p <= market.seq(s0, 'ticker')!; p++) {
      const pos = { s: s0, ch: 'ticker' as Channel, epoch: EPOCH, seq: p };
      const got = local.recover(pos, now());
      expect(got, `ticker ${p}`).toEqual(ref.recover(pos, now()));
      same += got.ok ? 1 : 0;
    }
    expect(same).toBeGreaterThan(10);
    for (let p = 1; p < first; p++) expect(local.recover({ s: s0, ch: 'ticker', epoch: EPOCH, seq: p }, now()).ok).toBe(false);
    // Only the snapshotted stream was started.
    expect(local.history.get(s0, 'trades')).toBeUndefined();
    expect(local.history.get(symbols[1]!, 'ticker')).toBeUndefined();
  });
});
