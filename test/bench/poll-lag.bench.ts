/**
 * Issue 15, completion detection: for every vendor, jobs of 15–25 s on its emulator (real time,
 * all at once), how late the console notices each job's end (lag = seen − the emulator's end
 * time) and how many requests it spends (create + status calls, counted by the emulator),
 * against the official SDK's poll policy run in the same process on the same emulators:
 * - Together: no poller in together-ai → a 5 s loop; Luma: no poller in lumaai → a 3 s loop;
 * - Runway (@runwayml/sdk waitForTaskOutput): wait 6 s ± 1.5 s before every look;
 * - Replicate (replicate run(), default "block"): create with `Prefer: wait`, then 500 ms polls;
 *   also its `wait()` poll mode alone (500 ms, from a create without wait);
 * - Gemini (@google/genai README): a 10 s loop; fal (@fal-ai/client subscribe): 500 ms polls.
 * Ours is watchJob, the bench runner's loop (fal: its SSE status stream, one request per job;
 * Runway: the end estimated from its progress, looks ≥ 5 s apart): phase 1 runs cold (no history: the adaptive
 * backoff, as before issue 15), phase 2 is the first use of the durations phase 1 recorded,
 * phase 3 the steady state (the model's typical duration from phases 1–2), measured side by side
 * with the SDK policies, so both see the same machine load.
 * Run: npx tsx test/bench/poll-lag.bench.ts [jobsPerVendor]   (≈ 1.5 minutes)
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import { Agent } from 'undici';
import { DurationHistory } from '../../src/main/providers/http/polling';
import { watchJob } from '../../src/main/providers/job-watch';
import { createFalAdapter } from '../../src/main/providers/fal/fal-video-adapter';
import { createGeminiAdapter } from '../../src/main/providers/gemini/gemini-video-adapter';
import { createLumaAdapter } from '../../src/main/providers/luma/luma-video-adapter';
import { createReplicateAdapter } from '../../src/main/providers/replicate/replicate-video-adapter';
import { createRunwayAdapter } from '../../src/main/providers/runway/runway-video-adapter';
import { createTogetherAdapter } from '../../src/main/providers/together/together-video-adapter';
import type {
  GenerationRequest,
  JobStatus,
  VideoProviderAdapter,
} from '../../src/shared/providers/video-provider-spec';
import type { EmulatorBase, EmulatorOptions } from '../emulators/emulator-kit';
import { FalEmulator } from '../emulators/fal-emulator';
import { GeminiEmulator } from '../emulators/gemini-emulator';
import { LumaEmulator } from '../emulators/luma-emulator';
import { ReplicateEmulator } from '../emulators/replicate-emulator';
import { RunwayEmulator } from '../emulators/runway-emulator';
import { TogetherEmulator } from '../emulators/together-emulator';
import { median } from './bench-stats';

const JOBS = Number(process.argv[2] ?? 16);
const QUEUE_MS = 2000;
const dispatcher = new Agent({ connections: 64 });

type Settings = { apiKey: string; baseUrl: string; dispatcher: Agent };
interface Vendor {
  name: string;
  key: string;
  model: string;
  emulator: (options: EmulatorOptions) => EmulatorBase & { start(): Promise<string> };
  adapter: (settings: Settings) => VideoProviderAdapter;
  /** The emulator's job table (for each job's creation time). */
  jobs: (emulator: EmulatorBase) => Map<string, { createdAt: number }>;
  /** The SDK's policies: name → how it waits for one job. */
  references: Record<string, Policy>;
}

/** Waits for one job the way a client does; returns the time it saw the end. */
type Policy = (adapter: VideoProviderAdapter, request: GenerationRequest) => Promise<Seen>;
interface Seen {
  jobId: string;
  seenAt: number;
  status: JobStatus;
}

async function loop(
  adapter: VideoProviderAdapter,
  jobId: string,
  delay: () => number,
  first: 'look' | 'wait',
  initial?: JobStatus,
): Promise<Seen> {
  let status = initial;
  if (status?.state !== undefined && status.state !== 'pending')
    return { jobId, seenAt: Date.now(), status };
  if (first === 'wait') await sleepFor(delay());
  for (;;) {
    status = await adapter.status(jobId);
    if (status.state !== 'pending') return { jobId, seenAt: Date.now(), status };
    await sleepFor(delay());
  }
}

const fixed =
  (ms: number, first: 'look' | 'wait'): Policy =>
  async (adapter, request) => {
    const { jobId } = await adapter.start(request);
    return loop(adapter, jobId, () => ms, first);
  };

