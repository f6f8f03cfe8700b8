/**
 * The sandbox returns what it offers: every offered resolution comes back at that resolution,
 * and a clip for a suite's usual settings passes the compliance check.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCompliance, probeVideo } from '../../../src/main/media/video-analysis';
import { SandboxAdapter } from '../../../src/main/providers/sandbox/sandbox-adapter';

const adapter = new SandboxAdapter({
  clipsDir: resolve('resources/sandbox-clips'),
  now: Date.now,
  timeScale: 0,
});

async function generate(resolution: string | undefined, prompt: string): Promise<string> {
  const request = {
    modelId: 'sandbox-pro',
    prompt,
    durationSeconds: 4,
    aspectRatio: '16:9',
    ...(resolution ? { resolution } : {}),
  };
  expect(adapter.checkRequest(request)).toEqual([]);
  const { jobId } = await adapter.start(request);
  const status = await adapter.status(jobId);
  if (status.state !== 'succeeded') throw new Error(`sandbox job ${status.state}`);
  const download = await adapter.download(status.outputs[0]!);
  const bytes = new Uint8Array(await new Response(download.body).arrayBuffer());
  const file = join(mkdtempSync(join(tmpdir(), 'aideon-sbx-')), 'clip.mp4');
  writeFileSync(file, bytes);
  return file;
}

describe('sandbox resolutions', () => {
  const info = adapter.model('sandbox-pro');

  it('offers the resolutions it has clips for', () => {
    expect(info.capabilities.resolutions).toEqual(['540p', '720p']);
  });

  for (const resolution of ['540p', '720p']) {
    it(`returns ${resolution} when asked for ${resolution}, and passes compliance`, async () => {
      for (const prompt of ['a fox in the snow', 'a barista pours milk', 'a drone over rice']) {
        const file = await generate(resolution, prompt);
        const probe = await probeVideo(file);
        expect(Math.min(probe.width, probe.height)).toBe(Number(resolution.replace('p', '')));
        expect(
          checkCompliance(
            { durationSeconds: 4, aspectRatio: '16:9', resolution, audio: true },
            probe,
          ),
        ).toEqual([]);
      }
    });
  }

  it('returns its small native clip when no resolution is asked for', async () => {
    const probe = await probeVideo(await generate(undefined, 'a fox in the snow'));
    expect(probe.height).toBe(270);
  });
});
