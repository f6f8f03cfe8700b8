/**
 * Console ready in Chromium (issue 15, goal < 300 ms): Debian's chromium (Playwright) opens the
 * URL `aideon serve` printed; the time is from navigation start to the `aideon:console-ready`
 * mark, which the console sets on the first frame after its first screen rendered with its
 * start-up data (src/renderer/src/start.tsx: app:bootstrap's answer, or one call per part when
 * that failed; markConsoleReady in store/actions.ts).
 *
 * Two figures, the two an admin meets, each against the same server's bare page (index.html
 * with its scripts blocked, timed to its load event) measured the same way in the same run:
 *  - first launch: a fresh browser profile each round (no HTTP cache, no V8 code cache);
 *  - later launch: one profile, the browser closed and started again each round (HTTP cache and
 *    V8's code cache warm on disk, a fresh renderer process): every launch after the first.
 * Each is printed with its phases (HTML received, DOMContentLoaded, start-up call sent and
 * answered, last start-up answer) and the JavaScript fetched before ready. BENCH_READY_TRACE=1
 * adds one traced round of each (not timed): where the main thread spent the time between the
 * start-up answer and the ready mark (script, style, layout, paint, idle) and in which scripts.
 * The data folder holds one finished sandbox run (BENCH_READY_EMPTY=1: an empty one).
 * Needs `npx electron-vite build` first. Run: npx tsx test/bench/console-ready.bench.ts
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { median } from './bench-stats';
import { findMark, requestFinished, startTrace, windowCosts } from './chromium-trace';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const MARK = 'aideon:console-ready';
async function startServe(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['bin/aideon.mjs', 'serve', '--port', '0', '--data-dir', dataDir],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolveUrl, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /^AIDEON_URL=(\S+)$/m.exec(text);
      if (match?.[1]) resolveUrl(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`aideon serve exited with ${code}`)));
  });
  return { url, child };
}

const dataDir = mkdtempSync(join(tmpdir(), 'aideon-bench-ready-'));
if (process.env.BENCH_READY_EMPTY !== '1') {
  const made = spawnSync(
    process.execPath,
    [
      'bin/aideon.mjs',
      'bench',
      'run',
      '--suite',
      'smoke',
      '--models',
      'sandbox:sandbox-fast',
      '--data-dir',
      dataDir,
    ],
    { cwd: root, env: { ...process.env, AIDEON_SANDBOX_TIME_SCALE: '0' }, stdio: 'ignore' },
  );
  if (made.status !== 0) throw new Error('could not make the sandbox run for the data folder');
}
const { url, child } = await startServe(dataDir);
const bareUrl = `${url.split('#')[0]}?bare`;
const profiles: string[] = [];

interface Round {
  ready: number;
  html: number;
  domContentLoaded: number;
  bootstrapSent: number;
  bootstrapAnswered: number;
  lastApi: number;
  apiCalls: number;
  scriptKb: number;
  scripts: number;
}

function newProfile(): string {
  const profile = mkdtempSync(join(tmpdir(), 'aideon-bench-profile-'));
  profiles.push(profile);
  return profile;
}

/** Starts Chromium on a profile folder (kept on disk between launches: its HTTP and code caches). */
async function launch(profile: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.AIDEON_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page };
}

/** Opens the console and reads its timings once the ready mark is set. */
async function openConsole(page: Page): Promise<Round> {
  await page.goto(url);
  await page.waitForFunction((mark) => performance.getEntriesByName(mark).length > 0, MARK, {
    timeout: 30_000,
  });
  return page.evaluate((mark) => {
    const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
    const ready = performance.getEntriesByName(mark)[0]!.startTime;
    const api = resources.filter(
      (entry) => new URL(entry.name).pathname.startsWith('/api/') && entry.startTime <= ready,
    );
    const bootstrap = api.find((entry) => entry.name.includes('/api/app:bootstrap'));
    const scripts = resources.filter(
      (entry) => entry.name.endsWith('.js') && entry.startTime <= ready,
    );
    return {
      ready,
      html: navigation.responseEnd,
      domContentLoaded: navigation.domContentLoadedEventEnd,
      bootstrapSent: bootstrap?.startTime ?? Number.NaN,
      bootstrapAnswered: bootstrap?.responseEnd ?? Number.NaN,
      lastApi: Math.max(...api.map((entry) => entry.responseEnd)),
      apiCalls: api.length,
      scriptKb: scripts.reduce((sum, entry) => sum + entry.encodedBodySize, 0) / 1024,
      scripts: scripts.length,
    };
  }, MARK);
}

/** The reference: the same server's page with its scripts blocked (no script runs), to load. */
async function openBare(page: Page): Promise<number> {
  const session = await page.context().newCDPSession(page);
  await session.send('Network.enable');
  await session.send('Network.setBlockedURLs', { urls: ['*.js'] });
  await page.goto(bareUrl);
  const { loadEnd, state } = await page.evaluate(() => ({
    loadEnd: (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming)
      .loadEventEnd,
    state: document.body.dataset.appState,
  }));
  if (state !== 'loading') throw new Error(`the bare page ran the console's scripts (${state})`);
  return loadEnd;
}

