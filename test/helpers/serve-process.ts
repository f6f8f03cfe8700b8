/**
 * Browser mode in a child process, wired as `aideon serve` wires it (services in browser mode,
 * the app dispatcher with output checks, the HTTP server), for unit-test time, when the renderer
 * is not built yet: the static files come from an empty folder. Prints `AIDEON_URL=…`; stops on
 * SIGTERM. Usage: node --import tsx test/helpers/serve-process.ts <dataDir>
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppDispatcher } from '../../src/main/ipc/index';
import { resourcesDir } from '../../src/main/paths';
import { startBrowserServer } from '../../src/main/serve/browser-server';
import { createServices } from '../../src/main/services';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: serve-process.ts <dataDir>');
const rendererDir = mkdtempSync(join(tmpdir(), 'aideon-renderer-'));
writeFileSync(join(rendererDir, 'index.html'), '<!DOCTYPE html><title>test</title>');
const services = createServices({
  dataDir,
  resourcesDir: resourcesDir(),
  env: process.env,
  mode: 'browser',
  version: 'test',
  log: (line) => process.stderr.write(`${line}\n`),
});
services.bench.resumeAll();
const server = await startBrowserServer({
  dispatcher: createAppDispatcher(services, { checkOutputs: true }),
  bus: services.bus,
  media: services.media,
  rendererDir,
  port: 0,
  log: (line) => process.stderr.write(`${line}\n`),
});
process.stdout.write(`AIDEON_URL=${server.url}\n`);
await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
await server.close();
await services.close();
