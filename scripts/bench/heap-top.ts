/**
 * The top of a V8 heap snapshot by constructor (the DevTools "Summary" view without retained
 * sizes): self size and count per node name for objects, per type for the rest (arrays,
 * strings, numbers, typed arrays' backing stores as "native"), largest first.
 *
 *   tsx scripts/bench/heap-top.ts FILE.heapsnapshot [--top 25] [--by 'object:Object']
 *
 * `--by KEY`: for the nodes of one row, what holds them: their retainers' row and the edge's
 * name, with the count and self size of the nodes held that way. `--depth N` (default 1) names
 * the chain of N retainers (the first non-weak one at each step), e.g. 4 for a typed array's
 * backing store: ArrayBuffer <- Float64Array <- the object owning it <- its owner.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' }, by: { type: 'string' }, depth: { type: 'string', default: '1' } } });
const snap = JSON.parse(readFileSync(positionals[0]!, 'utf8')) as {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
};
const { node_fields: fields, node_types: [types] } = snap.snapshot.meta;
const F = fields.length;
const iType = fields.indexOf('type');
const iName = fields.indexOf('name');
const iSize = fields.indexOf('self_size');
const by = new Map<string, { n: number; size: number }>();
let total = 0;
/** Objects by constructor; strings, numbers, code... by type; arrays by their kind. */
function keyOf(i: number): string {
  const type = types[snap.nodes[i + iType]!]!;
  const name = snap.strings[snap.nodes[i + iName]!]!;
  return type === 'object' || type === 'native' || type === 'closure' ? `${type}:${name}` : type === 'array' ? `array:${name}` : type;
}
for (let i = 0; i < snap.nodes.length; i += F) {
  const key = keyOf(i);
  const size = snap.nodes[i + iSize]!;
  total += size;
  const e = by.get(key) ?? { n: 0, size: 0 };
  e.n++;
  e.size += size;
  by.set(key, e);
}
const MiB = 2 ** 20;
console.log(`total self size ${(total / MiB).toFixed(1)} MiB in ${(snap.nodes.length / F).toLocaleString('en-US')} nodes\n`);
console.log('| what | count | self MiB | share |\n|:--|--:|--:|--:|');
for (const [k, e] of [...by].sort((a, b) => b[1].size - a[1].size).slice(0, Number(values.top)))
  console.log(`| ${k.replace(/\|/g, '\\|').slice(0, 60)} | ${e.n.toLocaleString('en-US')} | ${(e.size / MiB).toFixed(1)} | ${((e.size / total) * 100).toFixed(1)}% |`);

if (values.by) {
  const { edge_fields: ef, edge_types: [etypes] } = snap.snapshot.meta as unknown as { edge_fields: string[]; edge_types: [string[]] };
  const E = ef.length;
  const iEdgeCount = fields.indexOf('edge_count');
  // The first non-weak retainer of every node, with the edge's name.
  const parent = new Int32Array(snap.nodes.length / F).fill(-1);
  const via: string[] = new Array(snap.nodes.length / F);
  let e = 0;
  for (let i = 0; i < snap.nodes.length; i += F) {
    for (let k = snap.nodes[i + iEdgeCount]!; k > 0; k--, e += E) {
      const to = snap.edges[e + 2]! / F;
      const et = etypes[snap.edges[e]!]!;
      if (et === 'weak' || parent[to] !== -1) continue;
      parent[to] = i / F;
      via[to] = et === 'element' || et === 'hidden' ? `[${et}]` : String(snap.strings[snap.edges[e + 1]!]);
    }
  }
  const held = new Map<string, { n: number; size: number }>();
  for (let i = 0; i < snap.nodes.length; i += F) {
    if (keyOf(i) !== values.by) continue;
    let chain = '';
    for (let n = i / F, d = Number(values.depth); d > 0 && parent[n]! >= 0; d--, n = parent[n]!) chain += ` <-.${via[n]} ${keyOf(parent[n]! * F)}`;
    const h = held.get(chain) ?? { n: 0, size: 0 };
    h.n++;
    h.size += snap.nodes[i + iSize]!;
    held.set(chain, h);
  }
  console.log(`\n${values.by}: held by (first retainer chain)\n\n| retainers | count | self MiB |\n|:--|--:|--:|`);
  for (const [k, h] of [...held].sort((a, b) => b[1].size - a[1].size).slice(0, Number(values.top)))
    console.log(`| ${k.replace(/\|/g, '\\|').slice(0, 140)} | ${h.n.toLocaleString('en-US')} | ${(h.size / MiB).toFixed(1)} |`);
}
