/**
 * The one check of a create answer's job id (providers/job-id-check.ts) every adapter makes
 * before keeping the id or putting it in a status URL.
 */
import { describe, expect, it } from 'vitest';
import {
  jobIdProblem,
  MAX_JOB_ID_LENGTH,
  shownJobId,
  UnusableJobIdError,
  usableJobId,
} from '../../../src/main/providers/job-id-check';
import { ProviderError } from '../../../src/shared/errors';

describe('job ids from a create answer', () => {
  it("the vendors' usual ids pass", () => {
    for (const id of [
      '3f1c2a9e-8b7d-4c6e-9a5b-1d2e3f4a5b6c',
      'q6r8s0t2v4x6z8b0d2f4h6j8l0',
      'abc_DEF-123.4~x:y@z',
    ])
      expect(jobIdProblem(id), id).toBeUndefined();
    expect(
      jobIdProblem('models/veo-3.0-generate-001/operations/abc123', { slashes: true }),
    ).toBeUndefined();
  });

  it('names what is wrong: empty, too long, characters a URL path cannot hold, path segments, the vendor form', () => {
    expect(jobIdProblem('')).toBe('it is empty');
    expect(jobIdProblem('x'.repeat(MAX_JOB_ID_LENGTH))).toBeUndefined();
    expect(jobIdProblem('x'.repeat(204_800))).toBe(
      "it is 204,800 characters long (at most 512 fit in the status call's URL)",
    );
    expect(jobIdProblem('a b?c#d/e%f\u0000é')).toBe(
      'it contains characters that cannot go into a URL path (a space, "?", "#", "/", "%")',
    );
    expect(jobIdProblem('job\u0007\u00e9')).toBe(
      'it contains characters that cannot go into a URL path (U+0007, U+00E9)',
    );
    expect(jobIdProblem('..')).toMatch(/"\.\." path segment/);
    expect(jobIdProblem('models/../../v1/keys', { slashes: true })).toMatch(/path segment/);
    expect(jobIdProblem('models//operations/x', { slashes: true })).toMatch(/empty/);
    expect(jobIdProblem('abc:def', { pattern: { test: /^[\w-]+$/, says: 'not a Luma id' } })).toBe(
      'not a Luma id',
    );
  });

  it('an unusable id is an unknown outcome, never retryable, with the vendor named and the id shown short, the key never', () => {
    const key = 'sk-secret-key-0001';
    const error = (() => {
      try {
        usableJobId('luma', `${key}${'y'.repeat(5000)}`, { secrets: [key] });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(UnusableJobIdError.is(error)).toBe(true);
    expect(ProviderError.isInstance(error)).toBe(true);
    const failure = error as UnusableJobIdError;
    expect(failure.outcomeUnknown).toBe(true);
    expect(failure.retryable).toBe(false);
    expect(failure.message).toMatch(
      /^Luma answered the create with an unusable job id: it is 5,018 characters long/,
    );
    expect(failure.message).toMatch(/may still be billed: check the provider's account/);
    expect(failure.message).not.toContain(key);
    expect(failure.message.length).toBeLessThan(400);
    expect(shownJobId(`ab\u0000${'z'.repeat(60)}`)).toBe(`ab?${'z'.repeat(37)}…`);
    expect(UnusableJobIdError.is(new ProviderError('timeout', 'slow', { provider: 'luma' }))).toBe(
      false,
    );
  });
});
