// After `npm install`: build the renderer, main and preload, so `npx aideon serve` works at
// once. Native modules stay built for Node (the CLI, browser mode and the tests use them);
// `npm run dist` rebuilds them for Electron when packaging.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (!existsSync('electron.vite.config.ts')) process.exit(0); // installed as a dependency elsewhere
const result = spawnSync('npx', ['electron-vite', 'build'], {
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (result.status !== 0) {
  console.error('postinstall: building the console failed; run `npm run build` to see why.');
  process.exit(result.status ?? 1);
}
console.log('postinstall: console built (out/). Try `npx aideon --help`.');