/** One launch of the browser on `profile`: opens the page, waits for caches to settle, quits. */
async function oneLaunch<T>(profile: string, visit: (page: Page) => Promise<T>): Promise<T> {
  const { context, page } = await launch(profile);
  try {
    const result = await visit(page);
    // Chromium writes the code cache and the idle-time chunk fetches after ready/load.
    await page.waitForTimeout(800);
    return result;
  } finally {
    await context.close();
  }
}

/** One launch traced: the main thread's costs between the start-up answer and the ready mark. */
async function tracedLaunch(profile: string, label: string): Promise<void> {
  const { context, page } = await launch(profile);
  try {
    const session = await context.newCDPSession(page);
    const stop = await startTrace(session);
    await openConsole(page);
    await page.waitForTimeout(100);
    const events = await stop();
    const mark = findMark(events, MARK);
    const answered = requestFinished(events, '/api/app:bootstrap');
    if (!mark || answered === null) {
      console.log(`  trace (${label}): no ready mark or start-up answer in the trace`);
      return;
    }
    const costs = windowCosts(events, mark, answered, mark.ts);
    const list = (items: [string, number][]): string =>
      items
        .filter(([, ms]) => ms >= 0.5)
        .map(([name, ms]) => `${name} ${ms.toFixed(0)}`)
        .join(' · ');
    console.log(
      `  trace (${label}, one traced round, ms): start-up answer → ready ${costs.windowMs.toFixed(0)} ms`,
    );
    console.log(`    by kind: ${list(costs.byCategory)}`);
    console.log(`    by trace event (self): ${list(costs.byEvent)}`);
    console.log(`    script samples by file: ${list(costs.scripts)}`);
  } finally {
    await context.close();
  }
}

function report(label: string, rounds: Round[], bare: number[]): void {
  const pick = (key: keyof Round): number => median(rounds.map((round) => round[key]));
  const readyMs = pick('ready');
  const bareMs = median(bare);
  console.log(
    `${`console ready in Chromium, ${label}`.padEnd(58)} ${readyMs.toFixed(0).padStart(5)} ms   bare page ${bareMs.toFixed(0)} ms   ratio ${(readyMs / bareMs).toFixed(2)}×   goal < 300 ms`,
  );
  console.log(
    `  rounds: ready ${rounds.map((round) => round.ready.toFixed(0)).join(', ')} ms · bare ${bare.map((ms) => ms.toFixed(0)).join(', ')} ms`,
  );
  console.log(
    `  phases (medians): HTML ${pick('html').toFixed(0)} · DOMContentLoaded ${pick('domContentLoaded').toFixed(0)} · app:bootstrap sent ${pick('bootstrapSent').toFixed(0)}, answered ${pick('bootstrapAnswered').toFixed(0)} · last start-up answer ${pick('lastApi').toFixed(0)} · ready ${readyMs.toFixed(0)} (answer → ready ${median(rounds.map((round) => round.ready - round.bootstrapAnswered)).toFixed(0)}) ms`,
  );
  console.log(
    `  before ready: ${pick('apiCalls')} API calls, ${pick('scripts')} scripts, ${pick('scriptKb').toFixed(0)} KB of JavaScript (compressed as sent)`,
  );
}

try {
  console.log(
    `load average at start: ${loadavg()
      .map((load) => load.toFixed(2))
      .join(' ')}`,
  );
  // Warm the server (first requests load the services' code paths) before timing.
  await oneLaunch(newProfile(), openConsole);

  // (a) First launch: a fresh profile each round, for the console and for the bare page.
  const firstRounds: Round[] = [];
  const firstBare: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    firstRounds.push(await oneLaunch(newProfile(), openConsole));
    firstBare.push(await oneLaunch(newProfile(), openBare));
  }
  report('first launch (fresh profile)', firstRounds, firstBare);
  if (process.env.BENCH_READY_TRACE === '1') await tracedLaunch(newProfile(), 'first launch');

  // (b) Later launch: one profile each, opened twice before timing (Chromium keeps V8's code
  // cache for a script from its second load on), the browser started again for every round.
  const appProfile = newProfile();
  const bareProfile = newProfile();
  for (let warm = 0; warm < 2; warm += 1) {
    await oneLaunch(appProfile, openConsole);
    await oneLaunch(bareProfile, openBare);
  }
  const laterRounds: Round[] = [];
  const laterBare: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    laterRounds.push(await oneLaunch(appProfile, openConsole));
    laterBare.push(await oneLaunch(bareProfile, openBare));
  }
  report('later launch (same profile, browser restarted)', laterRounds, laterBare);
  if (process.env.BENCH_READY_TRACE === '1') await tracedLaunch(appProfile, 'later launch');
  console.log(
    `load average at end: ${loadavg()
      .map((load) => load.toFixed(2))
      .join(' ')}`,
  );
} finally {
  child.kill('SIGTERM');
  await new Promise((resolveExit) => child.once('exit', resolveExit));
  rmSync(dataDir, { recursive: true, force: true });
  for (const profile of profiles) rmSync(profile, { recursive: true, force: true });
}
