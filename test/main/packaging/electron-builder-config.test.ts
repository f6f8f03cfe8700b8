import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
// The schema electron-builder itself validates configurations with.
const schema = JSON.parse(
  readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8'),
) as object;

function validate(config: unknown): string[] {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const check = ajv.compile(schema);
  return check(config)
    ? []
    : (check.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ''}`);
}

describe('electron-builder configuration', () => {
  const config = parse(readFileSync('electron-builder.yml', 'utf8')) as Record<
    string,
    Record<string, unknown>
  >;

  it('is valid against the schema electron-builder ships', () => {
    expect(validate(config)).toEqual([]);
  });

  it('targets AppImage and deb, dmg, and nsis with the app icon', () => {
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.mac?.target).toEqual(['dmg']);
    expect(config.win?.target).toEqual(['nsis']);
    expect(config.icon).toBe('resources/icon.png');
    expect(readFileSync('resources/icon.png').subarray(1, 4).toString()).toBe('PNG');
  });

  it('would catch a mistake (the validator is not a rubber stamp)', () => {
    expect(
      validate({ ...config, linux: { target: 'AppImage', bogusOption: true } }).join(' '),
    ).toMatch(/additional/);
  });
});
