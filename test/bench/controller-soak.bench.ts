/**
 * Soak: the headless `aideon controller` left to run a long ramp on its own, as production
 * would — a real etcd (or a directory store), a real Prometheus scraping a healthy fleet, a
 * guard check on every baking step, a signed step published every few seconds. A slow leak or a
 * cost that grows with the store's history does not show in a test that runs three steps; here
 * it shows as memory, open files, CPU per step or step lag growing from the first steps to the
 * last.
 *
 * Prints, every 30 s and at the end: the controller's RSS, open file descriptors, CPU time and
 * steps applied; then RSS and file-descriptor growth after warm-up, and CPU per step and the
 * lag of each step past its due time (bake + tick), first 20 steps against the last 20.
 *
 * Run: npm run bench -- controller-soak
 *   BENCH_SOAK_STEPS   steps in the ramp, 2–100 (default 100: 1 %, 2 %, … 100 %)
 *   BENCH_SOAK_STORE   etcd (default) or dir
 *   BENCH_SOAK_TICK_MS the controller's tick (default 250)
 *   BENCH_SOAK_IDLE_S  seconds it then runs idle, the ramp complete (default 120)
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WatchSettingsInput } from '../../src/shared/watch/watch-settings';
import { startControllerProcess, type ControllerEventLine } from '../helpers/controller-process';
import { startEtcd, type EtcdServer } from '../helpers/etcd-server';
import { startExporter, startScrapingPrometheus } from '../helpers/metrics-exporter';
import { tempDir } from '../helpers/temp-dir';
import { controllerTestStore } from '../main/rollout/fixtures';
import { median, quantile } from './bench-stats';

const STEPS = Math.min(100, Math.max(2, Number(process.env.BENCH_SOAK_STEPS ?? 100)));
const STORE = process.env.BENCH_SOAK_STORE === 'dir' ? 'dir' : 'etcd';
const TICK_MS = Number(process.env.BENCH_SOAK_TICK_MS ?? 250);
const IDLE_S = Number(process.env.BENCH_SOAK_IDLE_S ?? 120);
/** The shortest bake and check the watch settings allow: 3 s. */
const BAKE_MINUTES = 0.05;
const FLAG = 'new-video-model';
const PASSPHRASE = 'operator passphrase for the soak bench';

interface Sample {
  atS: number;
  rssMb: number;
  fds: number;
  cpuS: number;
  steps: number;
}

/** The child's RSS (MB), open descriptors and CPU seconds (user + system), from /proc. */
function sample(pid: number): Omit<Sample, 'atS' | 'steps'> {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return {
    rssMb: rssKb / 1024,
    fds: readdirSync(`/proc/${pid}/fd`).length,
    cpuS: ticks / 100,
  };
}

const cleanups: (() => void | Promise<void>)[] = [];
let etcd: EtcdServer | undefined;
const promDir = tempDir('aideon-soak-prom-');
cleanups.push(promDir.cleanup);
const exporter = await startExporter();
cleanups.push(() => exporter.stop());
if (STORE === 'etcd') {
  etcd = await startEtcd();
  cleanups.push(() => etcd?.stop());
}
const prometheus = await startScrapingPrometheus({ dir: promDir.dir, targets: [exporter.target] });
cleanups.push(() => prometheus.stop());

const { data, storeUri, admin, operator } = await controllerTestStore(
  'aideon-soak-',
  PASSPHRASE,
  cleanups,
  etcd ? { storeUri: etcd.uri('soak') } : {},
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
const settings: WatchSettingsInput = {
  environments: { dev: { prometheusUrl: prometheus.url, autoRollback: true } },
  guardWindow: '30s',
  minRequests: 5,
  checkIntervalMinutes: BAKE_MINUTES,
  bakeMinutes: BAKE_MINUTES,
  tiers: [{ tier: 'premium', minSuccessRate: 0.9 }],
};
const settingsFile = join(data.dir, 'watch-settings.json');
writeFileSync(settingsFile, JSON.stringify(settings));
const ramp = [
  ...new Set(Array.from({ length: STEPS }, (_, index) => Math.round(((index + 1) * 100) / STEPS))),
];
await admin.startRollout({
  environment: 'dev',
  flagKey: FLAG,
  onVariant: 'on',
  offVariant: 'off',
  steps: ramp,
  bakeMinutes: BAKE_MINUTES,
});

// Production reports the first step's version before the controller first judges it (a
// controller started the instant a step is published would find no traffic for it yet).
const firstVersion = (await admin.listRollouts('dev'))[0]?.lastStepVersion;
for (let tries = 0; ; tries += 1) {
  const query = `sum(aideon_video_requests_total{config_version="${firstVersion}"})`;
  const response = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await response.json()) as { data?: { result?: { value: [number, string] }[] } };
  const value = Number(body.data?.result?.[0]?.value[1] ?? 0);
  if (value > 0) break;
  if (tries > 100)
    throw new Error(`Prometheus has no traffic for version ${String(firstVersion)} after 20 s`);
  await new Promise((resolve) => setTimeout(resolve, 200));
}

const controller = startControllerProcess(['--data-dir', join(data.dir, 'ctl')], {
  AIDEON_STORE: storeUri,
  AIDEON_CONTROLLER_ID: 'ctl-soak',
  AIDEON_CONTROLLER_TICK_MS: String(TICK_MS),
  AIDEON_CONTROLLER_LEASE_MS: String(Math.max(3000, 12 * TICK_MS)),
  AIDEON_WATCH_SETTINGS: settingsFile,
  AIDEON_OPERATOR_KEY: `${data.dir}/${operator.kid}.key.json`,
  AIDEON_OPERATOR_PASSPHRASE: PASSPHRASE,
});
const pid = controller.child.pid ?? 0;
const started = Date.now();
const applied = (): ControllerEventLine[] =>
  controller.events.filter((event) => event.type === 'step_applied');
