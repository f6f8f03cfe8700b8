#!/usr/bin/env node
// The `aideon` command. Runs the prebuilt JavaScript in out/main/cli.js (built at install by
// scripts/postinstall.mjs, or by `npm run build`) when it exists and none of the sources it was
// built from changed since; otherwise (a development checkout with edited sources) runs the
// TypeScript sources through tsx, with a one-line note.
//
// The build lists those sources in out/main/cli-sources.json, so this check is one stat per
// source file (a few milliseconds), not a walk of src/. A checkout without src/ (a packaged
// copy) is not checked at all.
import { readdirSync, readFileSync, statSync } from 'node:fs';
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

/** True when a source the build used changed (or was removed) after `builtTime`. */
function sourcesChanged(builtTime) {
  if (statSync(join(root, 'src'), { throwIfNoEntry: false }) === undefined) return false;
  let sources;
  try {
    sources = JSON.parse(
      readFileSync(join(root, 'out', 'main', 'cli-sources.json'), 'utf8'),
    ).sources;
  } catch {
    // A build from before the list existed: look at every source file.
    return newestUnder(join(root, 'src'), builtTime) > builtTime;
  }
  for (const source of sources) {
    const stat = statSync(join(root, source), { throwIfNoEntry: false });
    if (stat === undefined || stat.mtimeMs > builtTime) return true;
  }
  return false;
}

const builtTime = statSync(built, { throwIfNoEntry: false })?.mtimeMs ?? -1;
const fresh = builtTime >= 0 && !sourcesChanged(builtTime);

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