const VENDORS: Vendor[] = [
  {
    name: 'together',
    key: 'tgp_v1_lag-key-000000000000001',
    model: 'minimax/video-01-director',
    emulator: (options) => new TogetherEmulator(options),
    adapter: (settings) => createTogetherAdapter(settings),
    jobs: (emulator) => (emulator as TogetherEmulator).jobs,
    references: { '5 s loop (SDK has no poller)': fixed(5000, 'wait') },
  },
  {
    name: 'runway',
    key: `key_${'ab'.repeat(64)}`,
    model: 'gen4.5',
    emulator: (options) => new RunwayEmulator(options),
    adapter: (settings) => createRunwayAdapter(settings),
    jobs: (emulator) => (emulator as RunwayEmulator).tasks,
    references: {
      'SDK waitForTaskOutput (6 s ± 1.5 s)': async (adapter, request) => {
        const { jobId } = await adapter.start(request);
        return loop(adapter, jobId, () => 6000 + Math.random() * 3000 - 1500, 'wait');
      },
    },
  },
  {
    name: 'replicate',
    key: 'r8_lag_key_00000000000000001',
    model: 'minimax/video-01',
    emulator: (options) => new ReplicateEmulator(options),
    adapter: (settings) => createReplicateAdapter(settings),
    jobs: (emulator) => (emulator as ReplicateEmulator).predictions,
    references: {
      'SDK run() (Prefer: wait, then 500 ms)': async (adapter, request) => {
        const started = await adapter.start(request);
        return loop(adapter, started.jobId, () => 500, 'wait', started.status);
      },
      'SDK wait() polls (500 ms)': async (adapter, request) => {
        const { jobId } = await adapter.start({
          ...request,
          providerOptions: { replicate: { wait: false } },
        });
        return loop(adapter, jobId, () => 500, 'look');
      },
    },
  },
  {
    name: 'gemini',
    key: 'AIzaSy-lag-key-000000000001',
    model: 'veo-3.1-fast-generate-preview',
    emulator: (options) => new GeminiEmulator(options),
    adapter: (settings) => createGeminiAdapter(settings),
    jobs: (emulator) => (emulator as GeminiEmulator).jobs,
    references: { '10 s loop (@google/genai README)': fixed(10_000, 'wait') },
  },
  {
    name: 'fal',
    key: 'fal-lag-key:0000000001',
    model: 'fal-ai/veo3.1',
    emulator: (options) => new FalEmulator(options),
    adapter: (settings) => createFalAdapter(settings),
    jobs: (emulator) => (emulator as FalEmulator).jobs,
    references: { 'SDK subscribe (500 ms polls)': fixed(500, 'look') },
  },
  {
    name: 'luma',
    key: 'luma-lag-key-0000000001',
    model: 'ray-2',
    emulator: (options) => new LumaEmulator(options),
    adapter: (settings) => createLumaAdapter(settings),
    jobs: (emulator) => (emulator as LumaEmulator).jobs,
    references: { '3 s loop (SDK has no poller)': fixed(3000, 'wait') },
  },
];

interface Slot {
  durationMs: number;
  emulator: EmulatorBase;
  adapter: VideoProviderAdapter;
  vendor: Vendor;
}

interface Measured {
  lagMs: number;
  requests: number;
}

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Runs one job on a slot with a policy; lag against the emulator's own end time. */
async function measure(slot: Slot, label: string, policy: Policy): Promise<Measured> {
  const before = { ...slot.emulator.stats };
  const request: GenerationRequest = {
    modelId: slot.vendor.model,
    prompt: `${label} job of ${slot.durationMs} ms`,
  };
  const seen = await policy(slot.adapter, request);
  if (seen.status.state !== 'succeeded')
    throw new Error(`${slot.vendor.name} ${label}: ${JSON.stringify(seen.status)}`);
  const job = [...slot.vendor.jobs(slot.emulator).entries()].find(([key]) =>
    seen.jobId.includes(key),
  )?.[1];
  if (!job) throw new Error(`${slot.vendor.name}: job ${seen.jobId} not found in the emulator`);
  const endAt = job.createdAt + slot.durationMs;
  const after = slot.emulator.stats;
  return {
    lagMs: seen.seenAt - endAt,
    requests: after.creates - before.creates + (after.polls - before.polls),
  };
}

/** Every job gets its own emulator, so each one's request counters are that job's alone. */
const emulators: EmulatorBase[] = [];
async function slot(vendor: Vendor, index: number): Promise<Slot> {
  const durationMs = Math.round(15_000 + (10_000 * (index + 0.5)) / JOBS);
  const emulator = vendor.emulator({
    apiKey: vendor.key,
    queueMs: QUEUE_MS,
    runMs: durationMs - QUEUE_MS,
  });
  emulators.push(emulator);
  const baseUrl = await emulator.start();
  return {
    durationMs,
    emulator,
    vendor,
    adapter: vendor.adapter({ apiKey: vendor.key, baseUrl, dispatcher }),
  };
}

