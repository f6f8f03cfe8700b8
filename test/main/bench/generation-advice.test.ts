/**
 * A generation that did not succeed says which vendor answered and what to do, in the stored
 * message (so the app, browser mode, the CLI's JSON and exports say the same), and the CLI's
 * table lists each such generation with its reason.
 */
import { describe, expect, it } from 'vitest';
import { generationAdvice, withAdvice } from '../../../src/main/bench/generation-advice';
import { renderRunTable } from '../../../src/main/cli/bench-output';
import type { RunDetail } from '../../../src/shared/domain';
import { PROVIDER_ERROR_CLASSES } from '../../../src/shared/errors';

describe('generation advice', () => {
  it('names the vendor and what to do for every error class a generation can end with', () => {
    // Every class but `cancelled`, which the admin chose and needs no advice.
    const classes = PROVIDER_ERROR_CLASSES.filter((code) => code !== 'cancelled');
    for (const code of classes) {
      const advice = generationAdvice('together', code);
      expect(advice, code).toMatch(/Together AI/);
      expect(advice, code).toMatch(/run (the prompt|it) again|try again/);
    }
    expect(generationAdvice('together', 'auth')).toMatch(/TOGETHER_API_KEY/);
    expect(generationAdvice('together', 'cancelled')).toBeUndefined();
  });

  it("appends to the vendor's words once, and stays within 1000 characters", () => {
    const once = withAdvice('luma', 'quota', 'luma answered HTTP 429: Too many requests');
    expect(once).toBe(
      'luma answered HTTP 429: Too many requests. Luma is out of credit or limiting this account: add credit or raise the limit in your Luma account, then run the prompt again.',
    );
    expect(withAdvice('luma', 'quota', once)).toBe(once);
    const long = withAdvice('runway', 'bad_output', 'x'.repeat(5000));
    expect(long.length).toBeLessThanOrEqual(1000);
    expect(long).toMatch(/Runway's output could not be used as a video/);
    expect(withAdvice('fal', 'cancelled', 'Cancelled by the admin.')).toBe(
      'Cancelled by the admin.',
    );
  });

  it('a 402 says payment is required at the vendor and what to do, not a generic quota', () => {
    const paid = withAdvice('luma', 'quota', 'Luma answered HTTP 402: Insufficient credits');
    expect(paid).toBe(
      "Luma answered HTTP 402: Insufficient credits. Luma asks for payment (HTTP 402): this Luma account is out of credits or over its spend limit. Add credits or raise the limit in the account's billing settings at Luma, then run the prompt again.",
    );
    expect(withAdvice('luma', 'quota', paid)).toBe(paid);
    // Only a 402 reads so: a 4020-character body or a rate limit does not.
    expect(generationAdvice('luma', 'quota', 'Luma answered HTTP 4020')).toMatch(
      /out of credit or limiting/,
    );
    expect(generationAdvice('luma', 'auth', 'Luma answered HTTP 402')).toMatch(
      /refused the API key/,
    );
  });

  it('the CLI table lists every generation that did not succeed, with its reason', () => {
    const generation = (promptId: string, outcome: string, errorMessage: string | null) => ({
      promptId,
      provider: 'replicate',
      modelId: 'minimax/video-01',
      cached: false,
      outcome,
      state: outcome === 'success' ? 'succeeded' : 'failed',
      queueMs: null,
      generationMs: null,
      downloadMs: null,
      totalMs: null,
      costUsd: null,
      errorMessage,
    });
    const detail = {
      run: {
        id: 'run-1',
        state: 'finished',
        succeeded: 1,
        failed: 2,
        total: 3,
        spentUsd: 0.28,
        countedUsd: 0.56,
        unknownOutcomes: 1,
        budgetUsd: 5,
      },
      generations: [
        generation('p0', 'success', null),
        generation('p1', 'failure', withAdvice('replicate', 'auth', 'replicate answered HTTP 401')),
        generation('p2', 'submit_unknown', 'Submitted, outcome unknown: check Replicate.'),
      ],
    } as unknown as RunDetail;
    const table = renderRunTable(detail);
    expect(table).toMatch(
      /1 did not succeed:\n- p1 on replicate:minimax\/video-01 \(failure\): replicate answered HTTP 401\. Replicate refused the API key/,
    );
    // The same reason on many prompts of one model is one line naming them.
    const refused = withAdvice('replicate', 'auth', 'replicate answered HTTP 401');
    const many = renderRunTable({
      ...detail,
      generations: [
        generation('p0', 'success', null),
        ...['p1', 'p2', 'p3', 'p4', 'p5'].map((id) => generation(id, 'account_refused', refused)),
        generation('p6', 'failure', 'replicate answered HTTP 500.'),
      ],
    } as unknown as RunDetail);
    expect(many).toContain('6 did not succeed:\n');
    expect(many).toContain(
      `- p1, p2, p3 and 2 more on replicate:minimax/video-01 (account_refused): ${refused}\n`,
    );
    expect(many).toContain(
      '- p6 on replicate:minimax/video-01 (failure): replicate answered HTTP 500.\n',
    );
    expect(table).toMatch(
      /1 submission\(s\) may have been accepted and billed without an answer:\n! p2/,
    );
    expect(table).not.toMatch(/- p0/);
    expect(table).toMatch(
      /\$0\.28 billed · \$0\.56 counted against the \$5\.00 budget \(includes \$0\.28 for 1 submission with unknown outcome\)\.$/m,
    );
    // A run exported by an older console (no counted figure) reads as what was billed.
    const older = {
      ...detail,
      run: { ...detail.run, countedUsd: undefined, unknownOutcomes: undefined },
    };
    expect(renderRunTable(older as unknown as RunDetail)).toMatch(
      /\$0\.28 billed · \$0\.28 counted against the \$5\.00 budget\.$/m,
    );
  });
});
