import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  MEASURE_EXPLANATIONS,
  MeasureAccumulator,
  analyseVideo,
  checkCompliance,
  checkDecodable,
  ffmpegAvailability,
  measureVideo,
  mediaToolPaths,
  parseProbeJson,
  probeVideo,
  resetFfmpegAvailabilityCache,
  type VideoProbe,
} from '../../../src/main/media/video-analysis';
import { runTool } from '../../../src/main/media/run-tool';
import { AppError, ProviderError } from '../../../src/shared/errors';
import { tempDir } from '../../helpers/temp-dir';

const clips = resolve(__dirname, '../../../resources/sandbox-clips');
const clipA = join(clips, 'clip-a.mp4');
const clipC = join(clips, 'clip-c.mp4');

let dir: string;
let cleanup: () => void;
const fixture = (name: string): string => join(dir, name);

function ffmpeg(...args: string[]): void {
  execFileSync('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args], {
    stdio: 'pipe',
  });
}

/** Deterministic garbage, so the corrupt fixture is the same on every run. */
function garbage(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    out[i] = state >> 16;
  }
  return out;
}

async function expectProviderError(
  promise: Promise<unknown>,
  code: string,
  pattern?: RegExp,
): Promise<ProviderError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ProviderError);
  const error = caught as ProviderError;
  expect(error.code).toBe(code);
  expect(error.provider).toBe('media');
  if (pattern) expect(error.message).toMatch(pattern);
  return error;
}

beforeAll(() => {
  ({ dir, cleanup } = tempDir('aideon-media-'));
  const x264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];
  // Black: 2 s of black, 320x180.
  ffmpeg('-f', 'lavfi', '-i', 'color=black:s=320x180:r=24:d=2', ...x264, fixture('black.mp4'));
  // Frozen: one frame of clip-a looped for 2 s.
  ffmpeg('-i', clipA, '-frames:v', '1', fixture('still.png'));
  ffmpeg(
    '-loop',
    '1',
    '-i',
    fixture('still.png'),
    '-t',
    '2',
    '-r',
    '24',
    ...x264,
    fixture('frozen.mp4'),
  );
  // Hard cut: 1.5 s of clip-a then 1.5 s of clip-c.
  ffmpeg(
    '-i',
    clipA,
    '-i',
    clipC,
    '-filter_complex',
    '[0:v]trim=0:1.5,setpts=PTS-STARTPTS[a];[1:v]trim=0:1.5,setpts=PTS-STARTPTS[b];[a][b]concat=n=2:v=1:a=0',
    ...x264,
    fixture('cut.mp4'),
  );
  // Blurred clip-a.
  ffmpeg('-i', clipA, '-vf', 'gblur=sigma=4', '-an', ...x264, fixture('blurred.mp4'));
  // Corrupt: clip-a with garbage written over parts of the media data.
  const bytes = readFileSync(clipA);
  for (let offset = 20_000, n = 1; offset < bytes.length - 20_000; offset += 9_000, n++) {
    garbage(400, n).copy(bytes, offset);
  }
  writeFileSync(fixture('corrupt.mp4'), bytes);
  // Truncated: the first 30 kB (moov is at the front, so it still probes).
  writeFileSync(fixture('truncated.mp4'), readFileSync(clipA).subarray(0, 30_000));
  // Not a video.
  writeFileSync(fixture('notes.mp4'), 'These are my meeting notes, not a video.\n');
  copyFileSync(clipA, fixture('clip a with spaces.mp4'));
  // Rotated: 640x360 coded, with a 90° display matrix (shown as 360x640 portrait).
  ffmpeg('-f', 'lavfi', '-i', 'testsrc2=s=640x360:r=24:d=1', ...x264, fixture('landscape.mp4'));
  ffmpeg(
    '-i',
    fixture('landscape.mp4'),
    '-c',
    'copy',
    '-metadata:s:v:0',
    'rotate=90',
    fixture('rotated.mp4'),
  );
  // Variable frame rate: 1 s at 30 fps then 1 s at 10 fps, timestamps kept as they are.
  ffmpeg(
    '-f',
    'lavfi',
    '-i',
    'testsrc2=s=320x180:r=30:d=1',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=s=320x180:r=10:d=1',
    '-filter_complex',
    '[0:v][1:v]concat=n=2:v=1[v]',
    '-map',
    '[v]',
    '-fps_mode',
    'passthrough',
    ...x264,
    fixture('vfr.mp4'),
  );
  // Not videos: an empty file, an HTML error page and a JSON body saved as .mp4.
  writeFileSync(fixture('empty.mp4'), '');
  writeFileSync(
    fixture('page.mp4'),
    '<!DOCTYPE html>\n<html><head><title>403 Forbidden</title></head>\n<body>AccessDenied sig=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789</body></html>\n',
  );
  writeFileSync(fixture('error.mp4'), '{"error":{"code":403,"message":"Request has expired"}}');
  writeFileSync(fixture('binary.mp4'), garbage(4096, 7));
  // Portrait 720x1280, 1 s: measured at a reduced size.
  ffmpeg('-f', 'lavfi', '-i', 'testsrc2=s=720x1280:r=24:d=1', ...x264, fixture('portrait.mp4'));
}, 60_000);

