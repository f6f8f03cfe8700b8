/**
 * `aideon serve` in a child process for unit-test time: the CLI's own serveCommand (the same
 * console wiring, start-up waits, background work and SIGTERM handling), with a stand-in page
 * for the renderer, which is not built yet. Prints `AIDEON_URL=…`; exits when stopped.
 * Usage: node --import tsx test/helpers/serve-command-process.ts <dataDir>
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resourcesDir } from '../../src/main/paths';
import { serveCommand } from '../../src/main/serve/serve-command';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: serve-command-process.ts <dataDir>');
const rendererDir = mkdtempSync(join(tmpdir(), 'aideon-renderer-'));
writeFileSync(join(rendererDir, 'index.html'), '<!DOCTYPE html><title>test</title>');
await serveCommand({
  options: { dataDir, resourcesDir: resourcesDir(), env: process.env, version: 'test' },
  rendererDir,
  port: 0,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  log: (line) => process.stderr.write(`${line}\n`),
  untilStopped: () =>
    new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    }),
});
