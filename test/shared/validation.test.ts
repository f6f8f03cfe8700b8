import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fieldLabel, humanIssue, zodIssues } from '../../src/shared/validation';

describe('fieldLabel', () => {
  it('turns a path into the field name an admin reads', () => {
    expect(fieldLabel('budgetUsd')).toBe('Budget');
    expect(fieldLabel('line 1: name')).toBe('Name');
    expect(fieldLabel('line 12: prompts.3.durationSeconds')).toBe('Duration');
    expect(fieldLabel('settings.smokeBudgetUsd')).toBe('Smoke budget');
    expect(fieldLabel('intervalMinutes')).toBe('Interval');
    expect(fieldLabel('tiers.0.targets.1.timeoutS')).toBe('Timeout');
    expect(fieldLabel('')).toBe('This value');
  });
});

describe('humanIssue', () => {
  const schema = z.object({
    budgetUsd: z.number().min(0),
    intervalMinutes: z.number().int().max(1440),
    name: z.string().min(1),
    url: z.url(),
    runId: z.string(),
  });
  it('rewrites what zod says about each field, all of them, not just the first', () => {
    const result = schema.safeParse({
      budgetUsd: -1,
      intervalMinutes: 5000,
      name: '',
      url: 'nope',
    });
    expect(result.success).toBe(false);
    const messages = zodIssues(result.error!).map((issue) => humanIssue(issue.path, issue.message));
    expect(messages).toEqual([
      'Budget must be 0 or more',
      'Interval must be 1440 or less',
      'Name cannot be empty',
      'Url must be a URL, e.g. http://host:9090',
      'Run id is required',
    ]);
  });
  it('words wrong kinds, fixed values, choices and unknown fields', () => {
    const config = z.strictObject({
      schemaVersion: z.literal(1),
      tiers: z.record(z.string(), z.number()),
      targets: z.array(z.string()),
      strategy: z.enum(['priority', 'weighted']),
      enabled: z.boolean(),
    });
    const result = config.safeParse({
      schemaVersion: 2,
      tiers: 5,
      targets: 'runway',
      strategy: 'random',
      enabled: 'yes',
      tier: {},
    });
    const messages = zodIssues(result.error!).map((issue) => humanIssue(issue.path, issue.message));
    expect(messages.sort()).toEqual(
      [
        'Schema version must be 1',
        'Tiers must be an object (names and values), not a number',
        'Targets must be a list, not text',
        'Strategy must be one of "priority", "weighted"',
        'Enabled must be true or false, not text',
        '"tier" is not a field here (misspelled?)',
      ].sort(),
    );
  });
  it('passes an unknown message through', () => {
    expect(humanIssue('x', 'Tier "free" has no targets')).toBe('Tier "free" has no targets');
  });
});
