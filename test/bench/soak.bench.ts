/**
 * Soak: the console left unattended, as it is meant to run, facing vendors that misbehave.
 * Three real processes share one temporary data folder: `aideon serve`, `aideon monitor watch`
 * (checking the emulators' model lists every minute, some answers broken) and `aideon
 * controller` (a ramp on a real etcd, baked and checked against a real Prometheus, then idle).
 * Through the console's HTTP API, round after round, benchmark runs go to all six vendor
 * emulators with a random mix of faults (5xx, resets, timeouts, truncated and lying downloads,
 * HTML where JSON was due, expired links, 200 KB job ids, slow answers) and cancels (a run, a
 * model, one generation).
 *
 * A fault test shows that one fault is handled; what it cannot show is what thousands of them
 * leave behind: a file descriptor per broken download, a timer per cancelled poll, a listener
 * per run, temporary files, a WAL that is never checkpointed. Every few seconds the bench reads
 * each process's RSS and open descriptors (/proc), and — through a probe the bench loads into it
 * (soak-probe.mjs, answering SIGUSR2; no endpoint) — its live heap after a full collection, its
 * timers, sockets and other handles, and the listeners on `process`; and of the data folder the
 * WAL's size and resets, temporary and partial files, and the files the processes left in their
 * temp folder. At the end it prints, per figure, the value at start, after warm-up and at the
 * end, the slope per hour after warm-up, and a verdict: "growing" when the lowest value of the
 * last third after warm-up is above the lowest of the first third by more than the figure's
 * noise (floors, so that a download in flight is not mistaken for a leak), else "flat".
 *
 * RSS alone cannot tell a native leak from glibc's allocator keeping what was freed (V8's heap
 * after a collection and `external` are both flat when the growth is native). So each sample
 * also splits the resident memory from /proc/<pid>/smaps (proc-memory.ts): the brk heap
 * ([heap], malloc's main arena), anonymous mappings outside it (V8's heap, other threads'
 * arenas, blocks of 128 KB and more) and that less V8's reserved heap. Every sample, with all
 * figures per process, is written as it is taken to a JSON-lines file (--samples FILE, default
 * aideon-soak-samples-<time>.jsonl in the OS temp folder; its first line holds the seed, the
 * options, the pids and the MALLOC_* settings; a sample with a heap snapshot names it), so the
 * evidence outlives the printed table and a run that dies. glibc settings such as
 * MALLOC_ARENA_MAX reach the processes through the bench's own environment.
 *
 * What the first hour's RSS growth was (session 17; README, Performance): the monitor's was
 * glibc keeping the freed brk heap after a broken 80 MB catalogue answer was read up to its
 * 64 MiB limit (malloc_info: 69 of 74 MB free; malloc_trim took RSS 150 → 80 MB;
 * MALLOC_MMAP_THRESHOLD_=65536 avoids it, MALLOC_ARENA_MAX=2 does not); the server's was live
 * memory: downloaded chunks moved to the hashing worker waiting for that worker's rare garbage
 * collection, now handed back to the main thread.
 *
 * A heap snapshot (--heap-snapshots only) makes the server allocate ~100 MB of native memory
 * that glibc keeps, so its RSS jumps at once. Its memory figures (RSS, brk, anon) are then
 * judged only on the samples after the warm-up snapshot, and their verdict says "after heap
 * snapshot"; the start column is still the first sample. Without --heap-snapshots nothing is
 * written and every figure is judged after warm-up.
 *
 * It fails (exit 1) when a process dies, a run never ends, or a paid job was made twice: after
 * each round, with no run in flight, every vendor's count of jobs made must be at most the jobs
 * the console owns plus those it reports as "submitted, outcome unknown", and no job is owned
 * twice.
 *
 * Run: npm run bench -- soak        (BENCH_SOAK_MINUTES, default 5)
 *      node --import tsx test/bench/soak.bench.ts --minutes 60 [--seed N] [--sample-seconds 5]
 *      [--no-controller] [--heap-snapshots DIR] [--samples FILE]
 * --heap-snapshots writes the server's heap after warm-up and at the end into DIR, for
 * test/bench/heap-diff.ts to say which objects grew.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
  writeFileSync,
  appendFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import type { WatchSettingsInput } from '../../src/shared/watch/watch-settings';
import { startConsole, type ConsoleServer } from '../e2e/console-server';
import type { Fault } from '../emulators/emulator-kit';
import { FalEmulator } from '../emulators/fal-emulator';
import { GeminiEmulator, type GeminiCatalogueFault } from '../emulators/gemini-emulator';
import { LumaEmulator } from '../emulators/luma-emulator';
import { ReplicateEmulator } from '../emulators/replicate-emulator';
import { RunwayEmulator } from '../emulators/runway-emulator';
import { TogetherEmulator, type TogetherCatalogueFault } from '../emulators/together-emulator';
import { startControllerProcess, type ControllerProcess } from '../helpers/controller-process';
import { startEtcd } from '../helpers/etcd-server';
import { startExporter, startScrapingPrometheus } from '../helpers/metrics-exporter';
import { tempDir } from '../helpers/temp-dir';
import { smapsFigures } from './proc-memory';
import { VENDOR_MODELS, type Vendor } from '../helpers/vendor-emulators';
import { controllerTestStore } from '../main/rollout/fixtures';

// ── Options ──────────────────────────────────────────────────────────────────────────────────

const argv = process.argv.slice(2);
function option(name: string): string | undefined {
  const index = argv.indexOf(`--${name}`);
  return index >= 0 ? argv[index + 1] : undefined;
}
function numberOption(name: string, envName: string, fallback: number, min: number, max: number) {
  const text = option(name) ?? process.env[envName];
  const value = text === undefined ? fallback : Number(text);
  if (!Number.isFinite(value) || value < min || value > max)
    throw new Error(`--${name} (${envName}) must be a number from ${min} to ${max}; got "${text}"`);
  return value;
}
const MINUTES = numberOption('minutes', 'BENCH_SOAK_MINUTES', 5, 1, 24 * 60);
const SAMPLE_S = numberOption('sample-seconds', 'BENCH_SOAK_SAMPLE_S', 5, 1, 600);
const SEED = numberOption(
  'seed',
  'BENCH_SOAK_SEED',
  Math.floor(Math.random() * 2 ** 31),
  0,
  2 ** 31,
);
/** Where to write heap snapshots of the server, after warm-up and at the end (none if unset). */
const SNAPSHOT_DIR = option('heap-snapshots') ?? process.env.BENCH_SOAK_HEAP_SNAPSHOTS;
/** Where every sample goes, one JSON object a line, so the evidence outlives the printed table. */
const SAMPLES_FILE = resolve(
  option('samples') ??
    process.env.BENCH_SOAK_SAMPLES ??
    join(tmpdir(), `aideon-soak-samples-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`),
);
/** glibc's allocator settings the processes inherit from the bench (see the header). */
const MALLOC_ENV = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => /^(MALLOC_|GLIBC_TUNABLES$)/.test(name)),
);
const WITH_CONTROLLER =
  !argv.includes('--no-controller') && process.env.BENCH_SOAK_CONTROLLER !== 'off';
