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
 * answered, last start-up answer) and the JavaScript and font files fetched before ready.
 *
 * The wait is the page's own signal, not polling: before navigating, the bench adds a CDP
 * binding and a one-line script that runs first in the new document (a PerformanceObserver for
 * the ready mark); when the mark is set it calls the binding with `body[data-app-state]`, which
 * must read "ready". Nothing of Playwright's runs in the page before that.
 *
 * BENCH_READY_AGAINST=DIR also times another build in the same rounds, alternating which goes
 * first: DIR is a project root with its own built out/ (for example a copy of out/, bin/,
 * package.json and links to resources/ and node_modules/ made before a change), served by its
 * own `aideon serve` on a copy of the same data folder. Its medians and the ratio are printed.
 * BENCH_READY_TRACE=1 adds one traced round of each (not timed): where the main thread spent
 * navigation → ready and start-up answer → ready (script, style, layout, paint, idle), in
 * which scripts and which functions (BENCH_READY_TRACE_DIR=DIR also writes each traced round's
 * raw trace there, for DevTools' Performance panel). BENCH_ROUNDS (7) sets the rounds.
 * The data folder holds one finished sandbox run (BENCH_READY_EMPTY=1: an empty one).
 * Needs `npx electron-vite build` first. Run: npx tsx test/bench/console-ready.bench.ts
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { median } from './bench-stats';
import { findMark, requestFinished, startTrace, windowCosts } from './chromium-trace';
import { sandboxRunArgs } from '../helpers/cli-child';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
/**
 * BENCH_READY_SETTLE=0 navigates as soon as the browser is up (how sessions 5–10 measured).
 * By default the bench first waits for the browser to go quiet (see waitForQuietBrowser).
 */
const SETTLE = process.env.BENCH_READY_SETTLE !== '0';
const MARK = 'aideon:console-ready';
/** The CDP binding the page calls when the ready mark is set (see readySignal). */
const READY_BINDING = '__aideonBenchReady';
/** BENCH_READY_TRACE_DIR: where the traced rounds' raw traces are written (with BENCH_READY_TRACE=1). */
const TRACE_DIR = process.env.BENCH_READY_TRACE_DIR
  ? resolve(process.env.BENCH_READY_TRACE_DIR)
  : null;
if (TRACE_DIR) mkdirSync(TRACE_DIR, { recursive: true });
const AGAINST = process.env.BENCH_READY_AGAINST ? resolve(process.env.BENCH_READY_AGAINST) : null;
if (AGAINST && !existsSync(join(AGAINST, 'out', 'renderer', 'index.html'))) {
  throw new Error(`BENCH_READY_AGAINST=${AGAINST} has no built out/renderer/index.html`);
}

/** `aideon serve` from the project at `projectDir` (its own out/), on `dataDir`. */
async function startServe(
  projectDir: string,
  dataDir: string,
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [join(projectDir, 'bin', 'aideon.mjs'), 'serve', '--port', '0', '--data-dir', dataDir],
    { cwd: projectDir, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolveUrl, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /^AIDEON_URL=(\S+)$/m.exec(text);
      if (match?.[1]) resolveUrl(match[1]);
    });
    child.on('exit', (code) =>
      reject(new Error(`aideon serve (${projectDir}) exited with ${code}`)),
    );
  });
  return { url, child };
}

const dataDir = mkdtempSync(join(tmpdir(), 'aideon-bench-ready-'));
const dataDirs = [dataDir];
if (process.env.BENCH_READY_EMPTY !== '1') {
  const made = spawnSync(process.execPath, ['bin/aideon.mjs', ...sandboxRunArgs(dataDir)], {
    cwd: root,
    env: { ...process.env, AIDEON_SANDBOX_TIME_SCALE: '0' },
    stdio: 'ignore',
  });
  if (made.status !== 0) throw new Error('could not make the sandbox run for the data folder');
}
// The other build gets a copy of the same data folder (one server per folder).
let againstDir: string | null = null;
if (AGAINST) {
  againstDir = mkdtempSync(join(tmpdir(), 'aideon-bench-ready-against-'));
  cpSync(dataDir, againstDir, { recursive: true });
  dataDirs.push(againstDir);
}
const servers = [await startServe(root, dataDir)];
if (AGAINST && againstDir) servers.push(await startServe(AGAINST, againstDir));
const url = servers[0]!.url;
const bareUrl = `${url.split('#')[0]}?bare`;
/** What is timed each round: this build, and the other one when BENCH_READY_AGAINST is set. */
const targets = servers.map((server, index) => ({
  label: index === 0 ? 'this build' : `against ${AGAINST}`,
  url: server.url,
}));
const profiles: string[] = [];

