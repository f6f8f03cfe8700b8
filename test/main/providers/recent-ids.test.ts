/**
 * The ids fal's and Luma's adapters remember for their own cancels are bounded (an adapter lives
 * as long as the console): the soak bench saw one id kept per cancel, forever.
 */
import { describe, expect, it } from 'vitest';
import { RecentIds } from '../../../src/main/providers/recent-ids';

describe('RecentIds', () => {
  it('keeps the latest ids up to its limit and forgets the oldest first', () => {
    const ids = new RecentIds(3);
    for (const id of ['a', 'b', 'c', 'd']) ids.add(id);
    expect(ids.size).toBe(3);
    expect(['a', 'b', 'c', 'd'].map((id) => ids.has(id))).toEqual([false, true, true, true]);
  });

  it('an id added again counts as the newest', () => {
    const ids = new RecentIds(2);
    ids.add('a');
    ids.add('b');
    ids.add('a');
    ids.add('c');
    expect([ids.has('a'), ids.has('b'), ids.has('c')]).toEqual([true, false, true]);
  });

  it('stays at its limit over many cancels', () => {
    const ids = new RecentIds();
    for (let index = 0; index < 5000; index += 1) ids.add(`job-${index}`);
    expect(ids.size).toBe(1000);
    expect(ids.has('job-3999')).toBe(false);
    expect(ids.has('job-4000')).toBe(true);
  });
});
