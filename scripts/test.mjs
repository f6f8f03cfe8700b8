// `npm test`: system packages, then typecheck, lint, unit tests, build, Electron security scan
// and the Playwright end-to-end tests, stopping at the first failure.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureSystemPackages } from './system-packages.mjs';

ensureSystemPackages();

// The clock, zone and locale the tests run under, for reading a failed run: the tests must pass
// in any of them (none is pinned here: a pinned zone would hide the bugs that only show in
// another; test/shared/format-time-zones.test.ts covers the zones on purpose).
const intl = Intl.DateTimeFormat().resolvedOptions();
console.log(
  `Running at ${new Date().toISOString()} (time zone ${intl.timeZone}, locale ${intl.locale}; TZ=${process.env.TZ ?? 'unset'}, LANG=${process.env.LANG ?? 'unset'}, LC_ALL=${process.env.LC_ALL ?? 'unset'})`,
);

const steps = [
  ['typecheck', 'npm', ['run', '-s', 'typecheck']],
  ['lint', 'npm', ['run', '-s', 'lint']],
  ['unit tests', 'npx', ['vitest', 'run']],
  ['build', 'npx', ['electron-vite', 'build']],
  ['electron security scan', 'node', ['scripts/electronegativity.mjs']],
  ['end-to-end tests', 'npx', ['playwright', 'test']],
];

for (const [name, command, args] of steps) {
  const started = Date.now();
  console.log(`\n── ${name} ──`);
  const result = spawnSync(command, args, { stdio: 'inherit' });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    if (name === 'end-to-end tests') printErrorContexts();
    console.error(`\n✗ ${name} failed after ${seconds} s.`);
    process.exit(result.status ?? 1);
  }
  console.log(`✓ ${name} (${seconds} s)`);
}

/**
 * What each failed end-to-end test's page looked like when it failed (Playwright's
 * error-context.md: the page's accessibility snapshot), printed last so that a CI log, which
 * keeps only the end of the output, shows it next to the failure.
 */
function printErrorContexts() {
  const root = 'test-results/playwright';
  if (!existsSync(root)) return;
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const file = join(root, entry.name, 'error-context.md');
    if (!entry.isDirectory() || !existsSync(file)) continue;
    const lines = readFileSync(file, 'utf8').split('\n');
    const shown = lines.slice(0, 80);
    console.error(
      `\n── ${file} (${lines.length} lines${lines.length > shown.length ? ', the first 80' : ''}) ──`,
    );
    console.error(shown.join('\n'));
  }
}