interface Round {
  ready: number;
  html: number;
  domContentLoaded: number;
  bootstrapSent: number;
  bootstrapAnswered: number;
  /** app:bootstrap from its request leaving to the first byte of the answer (server and wire). */
  bootstrapWait: number;
  /** start.tsx's marks: its chunk ran, the answer was in hand, the first render was done. */
  startCode: number;
  startData: number;
  startRendered: number;
  lastApi: number;
  apiCalls: number;
  scriptKb: number;
  scripts: number;
  fonts: string[];
}

function newProfile(): string {
  const profile = mkdtempSync(join(tmpdir(), 'aideon-bench-profile-'));
  profiles.push(profile);
  return profile;
}

/** CPU time (ms) used so far by the processes whose command line names `profile`. */
function browserCpuMs(profile: string): number {
  const ticksPerMs = 100 / 1000; // USER_HZ is 100 on Linux
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmdline.includes(profile)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / ticksPerMs;
    } catch {
      // The process ended while being read.
    }
  }
  return total;
}

/**
 * Waits until Chromium's own start-up work is done: its processes used under 20 ms of CPU in
 * the last 300 ms (at most 10 s). Chromium's browser UI starts a "WebUI Top Renderer" (the
 * omnibox popup) at launch that kept one of this machine's two cores busy for the first 0.3–0.6 s
 * after navigation (traced: 298 ms of CPU in the first 300 ms of a later launch, 595 ms in a
 * first launch's first 600 ms), so the console was timed on half the machine. Electron has no
 * browser UI: a console window starts on a quiet browser. Returns how long the wait took.
 */
async function waitForQuietBrowser(profile: string): Promise<number> {
  const started = performance.now();
  let last = browserCpuMs(profile);
  if (last === 0) throw new Error(`no Chromium process names the profile ${profile}`);
  while (performance.now() - started < 10_000) {
    await new Promise((resolveWait) => setTimeout(resolveWait, 300));
    const now = browserCpuMs(profile);
    if (now - last < 20) break;
    last = now;
  }
  return performance.now() - started;
}
const settleTimes: number[] = [];

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
  if (SETTLE) settleTimes.push(await waitForQuietBrowser(profile));
  return { context, page };
}

/**
 * Runs first in every new document of the page: when the ready mark is set, tells the bench
 * through the CDP binding, with the body's data-app-state (which must then be "ready").
 */
const readySignal = `(() => {
  const signal = globalThis[${JSON.stringify(READY_BINDING)}];
  new PerformanceObserver((list, observer) => {
    if (list.getEntriesByName(${JSON.stringify(MARK)}).length === 0) return;
    observer.disconnect();
    signal(document.body ? String(document.body.dataset.appState) : 'no body');
  }).observe({ type: 'mark' });
})();`;

