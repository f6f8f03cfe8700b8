import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

/** The messages of the locale / local-time rule for `source` placed at `filePath`. */
async function flagged(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === 'no-restricted-syntax')
    .map((message) => message.message);
}

describe('output never depends on the machine’s locale or time zone', () => {
  const file = 'src/main/bench/locale-probe.ts';

  it('refuses collation and formatting with the machine’s default locale', async () => {
    expect(
      await flagged(file, "export const o = ['b', 'a'].sort((x, y) => x.localeCompare(y));\n"),
    ).toHaveLength(1);
    expect(await flagged(file, 'export const t = (1234.5).toLocaleString();\n')).toHaveLength(1);
    expect(
      await flagged(file, 'export const t = (1234.5).toLocaleString(undefined, {});\n'),
    ).toHaveLength(1);
    expect(await flagged(file, 'export const f = new Intl.NumberFormat();\n')).toHaveLength(1);
    expect(
      await flagged(
        file,
        "export const f = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });\n",
      ),
    ).toHaveLength(1);
    // A named locale is fine.
    expect(
      await flagged(
        file,
        "export const o = ['b', 'a'].sort((x, y) => x.localeCompare(y, 'en'));\nexport const t = (1.5).toLocaleString('en-US');\nexport const f = new Intl.NumberFormat('en-US');\n",
      ),
    ).toEqual([]);
  });

  it('reads local time only in src/shared/format.ts; UTC elsewhere', async () => {
    const local = 'export const day = (ms: number) => new Date(ms).getDate();\n';
    expect(await flagged(file, local)).toHaveLength(1);
    expect(await flagged('src/renderer/src/probe.ts', local)).toHaveLength(1);
    expect(
      await flagged(file, 'export const day = (ms: number) => new Date(ms).toDateString();\n'),
    ).toHaveLength(1);
    expect(
      await flagged(file, 'export const day = (ms: number) => new Date(ms).getUTCDate();\n'),
    ).toEqual([]);
    expect(await flagged('src/shared/format.ts', local)).toEqual([]);
  });
});
