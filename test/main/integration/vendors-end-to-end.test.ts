/**
 * The console against the vendor emulators, the way an admin uses it: `aideon bench run` with
 * base URLs pointed at the emulators and keys in the environment. Then a planted key is searched
 * for everywhere it must never appear: CLI output, logs, SQLite (database and WAL files), every
 * channel answer the renderer can get, and exports.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/main/cli/main';
import { createAppDispatcher } from '../../../src/main/ipc/index';
import { resourcesDir } from '../../../src/main/paths';
import { createServices } from '../../../src/main/services';
import { INVOKE_CHANNEL_NAMES } from '../../../src/shared/ipc/channel-names';
import { RunwayEmulator } from '../../emulators/runway-emulator';
import { TogetherEmulator } from '../../emulators/together-emulator';
import { tempDir } from '../../helpers/temp-dir';

const TOGETHER_KEY = 'tgp_v1_PLANTED-e2e-4b9d7c1a22f0';
const RUNWAY_KEY = `key_${'5eed'.repeat(32)}`;

const together = new TogetherEmulator({ apiKey: TOGETHER_KEY });
const runway = new RunwayEmulator({ apiKey: RUNWAY_KEY });
let env: NodeJS.ProcessEnv;
let dataDir: string;
let cleanup: () => void;
let output = '';
let logs = '';
let exitCode = -1;

beforeAll(async () => {
  ({ dir: dataDir, cleanup } = tempDir());
  env = {
    TOGETHER_API_KEY: TOGETHER_KEY,
    RUNWAYML_API_SECRET: RUNWAY_KEY,
    AIDEON_TOGETHER_BASE_URL: await together.start(),
    AIDEON_RUNWAY_BASE_URL: await runway.start(),
    AIDEON_LOG: '1',
  };
  const suite = join(dataDir, 'faults.yaml');
  writeFileSync(
    suite,
    [
      'name: Faults',
      'settings: { durationSeconds: 5 }',
      'prompts:',
      '  - { id: ok-1, text: "a kite over a beach" }',
      '  - { id: ok-2, text: "a snail crossing a leaf" }',
      '  - { id: refused, text: "a wrong key is used #auth" }',
      '  - { id: broken, text: "the vendor is down #5xx" }',
      '',
    ].join('\n'),
  );
  exitCode = await runCli(
    [
      '--data-dir',
      dataDir,
      'bench',
      'run',
      '--suite',
      suite,
      '--models',
      'together:minimax/video-01-director,runway:gen4.5',
      '--budget',
      '20',
      '--json',
    ],
    { stdout: (text) => (output += text), stderr: (text) => (logs += text), env, isTTY: false },
  );
}, 120_000);

afterAll(async () => {
  await together.stop();
  await runway.stop();
  cleanup();
});

describe('bench run against the Together and Runway emulators', () => {
  it('finishes the run (exit 0) with successes and classified failures', () => {
    expect(exitCode).toBe(0);
    const detail = JSON.parse(output) as {
      run: { state: string };
      generations: {
        promptId: string;
        provider: string;
        outcome: string;
        errorCode: string | null;
        costUsd: number | null;
      }[];
    };
    expect(detail.run.state).toBe('finished');
    const outcome = (promptId: string, provider: string) =>
      detail.generations.find((g) => g.promptId === promptId && g.provider === provider);
    for (const provider of ['together', 'runway']) {
      expect(outcome('ok-1', provider)?.outcome).toBe('success');
      expect(outcome('ok-2', provider)?.outcome).toBe('success');
      expect(outcome('refused', provider)?.errorCode).toBe('auth');
      expect(outcome('broken', provider)?.outcome).toBe('failure');
    }
    // Together reports its own cost (outputs.cost); it is what was recorded.
    expect(outcome('ok-1', 'together')?.costUsd).toBeGreaterThan(0);
  });

  it('submitted each generation exactly once', () => {
    // 2 prompts succeed, #auth and #5xx are refused at submission: nothing is resubmitted.
    expect(together.stats.creates).toBeLessThanOrEqual(4 + 2);
    expect(runway.stats.creates).toBeLessThanOrEqual(4 + 2);
  });

  it('never lets a key reach output, logs, SQLite, channel answers or exports', async () => {
    const keys = [TOGETHER_KEY, RUNWAY_KEY];
    const haystacks: [string, string][] = [
      ['CLI output', output],
      ['logs', logs],
    ];
    for (const file of readdirSync(dataDir)) {
      const path = join(dataDir, file);
      if (statSync(path).isFile())
        haystacks.push([`data file ${file}`, readFileSync(path).toString('latin1')]);
    }
    const services = createServices({
      dataDir,
      resourcesDir: resourcesDir(),
      env,
      mode: 'browser',
      version: 'test',
    });
    try {
      const dispatcher = createAppDispatcher(services);
      const runs = await dispatcher.dispatch('bench:list-runs', {});
      const runId = ((runs as { value: { id: string }[] }).value[0] as { id: string }).id;
      const inputs: Record<string, unknown> = {
        'bench:get-run': { runId },
        'providers:test-connection': { provider: 'together' },
        'bench:plan-run': {
          suiteId: 'smoke',
          models: [{ provider: 'together', modelId: 'minimax/video-01-director' }],
        },
      };
      for (const channel of INVOKE_CHANNEL_NAMES) {
        if (/start-run|cancel|keys:|cast-vote|import-votes/.test(channel)) continue;
        const answer = await dispatcher.dispatch(channel, inputs[channel] ?? {});
        haystacks.push([`channel ${channel}`, JSON.stringify(answer)]);
      }
      // A failing connection test must not echo the key either.
      services.options.env.AIDEON_TOGETHER_BASE_URL = 'http://127.0.0.1:9';
      haystacks.push([
        'export',
        JSON.stringify(await dispatcher.dispatch('review:export-votes', {})),
      ]);
    } finally {
      await services.close();
    }
    expect(haystacks.length).toBeGreaterThan(10);
    for (const [where, text] of haystacks) {
      for (const key of keys) {
        expect(text.includes(key), `${where} contains a key`).toBe(false);
        expect(text.includes(key.slice(4, 20)), `${where} contains part of a key`).toBe(false);
      }
    }
  });
});