async function run(
  vendor: Vendor,
  indexes: number[],
  label: string,
  policy: Policy,
): Promise<Measured[]> {
  const slots = await Promise.all(indexes.map((index) => slot(vendor, index)));
  return Promise.all(slots.map((one) => measure(one, label, policy)));
}

const ALL = Array.from({ length: JOBS }, (_, index) => index);
const history = new DurationHistory();
const ours =
  (cold: boolean): Policy =>
  async (adapter, request) => {
    const submittedAt = Date.now();
    const started = await adapter.start(request);
    const watched = await watchJob(adapter, started.jobId, {
      signal: new AbortController().signal,
      now: Date.now,
      sleep: (ms, signal) => sleepFor(ms, undefined, signal ? { signal } : {}),
      submittedAt,
      typical: cold ? undefined : history.typical(adapter.provider),
      initial: started.status,
    });
    history.record(
      adapter.provider,
      watched.lastPendingAt - submittedAt,
      watched.seenAt - submittedAt,
    );
    return { jobId: started.jobId, seenAt: watched.seenAt, status: watched.status };
  };

const started = Date.now();
// Phase 1: our schedule without history (every other duration), recording the durations.
const cold = new Map<Vendor, Measured[]>();
await Promise.all(
  VENDORS.map(async (vendor) =>
    cold.set(
      vendor,
      await run(
        vendor,
        ALL.filter((index) => index % 2 === 0),
        'cold',
        ours(true),
      ),
    ),
  ),
);
// Phase 2: our schedule shaped by that history (its first use: the window is still wide).
const first = new Map<Vendor, Measured[]>();
await Promise.all(
  VENDORS.map(async (vendor) =>
    first.set(
      vendor,
      await run(
        vendor,
        ALL.filter((index) => index % 2 === 1),
        'first',
        ours(false),
      ),
    ),
  ),
);
// Phase 3 (steady state): our schedule with the history so far, and the SDK policies, side by side.
const warm = new Map<Vendor, Measured[]>();
const reference = new Map<string, Measured[]>();
await Promise.all(
  VENDORS.flatMap((vendor) => [
    run(vendor, ALL, 'ours', ours(false)).then((results) => warm.set(vendor, results)),
    ...Object.entries(vendor.references).map(([name, policy]) =>
      run(vendor, ALL, name, policy).then((results) =>
        reference.set(`${vendor.name}/${name}`, results),
      ),
    ),
  ]),
);

console.log(
  `completion lag, ${JOBS} jobs per vendor of 15–25 s (real time; lag = seen − end; requests = create + status calls; medians, means in brackets)`,
);
const fmt = (values: Measured[]): string =>
  `lag ${(median(values.map((v) => v.lagMs)) / 1000).toFixed(2)} s (${(mean(values.map((v) => v.lagMs)) / 1000).toFixed(2)}), requests ${median(values.map((v) => v.requests)).toFixed(1)} (${mean(values.map((v) => v.requests)).toFixed(1)})`;
for (const vendor of VENDORS) {
  const mine = warm.get(vendor) ?? [];
  console.log(`${vendor.name}`);
  console.log(`  ours (typical duration known)       ${fmt(mine)}`);
  console.log(`  ours (first shaped jobs)            ${fmt(first.get(vendor) ?? [])}`);
  console.log(`  ours (no history yet: the backoff)  ${fmt(cold.get(vendor) ?? [])}`);
  for (const name of Object.keys(vendor.references)) {
    const theirs = reference.get(`${vendor.name}/${name}`) ?? [];
    const lagRatio =
      median(mine.map((v) => v.lagMs)) / Math.max(1, median(theirs.map((v) => v.lagMs)));
    const meanLagRatio =
      mean(mine.map((v) => v.lagMs)) / Math.max(1, mean(theirs.map((v) => v.lagMs)));
    const requestRatio =
      mean(mine.map((v) => v.requests)) / Math.max(1, mean(theirs.map((v) => v.requests)));
    console.log(`  ${name.padEnd(35)} ${fmt(theirs)}`);
    console.log(
      `    → ours/SDK: lag ${lagRatio.toFixed(2)}× (means ${meanLagRatio.toFixed(2)}×), requests ${requestRatio.toFixed(2)}× (means)`,
    );
  }
}
console.log(`bench wall time ${((Date.now() - started) / 1000).toFixed(0)} s`);

await Promise.all(emulators.map((emulator) => emulator.stop()));
await dispatcher.close();
