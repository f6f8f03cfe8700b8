/**
 * A process's resident memory by kind, from /proc/<pid>/smaps, for the soak bench: the figures
 * that tell glibc's allocator apart from V8. RSS alone cannot say whether growth outside V8's heap
 * is a native leak or the allocator keeping freed memory: the main arena grows the brk heap
 * ([heap]); other threads' arenas, blocks of 128 KB and more, V8's own heap and thread stacks
 * are anonymous mappings.
 */
import { readFileSync } from 'node:fs';

export interface NativeMemory {
  /** Resident memory of the brk heap ([heap]): glibc malloc's main arena, MB. */
  brkMb: number;
  /** Resident anonymous memory outside the brk heap and the main stack, MB. */
  anonMb: number;
}

/** A mapping's header line: address range, permissions, offset, device, inode, then its path. */
const MAPPING = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/;

/** Adds up the Rss lines of smaps text by the kind of the mapping they belong to. */
export function parseSmaps(text: string): NativeMemory {
  let kind: 'brk' | 'anon' | 'other' = 'other';
  let brkKb = 0;
  let anonKb = 0;
  for (const line of text.split('\n')) {
    const mapping = MAPPING.exec(line);
    if (mapping) {
      const path = (mapping[1] ?? '').trim();
      // A path-less mapping is anonymous; the kernel names some ([anon:…], [anon_shmem:…]).
      kind = path === '[heap]' ? 'brk' : path === '' || path.startsWith('[anon') ? 'anon' : 'other';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) {
      if (kind === 'brk') brkKb += Number(rss[1]);
      else if (kind === 'anon') anonKb += Number(rss[1]);
    }
  }
  return { brkMb: brkKb / 1024, anonMb: anonKb / 1024 };
}

/** `parseSmaps` of a running process; undefined when it is gone or its smaps cannot be read. */
export function smapsFigures(pid: number): NativeMemory | undefined {
  try {
    return parseSmaps(readFileSync(`/proc/${pid}/smaps`, 'utf8'));
  } catch {
    return undefined;
  }
}
