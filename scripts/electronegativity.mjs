// Runs @doyensec/electronegativity on the built Electron code (out/main, out/preload) and the
// renderer's HTML, and fails on any HIGH-severity finding. It runs through the package's
// programmatic API: its CLI entry breaks with the commander version hoisted by npm.
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const require = createRequire(import.meta.url);
const run = require('@doyensec/electronegativity');

if (!existsSync('out/main') || !existsSync('out/preload')) {
  console.error(
    'electronegativity: build first (npm run build); out/main and out/preload are missing.',
  );
  process.exit(1);
}

// Scan a copy holding only the Electron-facing code and a package.json naming the version.
const input = join(tmpdir(), `aideon-electronegativity-${process.pid}`);
rmSync(input, { recursive: true, force: true });
mkdirSync(input, { recursive: true });
for (const part of ['main', 'preload'])
  cpSync(join('out', part), join(input, part), { recursive: true });
if (existsSync('out/renderer/index.html'))
  cpSync('out/renderer/index.html', join(input, 'index.html'));
cpSync('package.json', join(input, 'package.json'));

const result = await run(
  { input, electronVersionOverride: '45.4.1', isRelative: true, severitySet: 'informational' },
  false,
);
rmSync(input, { recursive: true, force: true });

const issues = result.issues ?? [];
const high = issues.filter((issue) => issue.severity?.name === 'HIGH');
for (const issue of issues) {
  console.log(
    `${issue.severity?.name ?? '?'}\t${issue.id}\t${issue.file}:${issue.location?.line ?? '?'}`,
  );
}
console.log(
  `electronegativity: ${result.atomicChecks} checks, ${issues.length} findings, ${high.length} high.`,
);
if ((result.errors ?? []).length > 0)
  console.log(`electronegativity: ${result.errors.length} files could not be parsed.`);
process.exit(high.length > 0 ? 1 : 0);
