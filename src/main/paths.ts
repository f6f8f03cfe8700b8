/**
 * Where things live. The data directory is `--data-dir`, else `AIDEON_DATA_DIR`, else the same
 * per-user app-data folder Electron's `app.getPath('userData')` gives for this app, so the CLI,
 * browser mode and the desktop app share one database.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const APP_NAME = 'Aideon Video Console';

export function defaultDataDir(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
): string {
  if (platform === 'win32')
    return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_NAME);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), APP_NAME);
}

export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  if (flag) return resolve(flag);
  if (env.AIDEON_DATA_DIR) return resolve(env.AIDEON_DATA_DIR);
  return defaultDataDir(env);
}

/** The project root (works from src/ under tsx and from out/ after a build). */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i += 1) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'resources'))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}

export function resourcesDir(): string {
  return join(projectRoot(), 'resources');
}