/** Opens the console at `target` and reads its timings once the page signals ready. */
async function openConsole(page: Page, target: string): Promise<Round> {
  const session = await page.context().newCDPSession(page);
  const signalled = new Promise<string>((resolveSignal) => {
    session.on('Runtime.bindingCalled', (event) => {
      if (event.name === READY_BINDING) resolveSignal(event.payload);
    });
  });
  await session.send('Runtime.enable');
  await session.send('Page.enable');
  await session.send('Runtime.addBinding', { name: READY_BINDING });
  await session.send('Page.addScriptToEvaluateOnNewDocument', { source: readySignal });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<string>((resolveTimeout) => {
    timer = setTimeout(() => resolveTimeout('timeout'), 30_000);
  });
  await page.goto(target, { waitUntil: 'commit' });
  const signal = await Promise.race([signalled, timedOut]);
  clearTimeout(timer);
  if (signal !== 'ready') {
    const state = await page.evaluate(() => document.body?.dataset.appState ?? 'no body');
    throw new Error(
      signal === 'timeout'
        ? `no ready mark after 30 s (body data-app-state="${state}")`
        : `the ready mark was set with body data-app-state="${signal}", not "ready"`,
    );
  }
  await session.detach();
  return page.evaluate((mark) => {
    const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
    const ready = performance.getEntriesByName(mark)[0]!.startTime;
    // (No named helper function here: tsx would wrap it in a __name() the page does not have.)
    const marks = ['aideon:start-code', 'aideon:start-data', 'aideon:start-rendered'].map(
      (name) => performance.getEntriesByName(name)[0]?.startTime ?? Number.NaN,
    );
    const before = resources.filter((entry) => entry.startTime <= ready);
    const api = before.filter((entry) => new URL(entry.name).pathname.startsWith('/api/'));
    const bootstrap = api.find((entry) => entry.name.includes('/api/app:bootstrap'));
    const scripts = before.filter((entry) => new URL(entry.name).pathname.endsWith('.js'));
    const fonts = before
      .filter((entry) => new URL(entry.name).pathname.endsWith('.woff2'))
      .map((entry) => new URL(entry.name).pathname.split('/').pop()!);
    return {
      ready,
      html: navigation.responseEnd,
      domContentLoaded: navigation.domContentLoadedEventEnd,
      bootstrapSent: bootstrap?.startTime ?? Number.NaN,
      bootstrapAnswered: bootstrap?.responseEnd ?? Number.NaN,
      bootstrapWait: bootstrap ? bootstrap.responseStart - bootstrap.requestStart : Number.NaN,
      startCode: marks[0]!,
      startData: marks[1]!,
      startRendered: marks[2]!,
      lastApi: Math.max(...api.map((entry) => entry.responseEnd)),
      apiCalls: api.length,
      scriptKb: scripts.reduce((sum, entry) => sum + entry.encodedBodySize, 0) / 1024,
      scripts: scripts.length,
      fonts,
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

/** One launch traced: the main thread's costs from navigation and from the start-up answer. */
async function tracedLaunch(profile: string, label: string, target: string): Promise<void> {
  const { context, page } = await launch(profile);
  try {
    const session = await context.newCDPSession(page);
    const stop = await startTrace(session);
    const round = await openConsole(page, target);
    await page.waitForTimeout(100);
    const events = await stop();
    if (TRACE_DIR) {
      const file = join(TRACE_DIR, `${label.replace(/[^a-z0-9]+/gi, '-')}.json`);
      writeFileSync(file, JSON.stringify({ traceEvents: events }));
      console.log(`  trace (${label}) written to ${file} (opens in DevTools' Performance panel)`);
    }
    const mark = findMark(events, MARK);
    const answered = requestFinished(events, '/api/app:bootstrap');
    if (!mark || answered === null) {
      console.log(`  trace (${label}): no ready mark or start-up answer in the trace`);
      return;
    }
    const list = (items: [string, number][]): string =>
      items
        .filter(([, ms]) => ms >= 0.5)
        .map(([name, ms]) => `${name} ${ms.toFixed(0)}`)
        .join(' · ');
    // The mark's performance time is from navigation start, on the trace's clock.
    const navigationStart = mark.ts - round.ready * 1000;
    for (const [window, from] of [
      ['navigation → ready', navigationStart],
      ['start-up answer → ready', answered],
    ] as const) {
      const costs = windowCosts(events, mark, from, mark.ts);
      console.log(
        `  trace (${label}, one traced round): ${window} ${costs.windowMs.toFixed(0)} ms`,
      );
      console.log(`    by kind: ${list(costs.byCategory)}`);
      console.log(`    by trace event (self): ${list(costs.byEvent)}`);
      console.log(`    script samples by file: ${list(costs.scripts)}`);
      console.log(`    script samples by function (self): ${list(costs.functions)}`);
    }
  } finally {
    await context.close();
  }
}

function report(label: string, rounds: Round[], bare: number[]): void {
  const pick = (key: Exclude<keyof Round, 'fonts'>): number =>
    median(rounds.map((round) => round[key]));
  const readyMs = pick('ready');
  const bareMs = median(bare);
  console.log(
    `${`console ready in Chromium, ${label}`.padEnd(58)} ${readyMs.toFixed(0).padStart(5)} ms   bare page ${bareMs.toFixed(0)} ms   ratio ${(readyMs / bareMs).toFixed(2)}×   goal < 300 ms`,
  );
  console.log(
    `  rounds: ready ${rounds.map((round) => round.ready.toFixed(0)).join(', ')} ms · bare ${bare.map((ms) => ms.toFixed(0)).join(', ')} ms`,
  );
  console.log(
    `  phases (medians): HTML ${pick('html').toFixed(0)} · DOMContentLoaded ${pick('domContentLoaded').toFixed(0)} · app:bootstrap sent ${pick('bootstrapSent').toFixed(0)}, answered ${pick('bootstrapAnswered').toFixed(0)} (request → first byte ${pick('bootstrapWait').toFixed(0)}) · last start-up answer ${pick('lastApi').toFixed(0)} · start chunk ran ${pick('startCode').toFixed(0)}, with the answer ${pick('startData').toFixed(0)}, rendered ${pick('startRendered').toFixed(0)} · ready ${readyMs.toFixed(0)} (answer → ready ${median(rounds.map((round) => round.ready - round.bootstrapAnswered)).toFixed(0)}) ms`,
  );
  const fonts = [...new Set(rounds.flatMap((round) => round.fonts))];
  console.log(
    `  before ready: ${pick('apiCalls')} API calls, ${pick('scripts')} scripts, ${pick('scriptKb').toFixed(0)} KB of JavaScript (compressed as sent); fonts: ${fonts.join(', ') || 'none'}`,
  );
}

/** The other build's rounds, next to this build's from the same rounds. */
function reportAgainst(label: string, ours: Round[], theirs: Round[]): void {
  const oursMs = median(ours.map((round) => round.ready));
  const theirsMs = median(theirs.map((round) => round.ready));
  console.log(
    `  against ${AGAINST}: ${label} ${theirsMs.toFixed(0)} ms (rounds ${theirs.map((round) => round.ready.toFixed(0)).join(', ')}) · this build / against ${(oursMs / theirsMs).toFixed(2)}×`,
  );
  const wins = ours.filter((round, index) => round.ready < theirs[index]!.ready).length;
  console.log(`  this build faster in ${wins} of ${ours.length} rounds`);
}

/** The targets in alternating order: round 0 this build first, round 1 the other first. */
function ordered(round: number): number[] {
  const indexes = targets.map((_, index) => index);
  return round % 2 === 0 ? indexes : indexes.reverse();
}

try {
  console.log(
    `load average at start: ${loadavg()
      .map((load) => load.toFixed(2))
      .join(' ')}`,
  );
  // Warm the servers (first requests load the services' code paths) before timing.
  for (const target of targets) {
    await oneLaunch(newProfile(), (page) => openConsole(page, target.url));
  }

  // (a) First launch: a fresh profile each round, for the console and for the bare page.
  const firstRounds: Round[][] = targets.map(() => []);
  const firstBare: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const index of ordered(round)) {
      const target = targets[index]!.url;
      firstRounds[index]!.push(await oneLaunch(newProfile(), (page) => openConsole(page, target)));
    }
    firstBare.push(await oneLaunch(newProfile(), openBare));
  }
  report('first launch (fresh profile)', firstRounds[0]!, firstBare);
  if (AGAINST) reportAgainst('first launch', firstRounds[0]!, firstRounds[1]!);
  if (process.env.BENCH_READY_TRACE === '1') {
    for (const target of targets) {
      await tracedLaunch(newProfile(), `first launch, ${target.label}`, target.url);
    }
  }

  // (b) Later launch: one profile each, opened twice before timing (Chromium keeps V8's code
  // cache for a script from its second load on), the browser started again for every round.
  const appProfiles = targets.map(() => newProfile());
  const bareProfile = newProfile();
  for (let warm = 0; warm < 2; warm += 1) {
    for (const [index, target] of targets.entries()) {
      await oneLaunch(appProfiles[index]!, (page) => openConsole(page, target.url));
    }
    await oneLaunch(bareProfile, openBare);
  }
  const laterRounds: Round[][] = targets.map(() => []);
  const laterBare: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const index of ordered(round)) {
      const target = targets[index]!.url;
      laterRounds[index]!.push(
        await oneLaunch(appProfiles[index]!, (page) => openConsole(page, target)),
      );
    }
    laterBare.push(await oneLaunch(bareProfile, openBare));
  }
  report('later launch (same profile, browser restarted)', laterRounds[0]!, laterBare);
  if (AGAINST) reportAgainst('later launch', laterRounds[0]!, laterRounds[1]!);
  if (process.env.BENCH_READY_TRACE === '1') {
    for (const [index, target] of targets.entries()) {
      await tracedLaunch(appProfiles[index]!, `later launch, ${target.label}`, target.url);
    }
  }
  console.log(
    SETTLE
      ? `each launch waited for a quiet browser first: median ${median(settleTimes).toFixed(0)} ms, longest ${Math.max(...settleTimes).toFixed(0)} ms (BENCH_READY_SETTLE=0 navigates at once)`
      : "navigated as soon as the browser was up (BENCH_READY_SETTLE=0): Chromium's own start-up work runs beside the console",
  );
  console.log(
    `load average at end: ${loadavg()
      .map((load) => load.toFixed(2))
      .join(' ')}`,
  );
} finally {
  for (const { child } of servers) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
    child.kill('SIGTERM');
    await exited;
  }
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  for (const profile of profiles) rmSync(profile, { recursive: true, force: true });
}
