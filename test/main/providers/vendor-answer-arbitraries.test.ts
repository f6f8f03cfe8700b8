/**
 * The fuzz fixtures' own edge: fast-check's strings favour property names such as "length" and
 * "__proto__", and an extra field by that name must change the answer the way a vendor's JSON
 * would (or not at all), never throw inside the generator (a full run once failed there).
 */
import { describe, expect, it } from 'vitest';
import { replaced } from './__fixtures__/vendor-answer-arbitraries';

describe('replaced (fuzz fixture)', () => {
  it('leaves an array alone when the extra key is not an index, even "length" set to a fraction', () => {
    const doc = { data: [{ id: 'a' }, { id: 'b' }] };
    for (const value of [0.5, -1, 1e308, 'text', null]) {
      const next = replaced(doc, ['data', 'length'], value);
      expect(JSON.stringify(next)).toBe(JSON.stringify(doc));
    }
    expect(replaced([1, 2], ['length'], 0.5)).toEqual([1, 2]);
  });

  it('makes an extra "__proto__" a field of the answer that JSON carries', () => {
    const next = replaced({ id: 'a' }, ['__proto__'], { polluted: true });
    const text = JSON.stringify(next);
    expect(text).toBe('{"id":"a","__proto__":{"polluted":true}}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('still replaces and removes by index and key', () => {
    expect(replaced({ data: [1, 2, 3] }, ['data', 1], 'x')).toEqual({ data: [1, 'x', 3] });
    expect(replaced({ data: [1, 2, 3] }, ['data', 1], undefined)).toEqual({ data: [1, 3] });
    expect(replaced({ a: 1, b: 2 }, ['a'], undefined)).toEqual({ b: 2 });
  });
});
