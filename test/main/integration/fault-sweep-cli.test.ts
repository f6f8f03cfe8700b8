/**
 * The whole-process fault sweep: for each vendor emulator, every create/poll/download fault the
 * emulators support, injected during one real `aideon bench run` child process (bin/aideon.mjs,
 * real SQLite, real media store, real timers). The in-process fault matrix
 * (fault-matrix.test.ts) pins each generation's outcome and error class; this one checks what
 * only a whole process shows:
 *
 * (a) the process exits 0 with a readable result and nothing on stderr that a crash or an
 *     unhandled rejection prints;
 * (b) every generation that did not succeed tells the admin, in the run's output, which vendor
 *     answered and what to do about it (the table's notes and the JSON's errorMessage);
 * (c) no paid job is recorded on two generations or created twice for one generation, every job
 *     the vendor made is owned by a generation or named in a "submitted, outcome unknown" note,
 *     and every success has its video in the media store.
 *
 * The `#hang` fault needs a per-run timeout longer than every other job, so it is left to the
 * in-process matrix (and `timeout-cli.test.ts` covers a timeout through the CLI). Runway's 429
 * carries no Retry-After (30 s pause), so it is left out as in the matrix.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDb, spawnCli } from '../../helpers/cli-child';
import { tempDir } from '../../helpers/temp-dir';
import { useVendorEmulators, VENDOR_MODELS, type Vendor } from '../../helpers/vendor-emulators';

const KEYS = {
  together: 'tgp_v1_sweep-key-0000000001',
  runway: `key_${'ef'.repeat(64)}`,
  replicate: 'r8_sweep_key_00000000000001',
  gemini: 'AIzaSy-sweep-key-0000000001',
  fal: 'fal-sweep-key:00000000001',
  luma: 'luma-sweep-key-00000000001',
};
const { emulators, env } = useVendorEmulators(KEYS);
const MODELS = VENDOR_MODELS;
/** How the console names each vendor to the admin. */
const LABEL: Record<Vendor, RegExp> = {
  together: /Together/,
  runway: /Runway/,
  replicate: /Replicate/,
  gemini: /Gemini|Google|Veo/,
  fal: /fal/,
  luma: /Luma/,
};
env.AIDEON_FFMPEG = '/nonexistent/ffmpeg';

/** Every create, poll and download fault of the emulators (emulator-kit.ts FAULTS). */
function faults(vendor: Vendor): string[] {
  const list = [
    '#auth',
    '#invalid',
    '#credits',
    '#5xx-once',
    '#5xx',
    '#reset-once',
    '#reset',
    '#slow',
    '#html-create',
    '#html-poll-once',
    '#reset-poll-once',
    '#5xx-poll-once',
    '#html-download',
    '#reset-download-once',
    '#5xx-download-once',
    '#truncate-once',
    '#expire',
    '#fail',
    '#policy',
  ];
  if (vendor !== 'runway') list.push('#ratelimit-once');
  return list;
}

/** Words that tell the admin what to do next. */
const ACTION =
  /check|add credit|change the prompt|try again|run the prompt again|run it again|not sent again|dashboard/i;

/** What a crash or an unhandled rejection prints. */
const CRASH = /unhandled|uncaught|TypeError|ReferenceError|RangeError|\n\s+at .+:\d+:\d+/i;

interface Row {
  id: string;
  prompt: string;
  outcome: string | null;
  error_message: string | null;
  vendor_job_id: string | null;
  media_id: string | null;
}

