/**
 * Issue 13 item 1, at process level: browser mode in a child process (test/helpers/serve-process.ts
 * wires it as `aideon serve` does; the renderer is not built at unit-test time) runs a
 * benchmark against the Together emulator whose output URL answers HTTP 200 with an HTML page.
 * Before the fix the server died about 3 s into the run (`Controller is already closed`). The run
 * must end with `bad_output` for those generations, the others must succeed, and the server must
 * go on answering afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TogetherEmulator } from '../../emulators/together-emulator';

const KEY = 'tgp_v1_html-download-0123456789';
const together = new TogetherEmulator({ apiKey: KEY });
let child: ChildProcess;
let origin = '';
let token = '';
let stderr = '';
let exit: number | null | undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'aideon-html-download-'));

async function call<T>(channel: string, input: unknown): Promise<T> {
  const response = await fetch(`${origin}/api/${channel}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  const result = (await response.json()) as {
    ok: boolean;
    value?: T;
    error?: { message: string };
  };
  if (!result.ok) throw new Error(`${channel}: ${result.error?.message}`);
  return result.value as T;
}

beforeAll(async () => {
  const baseUrl = await together.start();
  child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/serve-process.ts', dataDir], {
    env: {
      ...process.env,
      TOGETHER_API_KEY: KEY,
      AIDEON_TOGETHER_BASE_URL: baseUrl,
      AIDEON_FFMPEG: '/nonexistent/ffmpeg',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.on('exit', (code) => (exit = code));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /^AIDEON_URL=(\S+)$/m.exec(stdout);
      if (match?.[1]) resolve(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`the server exited with ${code}: ${stderr}`)));
  });
  origin = new URL(url).origin;
  token = new URL(url).hash.replace(/^#token=/, '');
}, 60_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  await together.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Generation {
  promptId: string;
  outcome: string | null;
  errorCode: string | null;
  errorMessage: string | null;
}

describe('aideon serve when a video download answers an HTML page', () => {
  it('ends the run with bad_output for those videos and keeps serving', async () => {
    const suite = await call<{ id: string }>('suites:save', {
      definition: {
        name: 'HTML downloads',
        settings: {},
        prompts: [
          { id: 'html-1', text: 'a lighthouse at dusk #html-download' },
          { id: 'ok-1', text: 'a paper boat on a pond' },
          { id: 'html-2', text: 'a fox in the snow #html-download' },
        ],
      },
    });
    const { runId } = await call<{ runId: string }>('bench:start-run', {
      suiteId: suite.id,
      models: [{ provider: 'together', modelId: 'minimax/video-01-director' }],
      budgetUsd: 5,
    });
    type Detail = { run: { state: string }; generations: Generation[] };
    let detail: Detail | undefined;
    for (let attempt = 0; attempt < 300; attempt += 1) {
      const current = await call<Detail>('bench:get-run', { runId });
      detail = current;
      if (current.run.state !== 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(exit, `the server died: ${stderr}`).toBeUndefined();
    expect(detail?.run.state).toBe('finished');
    const byPrompt = new Map(detail?.generations.map((g) => [g.promptId, g]));
    for (const id of ['html-1', 'html-2']) {
      expect(byPrompt.get(id)?.outcome).toBe('bad_output');
      expect(byPrompt.get(id)?.errorMessage).toMatch(/text\/html/);
    }
    expect(byPrompt.get('ok-1')?.outcome).toBe('success');
    // Still serving after the run: a call and the media route answer.
    const runs = await call<Array<{ id: string }>>('bench:list-runs', {});
    expect(runs.map((run) => run.id)).toContain(runId);
    expect(together.stats.creates).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(exit, `the server died: ${stderr}`).toBeUndefined();
    expect(stderr).not.toMatch(/ERR_INVALID_STATE|Controller is already closed/);
  }, 60_000);
});
