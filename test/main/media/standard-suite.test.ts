import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { suiteDefinitionSchema, type PromptCategory } from '../../../src/shared/domain';
import { tempDir } from '../../helpers/temp-dir';

const file = resolve(__dirname, '../../../resources/suites/standard.json');
const raw = JSON.parse(readFileSync(file, 'utf8')) as { id?: unknown };
const suite = suiteDefinitionSchema.parse(raw);
const categories: PromptCategory[] = [
  'people',
  'animals',
  'physics',
  'camera',
  'text',
  'multi-object',
  'stylised',
  'image-to-video',
];
const { dir, cleanup } = tempDir('aideon-suite-');
afterAll(cleanup);

describe('standard suite', () => {
  it('is a valid suite with id "standard" and at least 40 distinct prompts', () => {
    expect(raw.id).toBe('standard');
    expect(suite.prompts.length).toBeGreaterThanOrEqual(40);
    expect(suite.name).toContain(String(suite.prompts.length));
    expect(new Set(suite.prompts.map((p) => p.id)).size).toBe(suite.prompts.length);
    expect(new Set(suite.prompts.map((p) => p.text)).size).toBe(suite.prompts.length);
    for (const prompt of suite.prompts) expect(prompt.text.length, prompt.id).toBeGreaterThan(60);
    expect(suite.settings).toMatchObject({ durationSeconds: 4, aspectRatio: '16:9' });
    expect(statSync(file).size).toBeLessThan(20_000);
  });

  it('has at least 5 prompts in each of the eight categories and no "general" ones', () => {
    for (const category of categories) {
      expect(
        suite.prompts.filter((p) => p.category === category).length,
        category,
      ).toBeGreaterThanOrEqual(5);
    }
    expect(suite.prompts.every((p) => categories.includes(p.category))).toBe(true);
  });

  it('gives every image-to-video prompt a small PNG that ffprobe reads, and no other prompt an image', () => {
    for (const prompt of suite.prompts) {
      if (prompt.category !== 'image-to-video') {
        expect(prompt.imageUrl, prompt.id).toBeUndefined();
        continue;
      }
      const match = /^data:image\/png;base64,([A-Za-z0-9+/=]+)$/.exec(prompt.imageUrl ?? '');
      expect(match, prompt.id).not.toBeNull();
      const bytes = Buffer.from(match![1]!, 'base64');
      expect(bytes.length, prompt.id).toBeLessThan(2048);
      expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      const png = join(dir, `${prompt.id}.png`);
      writeFileSync(png, bytes);
      const info = JSON.parse(
        execFileSync('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_streams', png], {
          encoding: 'utf8',
        }),
      ) as { streams: { codec_name: string; width: number; height: number }[] };
      expect(info.streams[0]).toMatchObject({ codec_name: 'png', width: 128, height: 72 });
    }
  });
});