afterAll(() => cleanup?.());

describe('probeVideo', () => {
  it('reads clip-a: 480x270, 4 s, 24 fps, h264 with aac audio', async () => {
    const probe = await probeVideo(clipA);
    expect(probe.width).toBe(480);
    expect(probe.height).toBe(270);
    expect(probe.durationSeconds).toBeCloseTo(4, 1);
    expect(probe.fps).toBeCloseTo(24, 3);
    expect(probe.videoCodec).toBe('h264');
    expect(probe.hasAudio).toBe(true);
    expect(probe.audioCodec).toBe('aac');
    expect(probe.displayAspect).toBeCloseTo(16 / 9, 3);
    expect(probe.bitrate).toBeGreaterThan(100_000);
  });

  it('reports a silent clip as having no audio', async () => {
    const probe = await probeVideo(fixture('black.mp4'));
    expect(probe.hasAudio).toBe(false);
    expect(probe.audioCodec).toBeUndefined();
    expect(probe.width).toBe(320);
  });

  it('rejects a text file named .mp4 as bad_output', async () => {
    const error = await expectProviderError(
      probeVideo(fixture('notes.mp4')),
      'bad_output',
      /notes\.mp4 is not a readable video/,
    );
    expect(error.message).not.toContain(dir);
  });

  it('reports the display size of a clip with a 90° display matrix', async () => {
    const probe = await probeVideo(fixture('rotated.mp4'));
    // A quarter turn either way swaps width and height (ffmpeg versions disagree on the sign).
    expect([90, 270]).toContain(probe.rotation);
    expect([probe.width, probe.height]).toEqual([360, 640]);
    expect([probe.codedWidth, probe.codedHeight]).toEqual([640, 360]);
    expect(probe.displayAspect).toBeCloseTo(9 / 16, 3);
    const plain = await probeVideo(fixture('landscape.mp4'));
    expect(plain.rotation).toBe(0);
    expect([plain.width, plain.height]).toEqual([640, 360]);
  });

  it('says an empty file is empty, not "moov atom not found"', async () => {
    const error = await expectProviderError(
      probeVideo(fixture('empty.mp4')),
      'bad_output',
      /empty\.mp4 is not a readable video: the file is empty \(0 bytes\)/,
    );
    expect(error.message).not.toMatch(/moov/);
    await expectProviderError(checkDecodable(fixture('empty.mp4')), 'bad_output', /empty/);
  });

  it('says an HTML page saved as .mp4 is an HTML page, with its start sanitised', async () => {
    const error = await expectProviderError(
      probeVideo(fixture('page.mp4')),
      'bad_output',
      /page\.mp4 is not a readable video: it is an HTML page, not a video \(it starts "<!DOCTYPE html> <html><head><title>403 Forbidden/,
    );
    expect(error.message).not.toMatch(/moov/);
    expect(error.message).not.toContain('AbCdEfGhIjKlMnOpQrStUvWxYz0123456789');
    expect(error.message).not.toMatch(/\n/);
  });

  it('says a JSON body is JSON and unknown bytes are not a video container', async () => {
    await expectProviderError(
      probeVideo(fixture('error.mp4')),
      'bad_output',
      /it is JSON text, not a video \(it starts "\{"error":\{"code":403/,
    );
    await expectProviderError(
      probeVideo(fixture('binary.mp4')),
      'bad_output',
      /binary\.mp4 is not a readable video: it is not a known video container \(it starts with bytes ([0-9a-f]{2} ){7}[0-9a-f]{2};/,
    );
  });

  it('rejects a file that does not exist as bad_output', async () => {
    await expectProviderError(probeVideo(fixture('missing.mp4')), 'bad_output');
  });

  it('parses JSON strictly: no video stream, no duration, garbage', () => {
    const audioOnly = JSON.stringify({
      streams: [{ codec_type: 'audio', codec_name: 'aac' }],
      format: { duration: '3.0' },
    });
    expect(() => parseProbeJson(audioOnly, 'x.mp4')).toThrow(/x\.mp4 has no video stream/);
    const coverArtOnly = JSON.stringify({
      streams: [
        {
          codec_type: 'video',
          codec_name: 'png',
          width: 10,
          height: 10,
          disposition: { attached_pic: 1 },
        },
      ],
      format: { duration: '3.0' },
    });
    expect(() => parseProbeJson(coverArtOnly)).toThrow(/no video stream/);
    const image = JSON.stringify({
      streams: [{ codec_type: 'video', codec_name: 'png', width: 10, height: 10 }],
      format: { format_name: 'png_pipe' },
    });
    expect(() => parseProbeJson(image)).toThrow(/no duration/);
    expect(() => parseProbeJson('not json')).toThrow(ProviderError);
    expect(() => parseProbeJson('{"streams": "nope"}')).toThrow(/unexpected shape/);
    const anamorphic = parseProbeJson(
      JSON.stringify({
        streams: [
          {
            codec_type: 'video',
            codec_name: 'h264',
            width: 1440,
            height: 1080,
            sample_aspect_ratio: '4:3',
            avg_frame_rate: '0/0',
            r_frame_rate: '30000/1001',
          },
        ],
        format: { duration: '5.5', bit_rate: '1000' },
      }),
    );
    expect(anamorphic.displayAspect).toBeCloseTo(16 / 9, 5);
    expect(anamorphic.fps).toBeCloseTo(29.97, 2);
    expect(anamorphic.bitrate).toBe(1000);
    expect(anamorphic.hasAudio).toBe(false);
  });
});

describe('checkDecodable', () => {
  it('accepts a clean clip (also with spaces in the name)', async () => {
    await expect(checkDecodable(clipA)).resolves.toBeUndefined();
    await expect(checkDecodable(fixture('clip a with spaces.mp4'))).resolves.toBeUndefined();
  });

  it('rejects a clip with overwritten bytes with the first decoder error', async () => {
    const error = await expectProviderError(
      checkDecodable(fixture('corrupt.mp4')),
      'bad_output',
      /^corrupt\.mp4 does not decode cleanly: \S/,
    );
    expect(error.message).not.toMatch(/@ 0x/);
  });

  it('rejects a truncated clip', async () => {
    await expectProviderError(checkDecodable(fixture('truncated.mp4')), 'bad_output');
  });

  it('rejects a text file named .mp4', async () => {
    await expectProviderError(checkDecodable(fixture('notes.mp4')), 'bad_output');
  });
});

describe('measureVideo', () => {
  it('a black clip is all black, has no measurable blur and no cuts', async () => {
    const m = await measureVideo(fixture('black.mp4'));
    expect(m.blackFraction).toBeGreaterThan(0.95);
    expect(m.blur).toBeNull();
    expect(m.sceneCuts).toBe(0);
    expect(m.frames).toBe(48);
    expect(m.analysedSeconds).toBeCloseTo(2, 1);
  });

  it('a looped still image is frozen, not black, with no motion', async () => {
    const m = await measureVideo(fixture('frozen.mp4'));
    expect(m.frozenFraction).toBeGreaterThan(0.9);
    expect(m.blackFraction).toBe(0);
    expect(m.motion).not.toBeNull();
    expect(m.motion!).toBeLessThan(0.001);
  });

  it('a real clip is neither black nor frozen and has motion', async () => {
    const m = await measureVideo(clipA);
    expect(m.blackFraction).toBe(0);
    expect(m.frozenFraction).toBeLessThan(0.2);
    expect(m.sceneCuts).toBe(0);
    expect(m.motion!).toBeGreaterThan(0.001);
    expect(m.flicker).not.toBeNull();
    expect(m.frames).toBe(96);
  });

  it('counts a hard cut between two sources', async () => {
    const m = await measureVideo(fixture('cut.mp4'));
    expect(m.sceneCuts).toBeGreaterThanOrEqual(1);
    expect(m.sceneCuts).toBeLessThanOrEqual(2);
  });

  it('a blurred copy measures blurrier than the sharp original', async () => {
    const sharp = await measureVideo(clipA);
    const blurred = await measureVideo(fixture('blurred.mp4'));
    expect(sharp.blur).not.toBeNull();
    expect(blurred.blur!).toBeGreaterThan(sharp.blur! * 1.2);
  });

  it('measures a large portrait clip (scaled down for analysis)', async () => {
    const analysis = await analyseVideo(fixture('portrait.mp4'), {
      resolution: '720p',
      aspectRatio: '9:16',
      durationSeconds: 1,
      audio: false,
    });
    expect(analysis.compliance).toEqual([]);
    expect(analysis.measures.frames).toBe(24);
    expect(analysis.measures.blur).not.toBeNull();
    expect(analysis.measures.motion!).toBeGreaterThan(0.001);
  });

  it('rejects a corrupt clip', async () => {
    await expectProviderError(measureVideo(fixture('corrupt.mp4')), 'bad_output');
  });

  it('explains every measure in one sentence', () => {
    for (const [name, text] of Object.entries(MEASURE_EXPLANATIONS)) {
      expect(text, name).toMatch(/^[A-Z][^.]*\.$/);
    }
    expect(Object.keys(MEASURE_EXPLANATIONS).sort()).toEqual(
      ['blackFraction', 'blur', 'flicker', 'frozenFraction', 'motion', 'sceneCuts'].sort(),
    );
  });
});

describe('MeasureAccumulator', () => {
  it('computes flicker, motion and intervals from metadata lines', () => {
    const acc = new MeasureAccumulator();
    const lines = [
      'frame:0    pts:0       pts_time:0',
      'lavfi.signalstats.YAVG=100',
      'lavfi.signalstats.YDIF=0',
      'lavfi.blur=4',
      'lavfi.black_start=0',
      'frame:1    pts:1       pts_time:1',
      'lavfi.signalstats.YAVG=151',
      'lavfi.signalstats.YDIF=51',
      'lavfi.blur=nan',
      'lavfi.black_end=1',
      'frame:2    pts:2       pts_time:2',
      'lavfi.signalstats.YAVG=49',
      'lavfi.signalstats.YDIF=200',
      'lavfi.scd.score=40',
      'lavfi.scd.time=2',
      'frame:3    pts:3       pts_time:3',
      'lavfi.signalstats.YAVG=49',
      'lavfi.signalstats.YDIF=0',
      'lavfi.blur=6',
      'lavfi.freezedetect.freeze_start=2',
    ];
    for (const line of lines) acc.line(line);
    const m = acc.finish();
    expect(m.frames).toBe(4);
    expect(m.analysedSeconds).toBe(4);
    // |151-100| and |49-49|; the cut frame is skipped: (51 + 0) / 2 / 255.
    expect(m.flicker).toBeCloseTo(51 / 2 / 255, 10);
    // YDIF of frames 1 and 3 (frame 0 has no predecessor, frame 2 is a cut): (51 + 0) / 2 / 255.
    expect(m.motion).toBeCloseTo(51 / 2 / 255, 10);
    expect(m.blur).toBe(5);
    expect(m.sceneCuts).toBe(1);
    expect(m.blackFraction).toBe(0.25);
    // Freeze from 2 s to the end of the last frame (4 s): 2 of 4 s.
    expect(m.frozenFraction).toBe(0.5);
  });
});

describe('checkCompliance', () => {
  const landscape: VideoProbe = {
    durationSeconds: 4.02,
    width: 1280,
    height: 720,
    codedWidth: 1280,
    codedHeight: 720,
    rotation: 0,
    displayAspect: 1280 / 720,
    fps: 24,
    videoCodec: 'h264',
    bitrate: 2_000_000,
    hasAudio: true,
    audioCodec: 'aac',
    formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
  };

  it('finds nothing when the clip matches', () => {
    expect(
      checkCompliance(
        { durationSeconds: 4, aspectRatio: '16:9', resolution: '720p', audio: true, fps: 24 },
        landscape,
      ),
    ).toEqual([]);
    expect(checkCompliance({}, landscape)).toEqual([]);
  });

  it('uses the short side for portrait resolution labels', () => {
    const portrait = { ...landscape, width: 720, height: 1280, displayAspect: 720 / 1280 };
    expect(checkCompliance({ resolution: '720p', aspectRatio: '9:16' }, portrait)).toEqual([]);
    const findings = checkCompliance({ resolution: '1080p', aspectRatio: '16:9' }, portrait);
    expect(findings.map((f) => f.setting)).toEqual(['aspectRatio', 'resolution']);
    expect(findings[1]!.actual).toBe('720x1280 (720p)');
  });

  it('reports duration, aspect, resolution, audio and fps mismatches', () => {
    const findings = checkCompliance(
      { durationSeconds: 8, aspectRatio: '1:1', resolution: '1080p', audio: false, fps: 30 },
      landscape,
    );
    expect(findings.map((f) => f.setting)).toEqual([
      'durationSeconds',
      'aspectRatio',
      'resolution',
      'audio',
      'fps',
    ]);
    expect(findings[0]).toEqual({
      setting: 'durationSeconds',
      expected: '8 s',
      actual: '4.02 s',
      message: 'Asked for 8 s of video but got 4.02 s (shorter by 3.98 s).',
    });
    expect(findings[3]!.message).toBe('Asked for a silent clip but it has an audio track.');
    const noAudio = checkCompliance({ audio: true }, { ...landscape, hasAudio: false });
    expect(noAudio).toHaveLength(1);
    expect(noAudio[0]!.message).toBe('Asked for audio but the clip has no audio track.');
  });

  it('applies the tolerances: 0.5 s or 10 % on duration, 2 % on aspect', () => {
    // 4 s asked: 4.5 passes, 4.6 fails.
    expect(checkCompliance({ durationSeconds: 4 }, { ...landscape, durationSeconds: 4.5 })).toEqual(
      [],
    );
    expect(
      checkCompliance({ durationSeconds: 4 }, { ...landscape, durationSeconds: 4.6 }),
    ).toHaveLength(1);
    // 10 s asked: 10 % = 1 s.
    expect(
      checkCompliance({ durationSeconds: 10 }, { ...landscape, durationSeconds: 9.1 }),
    ).toEqual([]);
    expect(
      checkCompliance({ durationSeconds: 10 }, { ...landscape, durationSeconds: 8.9 }),
    ).toHaveLength(1);
    // 1.7778 vs 1.8 is 1.25 % off (passes); 1.85 is 4 % off (fails).
    expect(checkCompliance({ aspectRatio: '16:9' }, { ...landscape, displayAspect: 1.8 })).toEqual(
      [],
    );
    expect(
      checkCompliance({ aspectRatio: '16:9' }, { ...landscape, displayAspect: 1.85 }),
    ).toHaveLength(1);
    // 1080p coded as 1920x1088 passes; 4k is a 2160 short side.
    expect(
      checkCompliance({ resolution: '1080p' }, { ...landscape, width: 1920, height: 1088 }),
    ).toEqual([]);
    expect(
      checkCompliance({ resolution: '4k' }, { ...landscape, width: 3840, height: 2160 }),
    ).toEqual([]);
  });
});

describe('analyseVideo', () => {
  it('combines probe, measures and compliance for clip-a', async () => {
    const analysis = await analyseVideo(clipA, {
      durationSeconds: 4,
      aspectRatio: '16:9',
      resolution: '720p',
      audio: true,
    });
    expect(analysis.probe.width).toBe(480);
    expect(analysis.measures.frames).toBe(96);
    expect(analysis.compliance.map((f) => f.setting)).toEqual(['resolution']);
    expect(analysis.analysisMs).toBeGreaterThanOrEqual(0);
  });

  it('checks aspect against the rotated display size (9:16 asked, 90° matrix)', async () => {
    const analysis = await analyseVideo(fixture('rotated.mp4'), {
      aspectRatio: '9:16',
      resolution: '360p',
    });
    expect(analysis.probe.width).toBe(360);
    expect(analysis.probe.height).toBe(640);
    expect(analysis.compliance).toEqual([]);
    const wrong = await analyseVideo(fixture('rotated.mp4'), { aspectRatio: '16:9' });
    expect(wrong.compliance.map((finding) => finding.setting)).toEqual(['aspectRatio']);
    expect(wrong.compliance[0]?.actual).toMatch(/^360x640/);
  });

  it('flags a variable frame rate with its min, max and average', async () => {
    const analysis = await analyseVideo(fixture('vfr.mp4'), { fps: 24 });
    const rate = analysis.probe.frameRate;
    expect(rate?.variable).toBe(true);
    expect(rate?.minFps).toBeCloseTo(10, 1);
    expect(rate?.maxFps).toBeCloseTo(30, 1);
    expect(rate?.avgFps).toBeGreaterThan(15);
    expect(rate?.avgFps).toBeLessThan(25);
    expect(analysis.compliance.map((finding) => finding.setting)).toEqual(['fps']);
    expect(analysis.compliance[0]?.message).toMatch(/varies: variable 10–30 fps/);
  });

  it('a constant-rate clip is not variable, and a wrong asked fps is a finding', async () => {
    const analysis = await analyseVideo(clipA, { fps: 30 });
    expect(analysis.probe.frameRate?.variable).toBe(false);
    expect(analysis.probe.frameRate?.avgFps).toBeCloseTo(24, 1);
    expect(analysis.compliance.map((finding) => finding.message)).toEqual([
      'Asked for 30 frames per second but got 24 fps.',
    ]);
    expect((await analyseVideo(clipA, { fps: 24 })).compliance).toEqual([]);
  });

  it('marks a corrupt or non-video file as bad_output', async () => {
    await expectProviderError(analyseVideo(fixture('corrupt.mp4'), {}), 'bad_output');
    await expectProviderError(analyseVideo(fixture('notes.mp4'), {}), 'bad_output');
  });

  it('stops with timeout when the analysis takes too long', async () => {
    await expectProviderError(analyseVideo(clipA, {}, { timeoutMs: 1 }), 'timeout', /longer than/);
  });

  it('stops with cancelled when the signal aborts', async () => {
    const controller = new AbortController();
    const pending = analyseVideo(clipA, {}, { signal: controller.signal });
    controller.abort();
    await expectProviderError(pending, 'cancelled');
    await expectProviderError(
      analyseVideo(clipA, {}, { signal: AbortSignal.abort() }),
      'cancelled',
    );
  });

  it('reports a missing ffmpeg as provider_unavailable, not as a bad video', async () => {
    const error = await expectProviderError(
      analyseVideo(clipA, {}, { ffprobePath: join(dir, 'no-such-ffprobe') }),
      'provider_unavailable',
      /not found/,
    );
    expect(AppError.isInstance(error)).toBe(true);
  });
});

describe('runTool', () => {
  it('kills the child when the timeout fires', async () => {
    let pid = 0;
    const started = Date.now();
    await expectProviderError(
      runTool(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], {
        timeoutMs: 300,
        what: 'waiting',
        onSpawn: (id) => {
          pid = id;
        },
      }),
      'timeout',
    );
    // Well before the child's own 30 s (a bound, not a measurement: a loaded machine is slow).
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(pid).toBeGreaterThan(0);
    // The pid goes once the killed child is reaped: at once on an idle machine, later on a loaded
    // one (a fixed 200 ms wait failed there). Left running, it would still be there after 10 s.
    await vi.waitFor(() => expect(() => process.kill(pid, 0)).toThrow(), {
      timeout: 10_000,
      interval: 20,
    });
  });
});

describe('ffmpegAvailability', () => {
  it('says so once when the tools are missing, and never throws', async () => {
    resetFfmpegAvailabilityCache();
    const messages: string[] = [];
    const deps = {
      ffmpegPath: join(dir, 'no-ffmpeg'),
      ffprobePath: 'ffprobe',
      log: (message: string) => messages.push(message),
    };
    const first = await ffmpegAvailability(deps);
    const second = await ffmpegAvailability(deps);
    expect(first).toEqual(second);
    expect(first.available).toBe(false);
    expect(first.ffmpeg).toBe(false);
    expect(first.ffprobe).toBe(true);
    expect(first.message).toMatch(/^ffmpeg was not found/);
    expect(messages).toHaveLength(1);
  });

  it('reports the installed tools as available', async () => {
    resetFfmpegAvailabilityCache();
    const result = await ffmpegAvailability();
    expect(result).toEqual({ available: true, ffmpeg: true, ffprobe: true, message: null });
  });

  it('derives the ffprobe path from AIDEON_FFMPEG', () => {
    expect(mediaToolPaths({})).toEqual({ ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe' });
    expect(mediaToolPaths({ AIDEON_FFMPEG: '/opt/ff/bin/ffmpeg' })).toEqual({
      ffmpegPath: '/opt/ff/bin/ffmpeg',
      ffprobePath: '/opt/ff/bin/ffprobe',
    });
    expect(mediaToolPaths({ AIDEON_FFMPEG: '/x/ffmpeg', AIDEON_FFPROBE: '/y/ffprobe' })).toEqual({
      ffmpegPath: '/x/ffmpeg',
      ffprobePath: '/y/ffprobe',
    });
  });
});
