/**
 * What grew between two V8 heap snapshots (the soak bench's --heap-snapshots writes them): live
 * objects counted by kind and constructor name, the groups that grew most in bytes first. A
 * leak shows as a group whose count keeps pace with the work done (runs, downloads, cancels).
 *
 * Run: node --import tsx test/bench/heap-diff.ts BEFORE.heapsnapshot AFTER.heapsnapshot [TOP]
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Bytes and count per "kind name" (e.g. "object Timeout", "closure onAbort"). */
export function heapGroups(path: string): Map<string, { count: number; bytes: number }> {
  const data = JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
  const fields = data.snapshot.meta.node_fields;
  const kinds = data.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const groups = new Map<string, { count: number; bytes: number }>();
  for (let offset = 0; offset < data.nodes.length; offset += width) {
    const kind = kinds[data.nodes[offset + typeAt] ?? 0] ?? '?';
    // Strings are grouped as one: their text is data, not a kind of object.
    const name =
      kind === 'string' || kind === 'concatenated string' || kind === 'sliced string'
        ? ''
        : (data.strings[data.nodes[offset + nameAt] ?? 0] ?? '?').slice(0, 60);
    const key = `${kind} ${name}`.trim();
    const group = groups.get(key) ?? { count: 0, bytes: 0 };
    group.count += 1;
    group.bytes += data.nodes[offset + sizeAt] ?? 0;
    groups.set(key, group);
  }
  return groups;
}

const [before, after, top = '25'] = process.argv.slice(2);
if (!before || !after) {
  console.error('usage: heap-diff.ts BEFORE.heapsnapshot AFTER.heapsnapshot [TOP]');
  process.exit(2);
}
const a = heapGroups(before);
const b = heapGroups(after);
const rows = [...new Set([...a.keys(), ...b.keys()])]
  .map((key) => ({
    key,
    count: (b.get(key)?.count ?? 0) - (a.get(key)?.count ?? 0),
    bytes: (b.get(key)?.bytes ?? 0) - (a.get(key)?.bytes ?? 0),
    total: b.get(key)?.count ?? 0,
  }))
  .sort((x, y) => y.bytes - x.bytes)
  .slice(0, Number(top));
const total = (groups: Map<string, { bytes: number }>) =>
  [...groups.values()].reduce((sum, group) => sum + group.bytes, 0) / 1024 / 1024;
console.log(`live heap ${total(a).toFixed(1)} MB → ${total(b).toFixed(1)} MB; grew most:`);
for (const row of rows)
  console.log(
    `${(row.bytes / 1024).toFixed(0).padStart(8)} KB  ${(row.count >= 0 ? '+' : '') + row.count} (now ${row.total})  ${row.key}`,
  );
