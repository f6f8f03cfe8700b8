import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSmaps, smapsFigures } from '../../bench/proc-memory';

// The soak bench tells glibc's allocator apart from V8 by these figures (test/bench/soak.bench.ts).
describe('soak bench: resident memory by kind from /proc/<pid>/smaps', () => {
  it('adds Rss of the brk heap and of anonymous mappings, and nothing else', () => {
    const text = [
      '55b3f1dee000-55b3f1e30000 rw-p 00000000 00:00 0                          [heap]',
      'Size:                264 kB',
      'Rss:                 200 kB',
      'Pss:                 200 kB',
      '7f0000000000-7f0000100000 rw-p 00000000 00:00 0 ',
      'Rss:                1024 kB',
      '7f0000100000-7f0000200000 rw-p 00000000 00:00 0                          [anon:v8]',
      'Rss:                 512 kB',
      '7f0000200000-7f0000300000 r-xp 00002000 fe:00 260131                     /usr/bin/node',
      'Rss:                4096 kB',
      '7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0                          [stack]',
      'Rss:                 132 kB',
      'VmFlags: rd wr mr mw me ac',
      '55b3f1e30000-55b3f1e40000 rw-p 00000000 00:00 0                          [heap]',
      'Rss:                  56 kB',
    ].join('\n');
    expect(parseSmaps(text)).toEqual({ brkMb: 256 / 1024, anonMb: 1536 / 1024 });
  });

  it('sees memory this process touches in an anonymous mapping, within its RSS', () => {
    const rssMb = () =>
      Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) / 1024;
    const before = smapsFigures(process.pid);
    expect(before).toBeDefined();
    if (!before) return;
    expect(before.brkMb + before.anonMb).toBeLessThanOrEqual(rssMb());
    // A large buffer is its own mmap-ed block, resident once written.
    const block = Buffer.alloc(64 * 1024 * 1024, 1);
    const after = smapsFigures(process.pid);
    expect(after).toBeDefined();
    expect((after?.anonMb ?? 0) - before.anonMb).toBeGreaterThan(60);
    expect(block[block.length - 1]).toBe(1);
  });

  it('says undefined for a process that has gone', () => {
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    expect(smapsFigures(Number(child.stdout.toString()))).toBeUndefined();
  });
});