describe('fault sweep through `aideon bench run` (one child process per vendor)', () => {
  it.each(Object.keys(emulators) as Vendor[])(
    '%s: every fault, one process, nothing crashes, lost or paid twice',
    async (vendor) => {
      const { dir, cleanup } = tempDir(`aideon-sweep-${vendor}-`);
      try {
        const cases = faults(vendor);
        const suiteFile = join(dir, 'sweep.json');
        writeFileSync(
          suiteFile,
          JSON.stringify({
            name: `Fault sweep ${vendor}`,
            description: 'every emulator fault',
            settings: {},
            prompts: cases.map((fault, index) => ({
              id: `f${String(index).padStart(2, '0')}`,
              text: `a quiet harbour, fault ${fault}`,
              category: 'general',
            })),
          }),
        );
        const dataDir = join(dir, 'data');
        const emulator = emulators[vendor];
        const createsBefore = emulator.stats.creates;
        const child = spawnCli(
          [
            '--data-dir',
            dataDir,
            'bench',
            'run',
            '--suite',
            suiteFile,
            '--models',
            `${vendor}:${MODELS[vendor]}`,
            '--budget',
            '1000',
            '--provider-concurrency',
            `${vendor}=8`,
            '--no-analysis',
            '--json',
          ],
          env,
        );
        const code = await child.done;
        // (a) a clean exit with a readable answer, nothing a crash prints.
        expect(child.stderr()).not.toMatch(CRASH);
        expect(code).toBe(0);
        const detail = JSON.parse(child.stdout()) as {
          run: { state: string; total: number };
          generations: Array<{
            promptId: string;
            outcome: string | null;
            errorMessage: string | null;
          }>;
        };
        expect(detail.run.state).toBe('finished');
        expect(detail.generations).toHaveLength(cases.length);

        // (b) each generation that did not succeed names the vendor and what to do.
        const unclear: string[] = [];
        for (const generation of detail.generations) {
          expect(generation.outcome).not.toBeNull();
          if (generation.outcome === 'success') continue;
          const message = generation.errorMessage ?? '';
          if (!LABEL[vendor].test(message) || !ACTION.test(message))
            unclear.push(
              `${cases[Number(generation.promptId.slice(1))]} → ${generation.outcome}: ${message}`,
            );
        }
        expect(unclear).toEqual([]);

        // (c) nothing paid twice, nothing lost.
        const rows = readDb(dataDir, (db) =>
          db
            .prepare(
              'SELECT id, prompt, outcome, error_message, vendor_job_id, media_id FROM generations ORDER BY prompt_id',
            )
            .all(),
        ) as Row[] | null;
        if (!rows) throw new Error('the run left no database');
        const owned = rows.flatMap((row) => (row.vendor_job_id ? [row.vendor_job_id] : []));
        // Only ids the vendor gave are polled (a lost create resent and absent twice once
        // polled the job "absent", which the vendor answered 404).
        expect(owned.filter((id) => id === 'absent' || id === 'unknown')).toEqual([]);
        expect(rows.filter((row) => /answered HTTP 404/.test(row.error_message ?? ''))).toEqual([]);
        expect(new Set(owned).size).toBe(owned.length);
        const creates = emulator.stats.creates - createsBefore;
        // A job the vendor made but no generation owns may only be one whose create answer was
        // lost and which the admin was told about.
        const unknown = rows.filter((row) => row.outcome === 'submit_unknown');
        expect(creates).toBeLessThanOrEqual(owned.length + unknown.length);
        for (const row of rows.filter((r) => r.outcome === 'success')) {
          expect(row.media_id, row.prompt).not.toBeNull();
          const id = row.media_id ?? '';
          expect(existsSync(join(dataDir, 'media', id.slice(0, 2), id)), row.prompt).toBe(true);
        }
        // The transient faults ended in a stored video.
        const succeeded = new Set(
          rows.filter((r) => r.outcome === 'success').map((r) => r.prompt.split('fault ')[1]),
        );
        for (const transient of [
          '#5xx-once',
          '#slow',
          '#html-poll-once',
          '#reset-poll-once',
          '#5xx-poll-once',
          '#reset-download-once',
          '#5xx-download-once',
          '#truncate-once',
        ])
          expect([...succeeded], transient).toContain(transient);
      } finally {
        cleanup();
      }
    },
    180_000,
  );
});
