// `npm test`: system packages, then typecheck, lint, unit tests, build, Electron security scan
// and the Playwright end-to-end tests, stopping at the first failure.
import { spawnSync } from 'node:child_process';
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
    console.error(`\n✗ ${name} failed after ${seconds} s.`);
    process.exit(result.status ?? 1);
  }
  console.log(`✓ ${name} (${seconds} s)`);
}
