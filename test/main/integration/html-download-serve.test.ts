/**
 * Issue 13 item 1, at process level: `aideon serve` in a child process (test/helpers/
 * serve-command-child.ts; the renderer is not built at unit-test time) runs a
 * benchmark against the Together emulator whose output URL answers HTTP 200 with an HTML page.
 * Before the fix the server died about 3 s into the run (`Controller is already closed`). The run
 * must end with `bad_output` for those generations, the others must succeed, and the server must
 * go on answering afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TogetherEmulator } from '../../emulators/together-emulator';
import { serveCommandChild, type ServedChild } from '../../helpers/serve-command-child';
import { tempDir } from '../../helpers/temp-dir';

const KEY = 'tgp_v1_html-download-0123456789';
const together = new TogetherEmulator({ apiKey: KEY });
const cleanups: (() => void | Promise<void>)[] = [];
let served: ServedChild;

beforeAll(async () => {
  const baseUrl = await together.start();
  const { dir: dataDir, cleanup } = tempDir('aideon-html-download-');
  cleanups.push(cleanup);
  served = await serveCommandChild(dataDir, cleanups, {
    TOGETHER_API_KEY: KEY,
    AIDEON_TOGETHER_BASE_URL: baseUrl,
    AIDEON_FFMPEG: '/nonexistent/ffmpeg',
  });
}, 60_000);

afterAll(async () => {
  if (served?.alive()) await served.stop();
  await together.stop();
  for (const cleanup of cleanups.reverse()) await cleanup();
});

interface Generation {
  promptId: string;
  outcome: string | null;
  errorCode: string | null;
  errorMessage: string | null;
}

describe('aideon serve when a video download answers an HTML page', () => {
  it('ends the run with bad_output for those videos and keeps serving', async () => {
    const suite = await served.call<{ id: string }>('suites:save', {
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
    const { runId } = await served.call<{ runId: string }>('bench:start-run', {
      suiteId: suite.id,
      models: [{ provider: 'together', modelId: 'minimax/video-01-director' }],
      budgetUsd: 5,
    });
    type Detail = { run: { state: string }; generations: Generation[] };
    let detail: Detail | undefined;
    for (let attempt = 0; attempt < 300; attempt += 1) {
      const current = await served.call<Detail>('bench:get-run', { runId });
      detail = current;
      if (current.run.state !== 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(served.alive(), `the server died: ${served.output()}`).toBe(true);
    expect(detail?.run.state).toBe('finished');
    const byPrompt = new Map(detail?.generations.map((g) => [g.promptId, g]));
    for (const id of ['html-1', 'html-2']) {
      expect(byPrompt.get(id)?.outcome).toBe('bad_output');
      expect(byPrompt.get(id)?.errorMessage).toMatch(/text\/html/);
    }
    expect(byPrompt.get('ok-1')?.outcome).toBe('success');
    // Still serving after the run: a call and the media route answer.
    const runs = await served.call<Array<{ id: string }>>('bench:list-runs', {});
    expect(runs.map((run) => run.id)).toContain(runId);
    expect(together.stats.creates).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(served.alive(), `the server died: ${served.output()}`).toBe(true);
    expect(served.output()).not.toMatch(/ERR_INVALID_STATE|Controller is already closed/);
  }, 60_000);
});
