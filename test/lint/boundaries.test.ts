import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function restricted(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === 'no-restricted-imports')
    .map((message) => message.message);
}

describe('import boundaries', () => {
  it('keeps the renderer away from main, Node, electron and SQLite', async () => {
    const file = 'src/renderer/src/boundary-probe.ts';
    expect(
      await restricted(file, "import { x } from '../../main/services';\nexport { x };\n"),
    ).toHaveLength(1);
    expect(await restricted(file, "import fs from 'node:fs';\nexport { fs };\n")).toHaveLength(1);
    expect(await restricted(file, "import fs from 'fs';\nexport { fs };\n")).toHaveLength(1);
    expect(
      await restricted(file, "import { ipcRenderer } from 'electron';\nexport { ipcRenderer };\n"),
    ).toHaveLength(1);
    expect(
      await restricted(file, "import Database from 'better-sqlite3';\nexport { Database };\n"),
    ).toHaveLength(1);
    expect(await restricted(file, "import { z } from 'zod';\nexport { z };\n")).toHaveLength(0);
  });

  it('keeps shared pure', async () => {
    const file = 'src/shared/boundary-probe.ts';
    expect(
      await restricted(file, "import path from 'node:path';\nexport { path };\n"),
    ).toHaveLength(1);
    expect(await restricted(file, "import React from 'react';\nexport { React };\n")).toHaveLength(
      1,
    );
    expect(
      await restricted(file, "import { app } from 'electron';\nexport { app };\n"),
    ).toHaveLength(1);
  });

  it("lets only src/main/electron import 'electron'", async () => {
    expect(
      await restricted(
        'src/main/bench/boundary-probe.ts',
        "import { app } from 'electron';\nexport { app };\n",
      ),
    ).toHaveLength(1);
    expect(
      await restricted(
        'src/main/electron/boundary-probe.ts',
        "import { app } from 'electron';\nexport { app };\n",
      ),
    ).toHaveLength(0);
  });
});
