/**
 * Kills `aideon bench run` with SIGKILL at a chosen moment, resumes it with `aideon bench
 * resume`, and reports what the emulator saw: used by the crash test and the crash benchmark.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { TogetherEmulator } from '../emulators/together-emulator';
import { tempDir } from './temp-dir';

export const CRASH_KEY = 'tgp_v1_crash-test-key-000000000001';
const MODELS = 'together:minimax/video-01-director,together:Wan-AI/wan2.7-t2v';

export interface CrashOutcome {
  killedAfterCreates: number;
  generations: number;
  creates: number;
  /** Generations with a vendor job id (each should have been created exactly once). */
  submitted: number;
  /** Vendor job ids recorded on more than one generation, or created but recorded nowhere. */
  duplicateSubmissions: number;
  /** Generations without an outcome after the resume, or successes without a stored video. */
  lost: number;
  outcomes: Record<string, number>;
}

function run(args: string[], env: NodeJS.ProcessEnv): { done: Promise<number>; kill: () => void } {
  const child = spawn(process.execPath, ['bin/aideon.mjs', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<number>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal === 'SIGKILL' ? -9 : (code ?? -1))),
  );
  void done.then((code) => {
    if (code !== 0 && code !== -9 && process.env.AIDEON_CRASH_DEBUG) console.error(stderr);
  });
  return { done, kill: () => child.kill('SIGKILL') };
}

export async function crashAndResume(options: {
  killAfterCreates: number;
  extraDelayMs: number;
  prompts?: number;
}): Promise<CrashOutcome> {
  const { dir, cleanup } = tempDir('aideon-crash-');
  const emulator = new TogetherEmulator({ apiKey: CRASH_KEY, queueMs: 150, runMs: 400 });
  try {
    const baseUrl = await emulator.start();
    const prompts = options.prompts ?? 8;
    const suite = join(dir, 'crash.yaml');
    writeFileSync(
      suite,
      [
        'name: Crash',
        'settings: { durationSeconds: 5 }',
        'prompts:',
        ...Array.from(
          { length: prompts },
          (_, i) => `  - { id: p${i + 1}, text: "crash test prompt number ${i + 1}" }`,
        ),
        '',
      ].join('\n'),
    );
    const env = { TOGETHER_API_KEY: CRASH_KEY, AIDEON_TOGETHER_BASE_URL: baseUrl };
    const dataDir = join(dir, 'data');
    const first = run(
      [
        '--data-dir',
        dataDir,
        'bench',
        'run',
        '--suite',
        suite,
        '--models',
        MODELS,
        '--budget',
        '50',
        '--json',
      ],
      env,
    );
    const killed = (async () => {
      while (emulator.stats.creates < options.killAfterCreates)
        await new Promise((resolve) => setTimeout(resolve, 5));
      await new Promise((resolve) => setTimeout(resolve, options.extraDelayMs));
      first.kill();
    })();
    const firstCode = await Promise.race([first.done, killed.then(() => first.done)]);
    const killedAfterCreates = emulator.stats.creates;
    if (firstCode === 0) {
      // The run finished before the kill point: nothing to resume, still a valid sample.
    }
    const second = run(['--data-dir', dataDir, 'bench', 'resume', '--json'], env);
    const code = await second.done;
    if (code !== 0) throw new Error(`bench resume exited with ${code}`);

    const db = new Database(join(dataDir, 'aideon.sqlite'), { readonly: true });
    const rows = db.prepare('SELECT vendor_job_id, outcome, media_id FROM generations').all() as {
      vendor_job_id: string | null;
      outcome: string | null;
      media_id: string | null;
    }[];
    db.close();
    const jobIds = rows.map((row) => row.vendor_job_id).filter((id): id is string => id !== null);
    const outcomes: Record<string, number> = {};
    for (const row of rows)
      outcomes[row.outcome ?? 'none'] = (outcomes[row.outcome ?? 'none'] ?? 0) + 1;
    const unrecorded = Math.max(
      0,
      emulator.stats.creates - jobIds.length - (outcomes.submit_unknown ?? 0),
    );
    return {
      killedAfterCreates,
      generations: rows.length,
      creates: emulator.stats.creates,
      submitted: jobIds.length,
      duplicateSubmissions: jobIds.length - new Set(jobIds).size + unrecorded,
      lost: rows.filter(
        (row) => row.outcome === null || (row.outcome === 'success' && row.media_id === null),
      ).length,
      outcomes,
    };
  } finally {
    await emulator.stop();
    cleanup();
  }
}
