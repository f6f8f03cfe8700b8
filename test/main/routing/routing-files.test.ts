import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  formatProblems,
  simulateConfigFile,
  validateConfigFile,
} from '../../../src/main/rollout/routing/routing-files';
import { ValidationError } from '../../../src/shared/errors';
import { context, EXAMPLE_PATH, mutableExample } from './fixtures';

const dir = mkdtempSync(join(tmpdir(), 'aideon-routing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('validateConfigFile', () => {
  it('accepts the example config (warnings only)', () => {
    const result = validateConfigFile(EXAMPLE_PATH, context());
    expect(result.ok).toBe(true);
    expect(result.problems.every((p) => p.severity === 'warning')).toBe(true);
  });

  it('lists every problem of a YAML file with the line of the field', () => {
    const config = mutableExample();
    config.tiers.premium.targets[1].model = 'gen9';
    config.flags['premium-together-video'].defaultVariant = 'maybe';
    const text = stringify(config);
    const path = write('config.yaml', text);
    const result = validateConfigFile(path, context());
    expect(result.ok).toBe(false);
    const unknown = result.problems.find((p) => p.code === 'unknown-model')!;
    expect(unknown.path).toBe('tiers.premium.targets.1.model');
    const lines = text.split('\n');
    expect(lines[unknown.line! - 1]).toMatch(/model: gen9/);
    const flag = result.problems.find((p) => p.code === 'flag-default-variant')!;
    expect(lines[flag.line! - 1]).toMatch(/defaultVariant: maybe/);
    const report = formatProblems(path, result.problems);
    expect(result.problems.filter((p) => p.severity === 'error')).toHaveLength(2);
    expect(report).toContain(`${path}:${unknown.line}:`);
    expect(report).toMatch(/2 errors, 1 warning: the config cannot be signed/);
  });

  it('gives JSON and YAML parse errors with line numbers', () => {
    const json = write('broken.json', '{\n  "schemaVersion": 1,\n  "tiers": {\n    "free": }\n}\n');
    const result = validateConfigFile(json, context());
    expect(result.ok).toBe(false);
    expect(result.problems[0]!.code).toBe('schema');
    expect(result.problems[0]!.line).toBe(4);
    const yaml = write('broken.yaml', 'schemaVersion: 1\ntiers:\n  free: [a\n  premium: 2\n');
    const parsed = validateConfigFile(yaml, context());
    expect(parsed.ok).toBe(false);
    expect(parsed.problems[0]!.line).toBeGreaterThanOrEqual(3);
    expect(parsed.problems[0]!.message).toMatch(/not valid YAML/);
  });

  it('refuses duplicate keys in JSON (JSON.parse would silently keep the last)', () => {
    const path = write('dup.json', '{"schemaVersion": 1, "schemaVersion": 1, "tiers": {}}');
    const result = validateConfigFile(path, context());
    expect(result.problems.some((p) => /Duplicate key/.test(p.message))).toBe(true);
  });

  it('locates schema problems in JSON files too', () => {
    const config = mutableExample();
    config.tiers.free.targets[0].retries = 9;
    const text = JSON.stringify(config, null, 2);
    const result = validateConfigFile(write('retries.json', text), context());
    const problem = result.problems.find((p) => p.path === 'tiers.free.targets.0.retries')!;
    expect(problem.code).toBe('schema');
    expect(text.split('\n')[problem.line! - 1]).toMatch(/"retries": 9/);
  });

  it('says when the file does not exist', () => {
    expect(() => validateConfigFile(join(dir, 'missing.json'), context())).toThrow(/no file/);
  });
});

describe('simulateConfigFile', () => {
  const fast = { p50LatencyMs: 30_000, p95LatencyMs: 60_000 };
  const observed = {
    'together:ByteDance/Seedance-1.0-lite': { successRate: 0.97, usdPerClip: 0.14, ...fast },
    'together:Wan-AI/wan2.7-t2v': { successRate: 0.95, usdPerClip: 0.1, ...fast },
    'sandbox:sandbox-fast': { successRate: 1, usdPerSecond: 0.05, ...fast },
    'together:kwaivgI/kling-2.1-master': { successRate: 0.95, usdPerClip: 0.92, ...fast },
    'runway:gen4.5': { successRate: 0.98, usdPerSecond: 0.12, ...fast },
    'sandbox:sandbox-pro': { successRate: 1, usdPerSecond: 0.12, ...fast },
  };

  it('simulates a file and returns JSON-ready figures', () => {
    const result = simulateConfigFile(EXAMPLE_PATH, { requests: 5_000, seed: 9, observed });
    expect(Object.keys(result.tiers)).toEqual(['free', 'premium']);
    expect(result.tiers.free!.successRate).toBeGreaterThan(0.99);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('refuses a file that does not match the schema, naming the field and line', () => {
    const config = mutableExample();
    config.tiers.free.strategy = 'roundrobin';
    const path = write('bad.yaml', stringify(config));
    expect(() => simulateConfigFile(path, { requests: 10, seed: 1, observed })).toThrow(
      ValidationError,
    );
    expect(() => simulateConfigFile(path, { requests: 10, seed: 1, observed })).toThrow(
      /tiers\.free\.strategy \(line \d+\)/,
    );
  });
});
