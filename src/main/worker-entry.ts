/**
 * Which file a node:worker_threads Worker of ours runs (the SHA-256 and ratings workers share
 * this scheme):
 * - a built `<name>.js` beside the module that starts it, or one folder up when the build put
 *   that module in a shared chunk (out/main/chunks/, used by several entries: the app and the
 *   CLI); the build emits each worker entry as its own file (electron.vite.config.ts), else
 * - `<name>.ts` beside that module, loaded through tsx: development, the CLI under tsx, and
 *   tests. On Node 20 `execArgv: ['--import', 'tsx']` does NOT apply tsx to a worker's entry
 *   file ("Unknown file extension .ts"), so the worker starts from an eval'd bootstrap that
 *   registers tsx's ESM hooks (`tsx/esm/api`, resolved to an absolute path so the working
 *   directory does not matter) and then imports the .ts entry.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface WorkerEntry {
  source: URL | string;
  eval: boolean;
}

/**
 * The entry `name` (without extension) of a worker started by the module at `moduleUrl` (that
 * module's `import.meta.url`: the files are found beside it, not beside this one).
 */
export function workerEntry(moduleUrl: string, name: string): WorkerEntry {
  for (const candidate of [`./${name}.js`, `../${name}.js`]) {
    const built = new URL(candidate, moduleUrl);
    if (built.protocol === 'file:' && existsSync(fileURLToPath(built))) {
      return { source: built, eval: false };
    }
  }
  // tsx's ESM API (its `import` build: the CommonJS build's register() cannot find its hooks).
  const tsxLoader = createRequire(moduleUrl).resolve('tsx'); // …/tsx/dist/loader.mjs
  const tsxApi = pathToFileURL(join(dirname(tsxLoader), 'esm', 'api', 'index.mjs')).href;
  const entry = new URL(`./${name}.ts`, moduleUrl).href;
  return {
    source: `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`,
    eval: true,
  };
}
