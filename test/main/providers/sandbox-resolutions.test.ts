/**
 * The sandbox returns what it offers: every offered resolution, duration and aspect ratio comes
 * back as asked (other durations and aspects rendered with ffmpeg), and passes compliance.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCompliance, probeVideo } from '../../../src/main/media/video-analysis';
import { SandboxAdapter } from '../../../src/main/providers/sandbox/sandbox-adapter';

const renderDir = mkdtempSync(join(tmpdir(), 'aideon-sbx-renders-'));
const adapter = new SandboxAdapter({
  clipsDir: resolve('resources/sandbox-clips'),
  renderDir,
  now: Date.now,
  timeScale: 0,
});

async function generate(
  resolution: string | undefined,
  prompt: string,
  settings: { durationSeconds?: number; aspectRatio?: string; audio?: boolean } = {},
): Promise<string> {
  const request = {
    modelId: 'sandbox-pro',
    prompt,
    durationSeconds: 4,
    aspectRatio: '16:9',
    ...(resolution ? { resolution } : {}),
    ...settings,
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

  const variants = [
    { resolution: '720p', durationSeconds: 8, aspectRatio: '9:16', audio: true, size: [720, 1280] },
    { resolution: '540p', durationSeconds: 5, aspectRatio: '1:1', audio: true, size: [540, 540] },
    {
      resolution: '720p',
      durationSeconds: 5,
      aspectRatio: '16:9',
      audio: false,
      size: [1280, 720],
    },
  ] as const;
  for (const { size, ...asked } of variants) {
    it(`returns ${asked.durationSeconds} s ${asked.aspectRatio} ${asked.resolution}${asked.audio ? '' : ' silent'} as asked, passing compliance`, async () => {
      const { resolution, ...settings } = asked;
      const file = await generate(resolution, 'a fox in the snow', settings);
      const probe = await probeVideo(file);
      expect([probe.width, probe.height]).toEqual(size);
      expect(probe.hasAudio).toBe(asked.audio);
      expect(checkCompliance(asked, probe)).toEqual([]);
      // A second job for the same variant reuses the rendered file.
      const again = await probeVideo(await generate(resolution, 'a barista pours milk', settings));
      expect(again.durationSeconds).toBeCloseTo(probe.durationSeconds, 1);
    });
  }

  it('refuses a clip URL with a variant it does not offer', async () => {
    await expect(
      adapter.download({
        url: 'sandbox://clips/hd/clip-a-720p.mp4?duration=30&aspect=9x16&audio=1',
        contentType: 'video/mp4',
      }),
    ).rejects.toThrow('cannot serve');
  });
});