/** Samples before this are warm-up (caches filling, first runs, V8 sizing its heap). */
const WARM_UP_S = Math.max(60, MINUTES * 60 * 0.2);
/** Each run's generation timeout: long enough for every fault but #hang, which it ends. */
const RUN_TIMEOUT_S = 20;
/** A run still going this long after its start is stuck (a failure of the bench). */
const STUCK_MS = 5 * 60_000;

/** A small seeded generator, so that a run's mix of faults can be replayed (--seed). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ── The fault mix ────────────────────────────────────────────────────────────────────────────

/**
 * Keywords in suite prompts. Create faults are left to the queue below: an emulator applies a
 * prompt's `-once` create fault to the first create of that text only, and the suites are run
 * again and again. Job faults (polls, downloads, the job's end) apply to every job of the prompt.
 * Blank entries weight the mix towards clean prompts, as a real day is.
 */
const PROMPT_FAULTS = [
  '',
  '',
  '',
  '',
  '#slow',
  '#html-poll-once',
  '#reset-poll-once',
  '#5xx-poll-once',
  '#gone-poll-once',
  '#html-download',
  '#reset-download-once',
  '#5xx-download-once',
  '#truncate-once',
  '#truncate',
  '#length-lie',
  '#expire',
  '#fail',
  '#policy',
  '#hang',
  '#no-output',
  '#new-status',
  '#huge-id',
  '#odd-id',
] as const;
/** Faults queued on an emulator before a run: each hits the next create call it gets. */
const QUEUED_FAULTS: readonly Fault[] = [
  '5xx',
  '5xx',
  'reset',
  'slow',
  'ratelimit',
  'html-create',
  'gateway-create',
  'fail',
  'expire',
  'hang',
  'huge-id',
];
const TOGETHER_CATALOGUE_FAULTS: readonly TogetherCatalogueFault[] = [
  'error',
  'empty',
  'malformed',
  'bad-entries',
  'truncated',
  'partial',
  'ratelimit',
  'huge',
  'stall',
  'html',
];
const GEMINI_CATALOGUE_FAULTS: readonly GeminiCatalogueFault[] = [
  'error',
  'empty',
  'malformed',
  'truncated',
  'partial',
];
const VENDORS = Object.keys(VENDOR_MODELS) as Vendor[];

// ── Figures ──────────────────────────────────────────────────────────────────────────────────

interface ProbeReading {
  seq: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  resources: Record<string, number>;
  listeners: number;
}

/** One process's figures at one moment. */
interface ProcessFigures {
  rssMb: number;
  heapMb: number;
  /** The heap V8 has reserved (used or not), MB. */
  heapTotalMb: number;
  /** Memory outside the heap that JavaScript objects hold (Buffers and the like), MB. */
  externalMb: number;
  fds: number;
  handles: number;
  timers: number;
  sockets: number;
  listeners: number;
  /** Resident memory of the brk heap ([heap] in smaps): glibc malloc's main arena, MB. */
  brkMb: number;
  /**
   * Resident anonymous memory outside the brk heap, MB: V8's heap, thread stacks, glibc's arenas
   * for other threads and its mmap-ed large blocks.
   */
  anonMb: number;
  /** `anonMb` less the heap V8 has reserved: native memory that is not V8's, MB. */
  anonNotV8Mb: number;
}
/** The data folder's figures at one moment. */
interface FolderFigures {
  walMb: number;
  walResets: number;
  tempFiles: number;
  tmpdirEntries: number;
  dataFiles: number;
  /** Bytes of every other file in the data folder (database, media, logs), MB. */
  dataMb: number;
}
interface Sample {
  atS: number;
  /** The heap snapshot of the server taken with this sample, if any. */
  snapshot?: string;
  processes: Record<string, ProcessFigures | undefined>;
  folder: FolderFigures;
}

/** RSS (MB) and open descriptors from /proc; undefined when the process is gone. */
function procFigures(pid: number): { rssMb: number; fds: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    if (/^State:\s+Z/m.test(status)) return undefined;
    return {
      rssMb: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024,
      fds: readdirSync(`/proc/${pid}/fd`).length,
    };
  } catch {
    return undefined;
  }
}

