import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function flagged(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === 'no-restricted-syntax')
    .map((message) => message.message);
}

describe('renderer rules for running on Preact: focus on mount, controlled tooltips', () => {
  const file = 'src/renderer/src/screens/focus-probe.tsx';

  it('refuses autoFocus and names the replacement', async () => {
    const messages = await flagged(file, 'export const F = () => <input autoFocus />;\n');
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain('ref={focusOnMount}');
  });

  it('accepts the focusOnMount ref, and keeps the locale rules for renderer files', async () => {
    expect(
      await flagged(
        file,
        "import { focusOnMount } from '../lib/focus-on-mount';\nexport const F = () => <input ref={focusOnMount} />;\n",
      ),
    ).toEqual([]);
    expect(await flagged(file, 'export const t = (1234.5).toLocaleString();\n')).toHaveLength(1);
  });

  it('refuses an uncontrolled Radix Tooltip.Root (it closes itself on Preact) and names TooltipRoot', async () => {
    const messages = await flagged(
      file,
      "import * as Tooltip from '@radix-ui/react-tooltip';\nexport const T = () => <Tooltip.Root><Tooltip.Trigger /></Tooltip.Root>;\n",
    );
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain('TooltipRoot');
  });
});