const samples: Sample[] = [];
const takeSample = (): Sample => {
  const entry = {
    atS: (Date.now() - started) / 1000,
    steps: applied().length,
    ...sample(pid),
  };
  samples.push(entry);
  return entry;
};
const print = (entry: Sample): void =>
  console.log(
    `${entry.atS.toFixed(0).padStart(4)} s  steps ${String(entry.steps).padStart(3)}  RSS ${entry.rssMb.toFixed(1)} MB  fds ${entry.fds}  CPU ${entry.cpuS.toFixed(1)} s`,
  );

let failure: string | undefined;
try {
  await controller.waitFor('leads', (event) => event.type === 'leader_acquired', 60_000);
  console.log(
    `controller soak: ${ramp.length}-step ramp on ${STORE}, tick ${TICK_MS} ms, bake and check every 3 s`,
  );
  print(takeSample());
  // Per-step CPU: the CPU time when each step was seen applied.
  const cpuAtStep: number[] = [];
  let lastPrint = Date.now();
  const deadline = started + ramp.length * 15_000 + 60_000;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    if (controller.child.exitCode !== null) {
      failure = `the controller exited (${controller.child.exitCode}):\n${controller.stderr()}`;
      break;
    }
    const count = applied().length;
    while (cpuAtStep.length < count) cpuAtStep.push(sample(pid).cpuS);
    if (Date.now() - lastPrint >= 30_000) {
      print(takeSample());
      lastPrint = Date.now();
    }
    const bad = controller.events.find((event) =>
      ['paused', 'rolled_back', 'leader_lost', 'error'].includes(event.type),
    );
    if (bad) {
      failure = `the ramp stopped: ${bad.type}: ${bad.message}`;
      break;
    }
    // The first step is the admin's (her keys publish it); the controller applies the rest.
    if (count >= ramp.length - 1) break;
    if (Date.now() > deadline) {
      failure = `only ${count} of ${ramp.length - 1} steps applied in ${((Date.now() - started) / 1000).toFixed(0)} s`;
      break;
    }
  }
  const rampEnd = takeSample();
  print(rampEnd);
  // Then idle, as a controller spends most of its life: ticks, heartbeats, nothing to do.
  for (let waited = 0; !failure && waited < IDLE_S; waited += 30) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(30, IDLE_S - waited) * 1000));
    if (controller.child.exitCode !== null)
      failure = `the controller exited while idle (${controller.child.exitCode}):\n${controller.stderr()}`;
    else print(takeSample());
  }
  const last = samples.at(-1) ?? rampEnd;
  if (!failure && IDLE_S > 0)
    console.log(
      `idle ${(last.atS - rampEnd.atS).toFixed(0)} s: RSS ${(last.rssMb - rampEnd.rssMb).toFixed(1)} MB, fds ${last.fds - rampEnd.fds}, CPU ${(((last.cpuS - rampEnd.cpuS) / (last.atS - rampEnd.atS)) * 100).toFixed(1)} % of a core (${(((last.cpuS - rampEnd.cpuS) / (last.atS - rampEnd.atS)) * TICK_MS).toFixed(1)} ms per tick)`,
    );

  const steady = samples.find((entry) => entry.atS >= 30) ?? samples[0];
  if (steady && last !== steady)
    console.log(
      `after warm-up (${steady.atS.toFixed(0)} s → ${last.atS.toFixed(0)} s, ${last.steps - steady.steps} steps): RSS ${(last.rssMb - steady.rssMb).toFixed(1)} MB, fds ${last.fds - steady.fds}`,
    );
  // Lag of each step past its due time: the previous step's apply + bake, + up to one tick.
  const at = applied().map((event) => event.at);
  const lags = at.slice(1).map((time, index) => time - ((at[index] ?? 0) + BAKE_MINUTES * 60_000));
  const cpu = cpuAtStep.slice(1).map((value, index) => value - (cpuAtStep[index] ?? 0));
  const window = Math.min(20, Math.floor(lags.length / 2));
  if (window > 0) {
    const describe = (values: number[], unit: string, scale = 1): string =>
      `median ${(median(values) * scale).toFixed(0)} ${unit}, p95 ${(quantile(values, 0.95) * scale).toFixed(0)} ${unit}`;
    console.log(
      `step lag past due (bake + tick ${TICK_MS} ms): first ${window} steps ${describe(lags.slice(0, window), 'ms')}; last ${window} ${describe(lags.slice(-window), 'ms')}`,
    );
    console.log(
      `controller CPU per step: first ${window} ${describe(cpu.slice(0, window), 'ms', 1000)}; last ${window} ${describe(cpu.slice(-window), 'ms', 1000)}`,
    );
  }
  const checks = controller.events.filter((event) => event.type === 'check_passed').length;
  console.log(
    `${applied().length} steps applied, ${checks} checks passed, ${controller.events.length} events in ${last.atS.toFixed(0)} s`,
  );
} catch (error) {
  failure = error instanceof Error ? error.message : String(error);
} finally {
  await controller.stop();
  for (const cleanup of cleanups.reverse()) await cleanup();
}
if (failure) {
  console.error(`controller soak failed: ${failure}`);
  process.exit(1);
}