function readProbe(file: string): ProbeReading | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ProbeReading;
  } catch {
    return undefined;
  }
}

/**
 * Asks the probe in `pid` for a reading (SIGUSR2) and waits up to 3 s for it (60 s when it also
 * writes a heap snapshot to `snapshot`).
 */
async function probe(
  probeDir: string,
  pid: number,
  snapshot?: string,
): Promise<ProbeReading | undefined> {
  const file = join(probeDir, `${pid}.json`);
  const before = readProbe(file)?.seq ?? -1;
  if (snapshot) writeFileSync(join(probeDir, `${pid}.snapshot`), snapshot);
  try {
    process.kill(pid, 'SIGUSR2');
  } catch {
    return undefined;
  }
  for (let waited = 0; waited < (snapshot ? 60_000 : 3000); waited += 20) {
    await sleep(20);
    const reading = readProbe(file);
    if (reading && reading.seq > before) return reading;
  }
  return undefined;
}

/** Waits until the probe in `pid` has loaded (its first file), so SIGUSR2 cannot kill it. */
async function probeLoaded(probeDir: string, pid: number, what: string): Promise<void> {
  for (let waited = 0; waited < 30_000; waited += 50) {
    if (existsSync(join(probeDir, `${pid}.json`))) return;
    await sleep(50);
  }
  throw new Error(`the soak probe did not load in ${what} (pid ${pid}) within 30 s`);
}

async function processFigures(
  probeDir: string,
  pid: number,
  snapshot?: string,
): Promise<ProcessFigures | undefined> {
  const reading = await probe(probeDir, pid, snapshot);
  const proc = procFigures(pid);
  const native = smapsFigures(pid);
  if (!proc || !reading || !native) return undefined;
  const resources = Object.values(reading.resources).reduce((sum, count) => sum + count, 0);
  return {
    rssMb: proc.rssMb,
    heapMb: reading.heapUsed / 1024 / 1024,
    heapTotalMb: reading.heapTotal / 1024 / 1024,
    externalMb: reading.external / 1024 / 1024,
    fds: proc.fds,
    handles: resources,
    timers: reading.resources.Timeout ?? 0,
    sockets: (reading.resources.TCPSocketWrap ?? 0) + (reading.resources.TCPServerWrap ?? 0),
    listeners: reading.listeners,
    brkMb: native.brkMb,
    anonMb: native.anonMb,
    anonNotV8Mb: native.anonMb - reading.heapTotal / 1024 / 1024,
  };
}

/** Every file under `dir` (recursively), as paths relative to it. */
function filesUnder(dir: string, prefix = ''): string[] {
  let entries;
  try {
    entries = readdirSync(join(dir, prefix), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? filesUnder(dir, path) : [path];
  });
}

/** A file a writer makes before renaming it into place: left behind, it is a leak. */
const TEMP_FILE = /(^|\/)tmp\/|\.(tmp|part)(\.\w+)?$/;

function folderFigures(dataDir: string, tmpDir: string): FolderFigures {
  const wal = join(dataDir, 'aideon.sqlite-wal');
  let walMb = 0;
  let walResets = 0;
  if (existsSync(wal)) {
    walMb = statSync(wal).size / 1024 / 1024;
    // The WAL header's checkpoint sequence number (bytes 12–15) goes up each time SQLite starts
    // the log again from its beginning after a complete checkpoint.
    const header = Buffer.alloc(16);
    const fd = openSync(wal, 'r');
    try {
      if (readSync(fd, header, 0, 16, 0) === 16) walResets = header.readUInt32BE(12);
    } finally {
      closeSync(fd);
    }
  }
  const files = filesUnder(dataDir);
  const temp = files.filter((file) => TEMP_FILE.test(file));
  return {
    walMb,
    walResets,
    tempFiles: temp.length,
    tmpdirEntries: readdirSync(tmpDir).length,
    dataFiles: files.length - temp.length,
    dataMb:
      files
        .filter((file) => !TEMP_FILE.test(file) && !file.endsWith('-wal'))
        .reduce(
          (sum, file) =>
            sum + (statSync(join(dataDir, file), { throwIfNoEntry: false })?.size ?? 0),
          0,
        ) /
      1024 /
      1024,
  };
}

