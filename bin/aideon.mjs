#!/usr/bin/env node
// The `aideon` command. Runs the prebuilt JavaScript in out/main/cli.js (built at install by
// scripts/postinstall.mjs, or by `npm run build`) when it exists and is not older than the
// sources; otherwise (a development checkout with edited sources) runs the TypeScript sources
// through tsx, with a one-line note.
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'out', 'main', 'cli.js');

/** Newest modification time under `dir` (ms), stopping early once `limit` is passed. */
function newestUnder(dir, limit) {
  let newest = 0;
  const pending = [dir];
  while (pending.length > 0) {
    const current = pending.pop();
    let entries;
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'renderer') pending.push(path); // the CLI does not include the UI
        continue;
      }
      const time = statSync(path).mtimeMs;
      if (time > newest) newest = time;
      if (newest > limit) return newest;
    }
  }
  return newest;
}

let builtTime = -1;
try {
  builtTime = statSync(built).mtimeMs;
} catch {
  // not built
}
const fresh = builtTime >= 0 && newestUnder(join(root, 'src'), builtTime) <= builtTime;

if (fresh) {
  await import(pathToFileURL(built).href);
} else {
  process.stderr.write(
    `aideon: running from the TypeScript sources (${builtTime < 0 ? 'out/main/cli.js is missing' : 'out/ is older than src/'}); \`npm run build\` makes start-up faster.\n`,
  );
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main/cli/index.ts');
}
