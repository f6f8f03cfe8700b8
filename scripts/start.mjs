// `npm start`: the desktop console. Where Electron cannot run (no binary, no display), say so in
// one line and point to browser mode.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// Read electron's path.txt directly: require('electron') would try to download the binary.
const electronDir = join('node_modules', 'electron');
const pathFile = join(electronDir, 'path.txt');
const electronPath = existsSync(pathFile)
  ? join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim())
  : undefined;
const hasBinary = electronPath !== undefined && existsSync(electronPath);
const hasDisplay =
  process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
if (!hasBinary || !hasDisplay) {
  const reason = !hasBinary ? 'the Electron binary is not installed' : 'there is no display';
  console.error(
    `Electron cannot run here (${reason}); open the console in a browser instead: npx aideon serve`,
  );
  process.exit(1);
}
const build = spawnSync('npx', ['electron-vite', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const child = spawn(electronPath, ['.'], { stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 0));