/** Least-squares slope of `values` over `times` (hours). */
function slopePerHour(times: number[], values: number[]): number {
  const n = values.length;
  if (n < 2) return 0;
  const meanT = times.reduce((a, b) => a + b, 0) / n;
  const meanV = values.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i += 1) {
    num += ((times[i] ?? 0) - meanT) * ((values[i] ?? 0) - meanV);
    den += ((times[i] ?? 0) - meanT) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

// ── Set-up ───────────────────────────────────────────────────────────────────────────────────

const KEYS: Record<Vendor, string> = {
  together: 'tgp_v1_soak-key-00000000001',
  runway: `key_${'ab'.repeat(64)}`,
  replicate: 'r8_soak_key_000000000000001',
  gemini: 'AIzaSy-soak-key-00000000001',
  fal: 'fal-soak-key:000000000001',
  luma: 'luma-soak-key-0000000000001',
};
const KEY_VARIABLES: Record<Vendor, string> = {
  together: 'TOGETHER_API_KEY',
  runway: 'RUNWAYML_API_SECRET',
  replicate: 'REPLICATE_API_TOKEN',
  gemini: 'GEMINI_API_KEY',
  fal: 'FAL_KEY',
  luma: 'LUMAAI_API_KEY',
};
const PASSPHRASE = 'operator passphrase for the soak bench';

const cleanups: (() => void | Promise<void>)[] = [];
let failure: string | undefined;
const fail = (message: string): void => {
  failure ??= message;
};

/** The whole soak: set-up, the unattended hour, the report. Clean-up is the caller's. */
async function soak(): Promise<void> {
  const root = tempDir('aideon-soak-');
  cleanups.push(root.cleanup);
  const dataDir = join(root.dir, 'data');
  /** The processes' TMPDIR: what they leave in their temp folder is theirs alone. */
  const tmpDir = join(root.dir, 'tmp');
  const probeDir = join(root.dir, 'probe');
  for (const dir of [dataDir, tmpDir, probeDir]) mkdirSync(dir, { recursive: true });
  if (SNAPSHOT_DIR) mkdirSync(SNAPSHOT_DIR, { recursive: true });

  // Jobs queue for 0.5 s and run 2.5 s, so that cancels find them running.
  const emulatorOptions = { slowMs: 1500, queueMs: 500, runMs: 2500 };
  const emulators = {
    together: new TogetherEmulator({ apiKey: KEYS.together, ...emulatorOptions }),
    runway: new RunwayEmulator({ apiKey: KEYS.runway, ...emulatorOptions }),
    replicate: new ReplicateEmulator({ apiKey: KEYS.replicate, ...emulatorOptions }),
    gemini: new GeminiEmulator({ apiKey: KEYS.gemini, ...emulatorOptions }),
    fal: new FalEmulator({ apiKey: KEYS.fal, ...emulatorOptions }),
    luma: new LumaEmulator({ apiKey: KEYS.luma, ...emulatorOptions }),
  };
  // Short waits on the vendors' 429s (the documented ones are tens of seconds).
  emulators.together.retryAfterSeconds = 1;
  emulators.replicate.retryAfterSeconds = 1;
  emulators.gemini.retryDelaySeconds = 1;
  emulators.fal.retryAfterSeconds = 1;
  emulators.luma.retryAfterSeconds = 1;
  const childEnv: Record<string, string> = {
    TMPDIR: tmpDir,
    AIDEON_SOAK_PROBE_DIR: probeDir,
    AIDEON_FFMPEG: process.env.AIDEON_FFMPEG ?? 'ffmpeg',
  };
  for (const vendor of VENDORS) {
    childEnv[KEY_VARIABLES[vendor]] = KEYS[vendor];
    childEnv[`AIDEON_${vendor.toUpperCase()}_BASE_URL`] = await emulators[vendor].start();
    cleanups.push(() => emulators[vendor].stop());
  }
  const probeArgs = [
    '--expose-gc',
    '--import',
    pathToFileURL(resolve('test/bench/soak-probe.mjs')).href,
  ];

  interface Watched {
    name: string;
    pid: number;
    /** Why the process is gone, or undefined while it runs. */
    gone: () => string | undefined;
    /** What it printed, for warnings (listener leaks) and crashes. */
    output: () => string;
  }
  const watched: Watched[] = [];

  const server: ConsoleServer = await startConsole(dataDir, childEnv, probeArgs);
  cleanups.push(() => server.stop());
  watched.push({
    name: 'serve',
    pid: server.pid,
    gone: () => (procFigures(server.pid) ? undefined : `aideon serve exited:\n${server.output()}`),
    output: () => server.output(),
  });

  const monitor: ChildProcess = spawn(
    process.execPath,
    [
      ...probeArgs,
      'bin/aideon.mjs',
      '--data-dir',
      dataDir,
      'monitor',
      'watch',
      '--interval',
      '1',
      '--json',
    ],
    { env: { ...process.env, ...childEnv }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let monitorOut = '';
  let monitorErr = '';
  monitor.stdout?.on(
    'data',
    (chunk: Buffer) => (monitorOut = (monitorOut + chunk).slice(-200_000)),
  );
  monitor.stderr?.on(
    'data',
    (chunk: Buffer) => (monitorErr = (monitorErr + chunk).slice(-200_000)),
  );
  let monitorChecks = 0;
  let monitorLine = '';
  monitor.stdout?.on('data', (chunk: Buffer) => {
    const lines = (monitorLine + chunk.toString()).split('\n');
    monitorLine = lines.pop() ?? '';
    monitorChecks += lines.filter((line) => line.startsWith('{"check"')).length;
  });
  cleanups.push(
    () =>
      new Promise<void>((done) => {
        if (monitor.exitCode !== null || monitor.signalCode !== null) return done();
        monitor.once('exit', () => done());
        monitor.kill('SIGTERM');
      }),
  );
  watched.push({
    name: 'monitor',
    pid: monitor.pid ?? 0,
    gone: () =>
      monitor.exitCode === null && monitor.signalCode === null
        ? undefined
        : `aideon monitor watch exited (${monitor.exitCode ?? monitor.signalCode}):\n${monitorErr}`,
    output: () => monitorOut + monitorErr,
  });

  let controller: ControllerProcess | undefined;
  let rampSteps = 0;
  if (WITH_CONTROLLER) {
    const etcd = await startEtcd();
    cleanups.push(() => etcd.stop());
    const exporter = await startExporter();
    cleanups.push(() => exporter.stop());
    const promDir = join(root.dir, 'prometheus');
    mkdirSync(promDir);
    const prometheus = await startScrapingPrometheus({ dir: promDir, targets: [exporter.target] });
    cleanups.push(() => prometheus.stop());
    const { data, storeUri, admin, operator } = await controllerTestStore(
      'aideon-soak-ctl-',
      PASSPHRASE,
      cleanups,
      { storeUri: etcd.uri('soak') },
    );
    // Production runs the version the ramp last published, healthy under every version.
    exporter.deployments.push({
      tier: 'premium',
      provider: 'together',
      model: 'wan-2.1',
      version: async () => (await admin.listRollouts('dev'))[0]?.lastStepVersion ?? 1,
      successRate: () => 1,
      perScrape: 20,
    });
    // The shortest bake and check the settings allow (3 s), a step about every 4 s over the
    // first ~80 % of the soak (at most 100 steps); then the controller idles, as it mostly does.
    const bakeMinutes = 0.05;
    rampSteps = Math.min(100, Math.max(2, Math.floor((MINUTES * 60 * 0.8) / 4)));
    const settings: WatchSettingsInput = {
      environments: { dev: { prometheusUrl: prometheus.url, autoRollback: true } },
      guardWindow: '30s',
      minRequests: 5,
      checkIntervalMinutes: bakeMinutes,
      bakeMinutes,
      tiers: [{ tier: 'premium', minSuccessRate: 0.9 }],
    };
    const settingsFile = join(data.dir, 'watch-settings.json');
    writeFileSync(settingsFile, JSON.stringify(settings));
    const ramp = [
      ...new Set(
        Array.from({ length: rampSteps }, (_, index) =>
          Math.round(((index + 1) * 100) / rampSteps),
        ),
      ),
    ];
    rampSteps = ramp.length;
    await admin.startRollout({
      environment: 'dev',
      flagKey: 'new-video-model',
      onVariant: 'on',
      offVariant: 'off',
      steps: ramp,
      bakeMinutes,
    });
    // Production reports the first step's version before the controller first judges it.
    const firstVersion = (await admin.listRollouts('dev'))[0]?.lastStepVersion;
    for (let tries = 0; ; tries += 1) {
      const query = `sum(aideon_video_requests_total{config_version="${firstVersion}"})`;
      const response = await fetch(
        `${prometheus.url}/api/v1/query?query=${encodeURIComponent(query)}`,
      );
      const body = (await response.json()) as { data?: { result?: { value: [number, string] }[] } };
      if (Number(body.data?.result?.[0]?.value[1] ?? 0) > 0) break;
      if (tries > 100) throw new Error(`Prometheus has no traffic for version ${firstVersion}`);
      await sleep(200);
    }
    const started = startControllerProcess(
      ['--data-dir', dataDir],
      {
        ...childEnv,
        AIDEON_STORE: storeUri,
        AIDEON_CONTROLLER_ID: 'ctl-soak',
        AIDEON_CONTROLLER_TICK_MS: '250',
        AIDEON_CONTROLLER_LEASE_MS: '3000',
        AIDEON_WATCH_SETTINGS: settingsFile,
        AIDEON_OPERATOR_KEY: join(data.dir, `${operator.kid}.key.json`),
        AIDEON_OPERATOR_PASSPHRASE: PASSPHRASE,
        // The controller's log lines would fill the bench's memory over an hour; its events are
        // what the bench reads.
        AIDEON_LOG: '',
      },
      probeArgs,
    );
    controller = started;
    cleanups.push(() => started.stop().then(() => undefined));
    await started.waitFor('leads', (event) => event.type === 'leader_acquired', 60_000);
    watched.push({
      name: 'controller',
      pid: started.child.pid ?? 0,
      gone: () =>
        started.child.exitCode === null && started.child.signalCode === null
          ? undefined
          : `aideon controller exited (${started.child.exitCode ?? started.child.signalCode}):\n${started.stderr()}`,
      output: () => started.stderr(),
    });
  }
  for (const proc of watched) await probeLoaded(probeDir, proc.pid, proc.name);

  // ── The console's API ────────────────────────────────────────────────────────────────────────

  const url = new URL(server.url);
  const token = new URLSearchParams(url.hash.slice(1)).get('token') ?? '';
  const headers = {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
    origin: server.origin,
  };
  async function call<T>(channel: string, input: unknown = {}): Promise<T> {
    for (;;) {
      const response = await fetch(`${server.origin}/api/${channel}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(input),
      });
      if (response.status === 429) {
        await sleep(1000 * Number(response.headers.get('retry-after') ?? 1));
        continue;
      }
      const body = (await response.json()) as
        { ok: true; value: T } | { ok: false; error: { message: string } };
      if (!body.ok) throw new Error(`${channel}: ${body.error.message}`);
      return body.value;
    }
  }

  interface RunSummary {
    id: string;
    state: string;
  }
  interface RunDetail {
    generations: {
      id: string;
      state: string;
      outcome: string | null;
      media: { id: string } | null;
    }[];
  }

  // ── Checks ───────────────────────────────────────────────────────────────────────────────────

  /** No paid job made twice: see the header. Read with no run in flight. */
  function checkPaidOnce(): void {
    const db = new Database(join(dataDir, 'aideon.sqlite'), {
      readonly: true,
      fileMustExist: true,
    });
    try {
      const rows = db
        .prepare('SELECT provider, vendor_job_id AS job, outcome FROM generations')
        .all() as { provider: string; job: string | null; outcome: string | null }[];
      for (const vendor of VENDORS) {
        const mine = rows.filter((row) => row.provider === vendor);
        const owned = mine.flatMap((row) => (row.job ? [row.job] : []));
        const unknown = mine.filter((row) => row.outcome === 'submit_unknown' && !row.job).length;
        if (new Set(owned).size !== owned.length)
          fail(`${vendor}: a job id is owned by two generations`);
        const creates = emulators[vendor].stats.creates;
        if (creates > owned.length + unknown)
          fail(
            `${vendor}: the vendor made ${creates} jobs; the console owns ${owned.length} and reports ${unknown} as submitted with the outcome unknown`,
          );
      }
    } finally {
      db.close();
    }
  }

  const samples: Sample[] = [];
  const started = Date.now();
  const snapshots: string[] = [];
  /** `snapshot`: a name for a heap snapshot of the server taken with this sample. */
  async function takeSample(snapshot?: string): Promise<void> {
    const processes: Sample['processes'] = {};
    for (const proc of watched) {
      const gone = proc.gone();
      if (gone) fail(gone);
      const path =
        SNAPSHOT_DIR && snapshot && proc.name === 'serve' && !gone
          ? resolve(SNAPSHOT_DIR, `serve-${snapshot}.heapsnapshot`)
          : undefined;
      if (path) snapshots.push(path);
      processes[proc.name] = gone ? undefined : await processFigures(probeDir, proc.pid, path);
    }
    const sample: Sample = {
      atS: (Date.now() - started) / 1000,
      ...(snapshot && SNAPSHOT_DIR ? { snapshot } : {}),
      processes,
      folder: folderFigures(dataDir, tmpDir),
    };
    samples.push(sample);
    appendFileSync(SAMPLES_FILE, `${JSON.stringify(sample)}\n`);
  }

  // ── The unattended hour ──────────────────────────────────────────────────────────────────────

  const suites: string[] = [];
  for (let index = 0; index < 4; index += 1) {
    const prompts = Array.from({ length: 6 }, (_, number) => ({
      id: `p${number}`,
      text: `a harbour at dawn, take ${index}.${number} ${pick(PROMPT_FAULTS)}`.trim(),
      category: 'general',
    }));
    const suite = await call<{ id: string }>('suites:import', {
      fileName: `soak-${index}.json`,
      text: JSON.stringify({
        name: `Soak mix ${index}`,
        description: 'faults at random',
        settings: {},
        prompts,
      }),
    });
    suites.push(suite.id);
  }

  const totals = {
    rounds: 0,
    runs: 0,
    runCancels: 0,
    modelCancels: 0,
    generationCancels: 0,
    queuedFaults: 0,
    catalogueFaults: 0,
    videosPlayed: 0,
  };

  /** Opens the event stream, waits for its first bytes and drops it, as a page reload does. */
  async function reloadEvents(): Promise<void> {
    const abort = new AbortController();
    const response = await fetch(`${server.origin}/events?token=${encodeURIComponent(token)}`, {
      signal: abort.signal,
    });
    const reader = response.body?.getReader();
    await Promise.race([reader?.read(), sleep(200)]);
    abort.abort();
    await reader?.cancel().catch(() => undefined);
  }

  /** One run: models of a few vendors, faults queued on them, perhaps a cancel. */
  async function oneRun(): Promise<string> {
    const vendors = [...VENDORS].sort(() => random() - 0.5).slice(0, 2 + Math.floor(random() * 4));
    for (let count = Math.floor(random() * 3); count > 0; count -= 1) {
      const vendor = pick(vendors);
      const fault = pick(QUEUED_FAULTS);
      // Runway's 429 names no wait: the console pauses 30 s, which would stall the round.
      if (vendor === 'runway' && fault === 'ratelimit') continue;
      emulators[vendor].queueFault(fault);
      totals.queuedFaults += 1;
    }
    const models = vendors.map((vendor) => ({ provider: vendor, modelId: VENDOR_MODELS[vendor] }));
    const { runId } = await call<{ runId: string }>('bench:start-run', {
      suiteId: pick(suites),
      models,
      budgetUsd: 1000,
      timeoutSeconds: RUN_TIMEOUT_S,
      name: `soak round ${totals.rounds + 1}`,
    });
    totals.runs += 1;
    const roll = random();
    if (roll < 0.3) {
      await sleep(500 + random() * 3500);
      if (roll < 0.12) {
        await call('bench:cancel-run', { runId });
        totals.runCancels += 1;
      } else if (roll < 0.2) {
        const model = pick(models);
        await call('bench:cancel-model', { runId, ...model });
        totals.modelCancels += 1;
      } else {
        const detail = await call<RunDetail>('bench:get-run', { runId });
        const open = detail.generations.filter((generation) => generation.outcome === null);
        if (open.length > 0) {
          await call('bench:cancel-generation', { generationId: pick(open).id });
          totals.generationCancels += 1;
        }
      }
    }
    return runId;
  }

  async function waitForRuns(runIds: string[]): Promise<void> {
    const since = Date.now();
    for (;;) {
      const runs = await call<RunSummary[]>('bench:list-runs');
      const running = runs.filter((run) => runIds.includes(run.id) && run.state === 'running');
      if (running.length === 0) return;
      if (Date.now() - since > STUCK_MS) {
        fail(`runs ${running.map((run) => run.id).join(', ')} still running after 5 minutes`);
        return;
      }
      await sleep(500);
    }
  }

  async function drive(deadline: number): Promise<void> {
    while (Date.now() < deadline && !failure) {
      totals.rounds += 1;
      if (random() < 0.3) {
        if (random() < 0.6)
          emulators.together.catalogueFaults.push(pick(TOGETHER_CATALOGUE_FAULTS));
        else emulators.gemini.catalogueFaults.push(pick(GEMINI_CATALOGUE_FAULTS));
        totals.catalogueFaults += 1;
      }
      const runIds = await Promise.all(
        Array.from({ length: random() < 0.5 ? 1 : 2 }, () => oneRun()),
      );
      await reloadEvents();
      await waitForRuns(runIds);
      if (failure) return;
      checkPaidOnce();
      // What an admin does with the results: the run, its scorecard, a video.
      for (const runId of runIds) {
        const detail = await call<RunDetail>('bench:get-run', { runId });
        await call('bench:get-scorecard', { runId });
        const video = detail.generations.find((generation) => generation.media)?.media?.id;
        if (video) {
          const response = await fetch(
            `${server.origin}/media/${video}?token=${encodeURIComponent(token)}`,
            { headers: { range: 'bytes=0-65535' } },
          );
          await response.arrayBuffer();
          totals.videosPlayed += 1;
        }
      }
      await call('app:bootstrap');
    }
  }

  async function sampleUntil(done: () => boolean): Promise<void> {
    let lastLine = Date.now();
    let warmSnapshot = false;
    while (!done()) {
      const warm = !warmSnapshot && (Date.now() - started) / 1000 >= WARM_UP_S;
      if (warm) warmSnapshot = true;
      await takeSample(warm ? 'warm' : undefined);
      if (Date.now() - lastLine >= 60_000) {
        lastLine = Date.now();
        const last = samples.at(-1);
        const serve = last?.processes.serve;
        const monitor = last?.processes.monitor;
        console.log(
          `${last?.atS.toFixed(0).padStart(5)} s  rounds ${totals.rounds}  runs ${totals.runs}  serve RSS ${serve?.rssMb.toFixed(1)} MB (brk ${serve?.brkMb.toFixed(1)}, anon ${serve?.anonMb.toFixed(1)}) heap ${serve?.heapMb.toFixed(1)} MB fds ${serve?.fds}  monitor RSS ${monitor?.rssMb.toFixed(1)} MB (brk ${monitor?.brkMb.toFixed(1)})  WAL ${last?.folder.walMb.toFixed(2)} MB  temp files ${last?.folder.tempFiles}  load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}`,
        );
      }
      await sleep(SAMPLE_S * 1000);
    }
  }

  const mallocEnv = Object.entries(MALLOC_ENV).map(([name, value]) => `${name}=${value}`);
  console.log(
    `soak: ${MINUTES} min, seed ${SEED}, sample every ${SAMPLE_S} s, warm-up ${WARM_UP_S.toFixed(0)} s; serve + monitor watch${controller ? ` + controller (${rampSteps}-step ramp on etcd)` : ''} on ${dataDir}; allocator: ${mallocEnv.length > 0 ? mallocEnv.join(' ') : 'glibc defaults'}`,
  );
  console.log(`samples (one JSON object a line): ${SAMPLES_FILE}`);
  writeFileSync(
    SAMPLES_FILE,
    `${JSON.stringify({ soak: { minutes: MINUTES, seed: SEED, sampleSeconds: SAMPLE_S, warmUpS: WARM_UP_S, controller: Boolean(controller), heapSnapshots: Boolean(SNAPSHOT_DIR), mallocEnv: MALLOC_ENV, pids: Object.fromEntries(watched.map((proc) => [proc.name, proc.pid])) } })}\n`,
  );
  let driving = true;
  const sampling = sampleUntil(() => !driving || failure !== undefined);
  try {
    await drive(started + MINUTES * 60_000);
  } catch (error) {
    fail(`the driver stopped: ${error instanceof Error ? error.stack : String(error)}`);
  } finally {
    driving = false;
    await sampling;
  }
  // A last look with nothing in flight: what the work left behind.
  if (!failure) {
    await sleep(2000);
    await takeSample('end');
  }

  // ── Report ───────────────────────────────────────────────────────────────────────────────────

  interface FigureSpec {
    label: string;
    value: (sample: Sample) => number | undefined;
    /** How much the floor may rise before it is called growing. */
    noise: (floor: number) => number;
    digits: number;
    /** Why this figure is meant to grow (it holds records kept on purpose). */
    keeps?: string;
    /** Judged only on samples after the server's heap snapshot (see the header). */
    afterSnapshot?: boolean;
  }
  const memoryNoise = (mb: number) => (floor: number) => Math.max(mb, floor * 0.05);
  const figures: FigureSpec[] = [];
  for (const { name } of watched) {
    const of = (key: keyof ProcessFigures) => (sample: Sample) => sample.processes[name]?.[key];
    figures.push(
      {
        label: `${name} RSS MB`,
        value: of('rssMb'),
        noise: memoryNoise(8),
        digits: 1,
        afterSnapshot: name === 'serve',
      },
      {
        label: `${name} brk heap MB (malloc)`,
        value: of('brkMb'),
        noise: memoryNoise(4),
        digits: 1,
        afterSnapshot: name === 'serve',
      },
      {
        label: `${name} anon MB (not brk)`,
        value: of('anonMb'),
        noise: memoryNoise(4),
        digits: 1,
        afterSnapshot: name === 'serve',
      },
      {
        label: `${name} anon not V8 MB`,
        value: of('anonNotV8Mb'),
        noise: memoryNoise(4),
        digits: 1,
        afterSnapshot: name === 'serve',
      },
      {
        label: `${name} heap MB (after GC)`,
        value: of('heapMb'),
        noise: memoryNoise(1),
        digits: 1,
      },
      {
        label: `${name} heap reserved MB`,
        value: of('heapTotalMb'),
        noise: memoryNoise(2),
        digits: 1,
      },
      { label: `${name} external MB`, value: of('externalMb'), noise: memoryNoise(1), digits: 1 },
      { label: `${name} open fds`, value: of('fds'), noise: () => 1, digits: 0 },
      { label: `${name} handles`, value: of('handles'), noise: () => 1, digits: 0 },
      { label: `${name} timers`, value: of('timers'), noise: () => 1, digits: 0 },
      { label: `${name} sockets`, value: of('sockets'), noise: () => 1, digits: 0 },
      { label: `${name} process listeners`, value: of('listeners'), noise: () => 0, digits: 0 },
    );
  }
  figures.push(
    {
      label: 'WAL MB',
      value: (sample) => sample.folder.walMb,
      noise: () => 1,
      digits: 2,
    },
    {
      label: 'temp/partial files',
      value: (sample) => sample.folder.tempFiles,
      noise: () => 0,
      digits: 0,
    },
    {
      label: 'files in TMPDIR',
      value: (sample) => sample.folder.tmpdirEntries,
      noise: () => 0,
      digits: 0,
    },
    {
      label: 'other data files',
      value: (sample) => sample.folder.dataFiles,
      noise: () => 0,
      digits: 0,
    },
    {
      label: 'data folder MB (no WAL)',
      value: (sample) => sample.folder.dataMb,
      noise: () => 1,
      digits: 2,
      keeps: 'every run, generation and check is kept',
    },
  );

  const warm = samples.filter((sample) => sample.atS >= WARM_UP_S);
  // The first heap snapshot, if any: the server's memory figures are judged after it only.
  const snapshotAtS = samples.find((sample) => sample.snapshot)?.atS;
  const rows: string[][] = [['figure', 'start', 'warm', 'end', 'slope/h', 'verdict']];
  const growing: string[] = [];
  for (const figure of figures) {
    const all = samples.flatMap((sample) => {
      const value = figure.value(sample);
      return value === undefined ? [] : [{ atS: sample.atS, value }];
    });
    const judged =
      figure.afterSnapshot && snapshotAtS !== undefined
        ? samples.filter((sample) => sample.atS > snapshotAtS)
        : warm;
    const after = judged.flatMap((sample) => {
      const value = figure.value(sample);
      return value === undefined ? [] : [{ atS: sample.atS, value }];
    });
    const format = (value: number | undefined) =>
      value === undefined ? '?' : value.toFixed(figure.digits);
    let verdict = 'too short';
    let slope = 0;
    const mark = figure.afterSnapshot && snapshotAtS !== undefined ? ' after heap snapshot' : '';
    if (after.length >= 6) {
      slope = slopePerHour(
        after.map((point) => point.atS / 3600),
        after.map((point) => point.value),
      );
      const third = Math.floor(after.length / 3);
      const floor = (points: typeof after) => Math.min(...points.map((point) => point.value));
      const first = floor(after.slice(0, third));
      const last = floor(after.slice(-third));
      const rose = last - first > figure.noise(first);
      verdict = !rose
        ? `flat${mark}`
        : figure.keeps
          ? `grows, as meant (${figure.keeps})`
          : `GROWING${mark} (floor ${format(first)} → ${format(last)})`;
      if (rose && !figure.keeps) growing.push(figure.label);
    }
    rows.push([
      figure.label,
      format(all[0]?.value),
      format(after[0]?.value),
      format(all.at(-1)?.value),
      `${slope >= 0 ? '+' : ''}${slope.toFixed(figure.digits + 1)}`,
      verdict,
    ]);
  }
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  for (const row of rows)
    console.log(row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  '));

  const last = samples.at(-1);
  const first = samples[0];
  if (first && last)
    console.log(
      `WAL restarted from its beginning ${last.folder.walResets - first.folder.walResets} times (complete checkpoints) in ${last.atS.toFixed(0)} s`,
    );
  try {
    const db = new Database(join(dataDir, 'aideon.sqlite'), {
      readonly: true,
      fileMustExist: true,
    });
    const outcomes = db
      .prepare(
        'SELECT coalesce(outcome, state) AS outcome, count(*) AS n FROM generations GROUP BY 1 ORDER BY 2 DESC',
      )
      .all() as { outcome: string; n: number }[];
    db.close();
    console.log(`generations: ${outcomes.map((row) => `${row.outcome} ${row.n}`).join(', ')}`);
  } catch (error) {
    console.log(`generations: unreadable (${String(error)})`);
  }
  console.log(
    `${totals.rounds} rounds, ${totals.runs} runs (cancelled: ${totals.runCancels} runs, ${totals.modelCancels} models, ${totals.generationCancels} generations), ${totals.queuedFaults} queued create faults, ${totals.catalogueFaults} catalogue faults, ${totals.videosPlayed} videos played; vendor jobs made: ${VENDORS.map((vendor) => `${vendor} ${emulators[vendor].stats.creates}`).join(', ')}; monitor checks ${monitorChecks}${controller ? `; controller steps ${controller.events.filter((event) => event.type === 'step_applied').length} of ${rampSteps - 1}` : ''}`,
  );
  const warnings = watched.flatMap((proc) =>
    /MaxListenersExceededWarning|Possible EventTarget memory leak/.test(proc.output())
      ? [proc.name]
      : [],
  );
  if (warnings.length > 0) console.log(`listener-leak warnings printed by: ${warnings.join(', ')}`);
  if (controller) {
    const bad = controller.events.find((event) =>
      ['paused', 'rolled_back', 'leader_lost', 'error'].includes(event.type),
    );
    if (bad) console.log(`controller: ${bad.type}: ${bad.message}`);
  }
  console.log(
    growing.length === 0 ? 'verdict: every figure flat' : `verdict: growing: ${growing.join(', ')}`,
  );
  if (snapshots.length === 2)
    console.log(
      `heap snapshots of the server: node --import tsx test/bench/heap-diff.ts ${snapshots.join(' ')}`,
    );
}

try {
  await soak();
} catch (error) {
  fail(
    `the soak stopped: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
} finally {
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch {
      // Clean-up is best effort: the figures are printed.
    }
  }
}
if (failure) {
  console.error(`soak failed: ${failure}`);
  process.exit(1);
}
process.exit(0);
