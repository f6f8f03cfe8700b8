import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { APP_NAME, defaultDataDir, resolveDataDir } from '../../src/main/paths';

describe('data folder', () => {
  it('is the folder Electron uses for this app (productName), so CLI, browser and desktop share it', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { productName: string };
    expect(pkg.productName).toBe(APP_NAME);
    expect(defaultDataDir({ XDG_CONFIG_HOME: '/home/a/.config' }, 'linux')).toBe(
      '/home/a/.config/Aideon Video Console',
    );
    expect(
      defaultDataDir({ APPDATA: 'C:\\\\Users\\\\a\\\\AppData\\\\Roaming' }, 'win32'),
    ).toContain('Aideon Video Console');
  });

  it('prefers --data-dir, then AIDEON_DATA_DIR', () => {
    expect(resolveDataDir('/x', { AIDEON_DATA_DIR: '/y' })).toBe('/x');
    expect(resolveDataDir(undefined, { AIDEON_DATA_DIR: '/y' })).toBe('/y');
  });
});
