/**
 * Snapshots in parts (protocol 1.2 section 1), for `subscribe` and `snapshot`: groups of
 * WARM_GROUP symbols are readied off the loop (all asked at once, waited for in order), then
 * built in slices, one `snapshot` frame per slice, a turn between slices.
 */
import type { ControlPort } from './control-port.js';
import type { Session, Sub } from './session.js';
import type { StreamRecord } from './stream-record.js';

/** Symbols readied together before their part is built: small requests stay one frame. */
export const WARM_GROUP = 128;
/** At most this many cold symbols in a request are read in-thread rather than by the back-fill pool. */
export const WARM_INLINE = 64;

/**
 * Sends the snapshots of `entries` (symbols, or `symbol|channel` keys: `streams` lists each
 * entry's records, marking those to subscribe). With `subscribe`, each marked stream is
 * subscribed in the same slice as its snapshot is written: no update of a stream can come
 * before its snapshot item.
 */
export async function sendParts(
  port: ControlPort,
  s: Session,
  entries: string[],
  streams: (entry: string, each: (rec: StreamRecord<Sub>, sub: boolean) => void) => void,
  subscribe?: (rec: StreamRecord<Sub>) => Sub,
): Promise<void> {
  if (entries.length === 0) return;
  const symbolOf = (e: string) => (e.includes('|') ? e.slice(0, e.indexOf('|')) : e);
  const cold = port.warm ? [...new Set(entries.map(symbolOf))].filter((x) => port.cold!(x)) : [];
  // While no worker has loaded, a few are computed in-thread (a few ms each): a small request
  // starts no worker. Once one has, every cold symbol goes to the pool (warmup.ts decides).
  const inline = cold.length <= WARM_INLINE ? WARM_INLINE : 0;
  const coldSet = new Set(cold);
  const warming = new Map<string, Promise<void>>();
  // Asked in groups, in order: the pool serves each owner's groups first come, first served.
  for (let i = 0; i < cold.length; i += WARM_GROUP) {
    const group = cold.slice(i, i + WARM_GROUP);
    const ready = port.warm!(group, s, inline);
    for (const x of group) warming.set(x, ready);
  }
  const budget = port.budget();
  let recs: StreamRecord<Sub>[] = [];
  const send = () => {
    if (recs.length) s.sendSnapshots(recs, port.now());
    recs = [];
  };
  // Chunks of WARM_GROUP symbols: each waits for its cold symbols before any of its streams is
  // built (a stream is subscribed only in the slice that writes its snapshot), then goes out.
  for (let i = 0; i < entries.length; ) {
    const chunk: string[] = [];
    const syms = new Set<string>();
    for (; i < entries.length; i++) {
      const sym = symbolOf(entries[i]!);
      if (!syms.has(sym) && syms.size === WARM_GROUP) break;
      syms.add(sym);
      chunk.push(entries[i]!);
    }
    const waits = [...syms].filter((x) => coldSet.has(x) && port.cold!(x)).map((x) => warming.get(x)!);
    if (waits.length) await Promise.all(new Set(waits));
    if (s.closed) return;
    budget.begin();
    for (const entry of chunk) {
      let over = false;
      streams(entry, (rec, sub) => {
        if (sub && subscribe) subscribe(rec);
        recs.push(rec);
        over = budget.spend() || over;
      });
      if (over) {
        send();
        await port.turn();
        if (s.closed) return;
        budget.begin();
      }
    }
    send();
  }
}
