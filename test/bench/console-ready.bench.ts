/**
 * Console ready in Chromium (issue 15, goal < 300 ms): Debian's chromium (Playwright) opens the
 * URL `aideon serve` printed; the time is from navigation start to the `aideon:console-ready`
 * mark, which the console sets on the first frame after its first screen rendered with its
 * start-up data (src/renderer/src/start.tsx: app:bootstrap's answer, or one call per part when
 * that failed; markConsoleReady in store/actions.ts). Printed with its phases (HTML received,
 * DOMContentLoaded, first API call, last start-up API call), the JavaScript fetched before
 * ready, and as a ratio against the same server's bare static page (index.html alone with no
 * script, timed to its load event in the same run).
 * Each round is a fresh browser context (no cache). The data folder holds one finished sandbox
 * run (BENCH_READY_EMPTY=1: an empty one).
 * Needs `npx electron-vite build` first. Run: npx tsx test/bench/console-ready.bench.ts
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { median } from './bench-stats';

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
const browser = await chromium.launch({
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

interface Round {
  ready: number;
  html: number;
  domContentLoaded: number;
  firstApi: number;
  lastApi: number;
  apiCalls: number;
  scriptKb: number;
  scripts: number;
}

try {
  // Warm the server (first requests load the services' code paths) before timing.
  {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForFunction((mark) => performance.getEntriesByName(mark).length > 0, MARK);
    await context.close();
  }
  const rounds: Round[] = [];
  const bare: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForFunction((mark) => performance.getEntriesByName(mark).length > 0, MARK, {
      timeout: 30_000,
    });
    rounds.push(
      await page.evaluate((mark) => {
        const navigation = performance.getEntriesByType(
          'navigation',
        )[0] as PerformanceNavigationTiming;
        const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
        const ready = performance.getEntriesByName(mark)[0]!.startTime;
        const api = resources.filter(
          (entry) => new URL(entry.name).pathname.startsWith('/api/') && entry.startTime <= ready,
        );
        const scripts = resources.filter(
          (entry) => entry.name.endsWith('.js') && entry.startTime <= ready,
        );
        return {
          ready,
          html: navigation.responseEnd,
          domContentLoaded: navigation.domContentLoadedEventEnd,
          firstApi: Math.min(...api.map((entry) => entry.startTime)),
          lastApi: Math.max(...api.map((entry) => entry.responseEnd)),
          apiCalls: api.length,
          scriptKb: scripts.reduce((sum, entry) => sum + entry.encodedBodySize, 0) / 1024,
          scripts: scripts.length,
        };
      }, MARK),
    );
    // The reference: the same server's page as bare HTML (no script runs), to its load event.
    await page.route('**/*.js', (route) => route.abort());
    await page.goto(`${url.split('#')[0]}?bare=${round}`);
    bare.push(
      await page.evaluate(
        () =>
          (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming)
            .loadEventEnd,
      ),
    );
    await context.close();
  }
  const pick = (key: keyof Round): number => median(rounds.map((round) => round[key]));
  const readyMs = pick('ready');
  const bareMs = median(bare);
  console.log(
    `${'console ready in Chromium (navigation → ready mark)'.padEnd(52)} ${readyMs.toFixed(0).padStart(6)} ms   bare static page ${bareMs.toFixed(0)} ms   ratio ${(readyMs / bareMs).toFixed(2)}×   goal < 300 ms`,
  );
  console.log(
    `  phases (medians): HTML ${pick('html').toFixed(0)} ms · DOMContentLoaded ${pick('domContentLoaded').toFixed(0)} ms · first API call ${pick('firstApi').toFixed(0)} ms · last start-up answer ${pick('lastApi').toFixed(0)} ms`,
  );
  console.log(
    `  before ready: ${pick('apiCalls')} API calls, ${pick('scripts')} scripts, ${pick('scriptKb').toFixed(0)} KB of JavaScript (compressed as sent)`,
  );
} finally {
  await browser.close();
  child.kill('SIGTERM');
  await new Promise((resolveExit) => child.once('exit', resolveExit));
  rmSync(dataDir, { recursive: true, force: true });
}
