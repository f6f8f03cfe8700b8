/**
 * Net-free analysis of a downloaded clip with ffprobe / ffmpeg: metadata (probe), whether the
 * whole file decodes, technical measures (flicker, blur, frozen and black frames, scene cuts,
 * motion) and whether it matches what was asked (compliance).
 *
 * A file that cannot be probed or decoded is a `ProviderError('bad_output')` with provider
 * `media`. Missing ffmpeg is never an error here: `ffmpegAvailability` reports it once and the
 * caller skips analysis. Every child process runs under a timeout and the caller's AbortSignal;
 * on either the child is killed.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { ProviderError } from '../../shared/errors';
import { firstErrorLine, runTool } from './run-tool';
import { MEASURE_EXPLANATIONS as EXPLANATIONS } from '../../shared/bench/measures';

// ---------------------------------------------------------------------------------------------
// Dependencies

export interface MediaToolDeps {
  /** Default `ffmpeg` (on PATH). */
  ffmpegPath?: string | undefined;
  /** Default `ffprobe` (on PATH). */
  ffprobePath?: string | undefined;
  signal?: AbortSignal | undefined;
  /** Limit for one call (analyseVideo: for the whole analysis). Default 60 s. */
  timeoutMs?: number | undefined;
  /** Niceness of the ffmpeg/ffprobe children (see runTool); default normal priority. */
  niceness?: number | undefined;
}

export const DEFAULT_ANALYSIS_TIMEOUT_MS = 60_000;

/**
 * Tool paths from the environment: AIDEON_FFMPEG / AIDEON_FFPROBE; when only AIDEON_FFMPEG is a
 * path, ffprobe is looked for next to it.
 */
export function mediaToolPaths(env: NodeJS.ProcessEnv): {
  ffmpegPath: string;
  ffprobePath: string;
} {
  const ffmpegPath = env.AIDEON_FFMPEG || 'ffmpeg';
  let ffprobePath = env.AIDEON_FFPROBE || 'ffprobe';
  if (!env.AIDEON_FFPROBE && env.AIDEON_FFMPEG && /[\\/]/.test(env.AIDEON_FFMPEG)) {
    const suffix = /\.exe$/i.test(env.AIDEON_FFMPEG) ? '.exe' : '';
    ffprobePath = join(dirname(env.AIDEON_FFMPEG), `ffprobe${suffix}`);
  }
  return { ffmpegPath, ffprobePath };
}

function badOutput(message: string, cause?: unknown): ProviderError {
  return new ProviderError('bad_output', message, {
    provider: 'media',
    ...(cause === undefined ? {} : { cause }),
  });
}

function fileLabel(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

// ---------------------------------------------------------------------------------------------
// Availability

export interface FfmpegAvailability {
  available: boolean;
  ffmpeg: boolean;
  ffprobe: boolean;
  /** Plain-English note when something is missing; null when all is well. */
  message: string | null;
}

const availabilityCache = new Map<string, Promise<FfmpegAvailability>>();

/**
 * Whether ffmpeg and ffprobe can be run. Never throws; cached per pair of paths, and `log` is
 * called (once per pair) only when something is missing.
 */
export function ffmpegAvailability(
  deps: MediaToolDeps & { log?: (message: string) => void } = {},
): Promise<FfmpegAvailability> {
  const ffmpegPath = deps.ffmpegPath ?? 'ffmpeg';
  const ffprobePath = deps.ffprobePath ?? 'ffprobe';
  const key = `${ffmpegPath}\u0000${ffprobePath}`;
  let cached = availabilityCache.get(key);
  if (!cached) {
    cached = (async () => {
      const [ffmpeg, ffprobe] = await Promise.all([
        canRun(ffmpegPath, deps.timeoutMs ?? 10_000),
        canRun(ffprobePath, deps.timeoutMs ?? 10_000),
      ]);
      const missing = [ffmpeg ? null : 'ffmpeg', ffprobe ? null : 'ffprobe'].filter(
        (name): name is string => name !== null,
      );
      const message =
        missing.length === 0
          ? null
          : `${missing.join(' and ')} ${missing.length === 1 ? 'was' : 'were'} not found, so downloaded videos are not checked ` +
            '(no metadata, compliance or technical measures). Install ffmpeg or set AIDEON_FFMPEG / AIDEON_FFPROBE; everything else keeps working.';
      if (message) deps.log?.(message);
      return { available: ffmpeg && ffprobe, ffmpeg, ffprobe, message };
    })();
    availabilityCache.set(key, cached);
  }
  return cached;
}

/** For tests: forget cached availability results. */
export function resetFfmpegAvailabilityCache(): void {
  availabilityCache.clear();
}

async function canRun(command: string, timeoutMs: number): Promise<boolean> {
  try {
    const result = await runTool(command, ['-version'], {
      timeoutMs,
      what: `checking ${command}`,
    });
    return result.exitCode === 0;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Probe

export interface VideoProbe {
  durationSeconds: number;
  /**
   * Frame size as displayed: the coded size of the first video stream, with width and height
   * swapped when the stream's display matrix rotates it by 90 or 270 degrees.
   */
  width: number;
  height: number;
  /** Coded (stored) frame size, before rotation. */
  codedWidth: number;
  codedHeight: number;
  /** Display rotation from the display matrix (or the legacy `rotate` tag), degrees 0/90/180/270. */
  rotation: number;
  /** Display width / height (sample aspect ratio and rotation applied). */
  displayAspect: number;
  /**
   * Frames per second: the container's average rate from ffprobe; after a full analysis, the
   * average measured from the frame timestamps.
   */
  fps: number | null;
  /**
   * Frame timing measured from every frame's timestamp (set by analyseVideo; absent after a
   * bare probe). `variable` is true when frame intervals differ by more than 5 %.
   */
  frameRate?: FrameRate | null;
  videoCodec: string;
  /** Overall bits per second, when known. */
  bitrate: number | null;
  hasAudio: boolean;
  audioCodec?: string;
  /** Container format, e.g. "mov,mp4,m4a,3gp,3g2,mj2". */
  formatName: string | null;
}

/** Frame rate measured from frame timestamps. */
export interface FrameRate {
  variable: boolean;
  /** Slowest instantaneous rate (longest frame interval), frames per second. */
  minFps: number;
  /** Fastest instantaneous rate (shortest frame interval), frames per second. */
  maxFps: number;
  /** Frames per second over the whole clip (intervals / time between first and last frame). */
  avgFps: number;
}

const numberish = z.union([z.string(), z.number()]).optional();

const ffprobeOutputSchema = z.object({
  streams: z.array(
    z.object({
      codec_type: z.string().optional(),
      codec_name: z.string().optional(),
      width: z.number().optional(),
      height: z.number().optional(),
      avg_frame_rate: z.string().optional(),
      r_frame_rate: z.string().optional(),
      duration: numberish,
      bit_rate: numberish,
      sample_aspect_ratio: z.string().optional(),
      disposition: z.object({ attached_pic: z.number().optional() }).optional(),
      tags: z.record(z.string(), z.unknown()).optional(),
      side_data_list: z
        .array(z.object({ side_data_type: z.string().optional(), rotation: numberish }))
        .optional(),
    }),
  ),
  format: z
    .object({
      format_name: z.string().optional(),
      duration: numberish,
      bit_rate: numberish,
    })
    .optional(),
});

function toNumber(value: string | number | undefined): number | null {
  if (value === undefined) return null;
  const parsed = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(parsed) ? parsed : null;
}

function parseRate(value: string | undefined): number | null {
  if (!value) return null;
  const match = /^(\d+(?:\.\d+)?)(?:\/(\d+(?:\.\d+)?))?$/.exec(value);
  if (!match) return null;
  const num = Number(match[1]);
  const den = match[2] === undefined ? 1 : Number(match[2]);
  if (!(num > 0) || !(den > 0)) return null;
  return num / den;
}

function parseSar(value: string | undefined): number {
  const match = value ? /^(\d+):(\d+)$/.exec(value) : null;
  if (!match) return 1;
  const num = Number(match[1]);
  const den = Number(match[2]);
  return num > 0 && den > 0 ? num / den : 1;
}

/**
 * Clockwise display rotation in degrees (0, 90, 180 or 270). ffprobe reports the display
 * matrix's rotation counter-clockwise (-90 = turned 90° clockwise); the legacy `rotate` tag is
 * clockwise. Only the quarter turns matter here: 90 and 270 swap width and height.
 */
function displayRotation(stream: {
  tags?: Record<string, unknown> | undefined;
  side_data_list?:
    { side_data_type?: string | undefined; rotation?: string | number | undefined }[] | undefined;
}): number {
  const matrix = stream.side_data_list?.find(
    (entry) => entry.rotation !== undefined && /display matrix/i.test(entry.side_data_type ?? ''),
  );
  let degrees: number | null = null;
  if (matrix) {
    const value = toNumber(matrix.rotation);
    if (value !== null) degrees = -value;
  } else if (stream.tags?.rotate !== undefined) {
    degrees = toNumber(stream.tags.rotate as string | number);
  }
  if (degrees === null) return 0;
  const quarter = Math.round(degrees / 90);
  return (((quarter % 4) + 4) % 4) * 90;
}

/** Turns ffprobe's JSON into a VideoProbe; throws bad_output for anything that is not a video. */
export function parseProbeJson(text: string, label = 'the file'): VideoProbe {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw badOutput(`Could not read ${label}: ffprobe returned no usable metadata.`, error);
  }
  const parsed = ffprobeOutputSchema.safeParse(json);
  if (!parsed.success) {
    throw badOutput(`Could not read ${label}: ffprobe metadata has an unexpected shape.`);
  }
  const { streams, format } = parsed.data;
  const video = streams.find(
    (stream) => stream.codec_type === 'video' && stream.disposition?.attached_pic !== 1,
  );
  if (!video) throw badOutput(`${label} has no video stream.`);
  const codedWidth = video.width ?? 0;
  const codedHeight = video.height ?? 0;
  if (!(codedWidth > 0 && codedHeight > 0))
    throw badOutput(`${label} has a video stream with no frame size.`);
  const rotation = displayRotation(video);
  const swapped = rotation === 90 || rotation === 270;
  const width = swapped ? codedHeight : codedWidth;
  const height = swapped ? codedWidth : codedHeight;
  const sar = parseSar(video.sample_aspect_ratio);
  const durationSeconds = toNumber(format?.duration) ?? toNumber(video.duration);
  if (durationSeconds === null || !(durationSeconds > 0)) {
    throw badOutput(`${label} has no duration: it is not a playable video.`);
  }
  const audio = streams.find((stream) => stream.codec_type === 'audio');
  const probe: VideoProbe = {
    durationSeconds,
    width,
    height,
    codedWidth,
    codedHeight,
    rotation,
    displayAspect: swapped ? width / (height * sar) : (width * sar) / height,
    fps: parseRate(video.avg_frame_rate) ?? parseRate(video.r_frame_rate),
    videoCodec: video.codec_name ?? 'unknown',
    bitrate: toNumber(format?.bit_rate) ?? toNumber(video.bit_rate),
    hasAudio: audio !== undefined,
    formatName: format?.format_name ?? null,
  };
  if (audio) probe.audioCodec = audio.codec_name ?? 'unknown';
  return probe;
}

// ---------------------------------------------------------------------------------------------
// What a file that is not a video actually is

/** How many leading bytes are read to tell what a file is. */
const SNIFF_BYTES = 512;

export type FileKind =
  | { kind: 'empty' }
  | { kind: 'html' | 'json' | 'xml' | 'text'; start: string }
  | { kind: 'container'; name: string }
  | { kind: 'unknown'; hex: string };

/**
 * Leading bytes as safe text for a message: printable ASCII only, whitespace collapsed, long
 * token-like runs (keys, signatures) masked, at most 60 characters.
 */
export function sanitizeStart(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes.subarray(0, 200)) {
    text += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : ' ';
  }
  text = text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[A-Za-z0-9_\-+/=.]{24,}/g, '…');
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

function isMostlyText(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return false;
  let printable = 0;
  for (const byte of bytes) {
    if (byte === 0) return false;
    if ((byte >= 0x20 && byte < 0x7f) || byte === 9 || byte === 10 || byte === 13 || byte >= 0x80)
      printable += 1;
  }
  return printable / bytes.length > 0.95;
}

const ISO_BOXES = new Set(['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pnot', 'styp']);

/** What the first bytes of a file say it is. Pure, for tests. */
export function classifyFileStart(bytes: Uint8Array, size: number): FileKind {
  if (size === 0 || bytes.length === 0) return { kind: 'empty' };
  const ascii = (from: number, to: number): string =>
    String.fromCharCode(...bytes.subarray(from, Math.min(to, bytes.length)));
  if (bytes.length >= 8 && ISO_BOXES.has(ascii(4, 8)))
    return { kind: 'container', name: 'MP4/MOV' };
  if (bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3)
    return { kind: 'container', name: 'Matroska/WebM' };
  if (ascii(0, 4) === 'RIFF') return { kind: 'container', name: 'RIFF' };
  if (ascii(0, 3) === 'FLV') return { kind: 'container', name: 'FLV' };
  if (ascii(0, 4) === 'OggS') return { kind: 'container', name: 'Ogg' };
  if (ascii(0, 4) === 'GIF8') return { kind: 'container', name: 'GIF' };
  if (bytes[0] === 0x47 && (bytes.length < 189 || bytes[188] === 0x47))
    return { kind: 'container', name: 'MPEG-TS' };
  if (bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 1 && (bytes[3] ?? 0) >= 0xb3)
    return { kind: 'container', name: 'MPEG' };
  if (isMostlyText(bytes)) {
    const start = sanitizeStart(bytes);
    const head = ascii(0, 200)
      .replace(/^\uFEFF/, '')
      .trimStart()
      .toLowerCase();
    if (/^<!doctype html|^<html|^<head|^<body|^<!--/.test(head) || /<html[\s>]/.test(head))
      return { kind: 'html', start };
    if (/^<\?xml|^<[a-z]/.test(head)) return { kind: 'xml', start };
    if (/^[{[]/.test(head)) return { kind: 'json', start };
    return { kind: 'text', start };
  }
  const hex = [...bytes.subarray(0, 8)].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');
  return { kind: 'unknown', hex };
}

/** Reads the first bytes of a file and classifies them; null when the file cannot be read. */
export function sniffFile(file: string): FileKind | null {
  let fd: number | undefined;
  try {
    const size = statSync(file).size;
    fd = openSync(file, 'r');
    const buffer = Buffer.alloc(Math.min(SNIFF_BYTES, size));
    const read = buffer.length > 0 ? readSync(fd, buffer, 0, buffer.length, 0) : 0;
    return classifyFileStart(buffer.subarray(0, read), size);
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The sentence for a file that is clearly not a video; null when it might be one. */
export function notAVideoReason(kind: FileKind | null): string | null {
  if (!kind) return null;
  switch (kind.kind) {
    case 'empty':
      return 'the file is empty (0 bytes)';
    case 'html':
      return `it is an HTML page, not a video (it starts "${kind.start}")`;
    case 'xml':
      return `it is an XML document, not a video (it starts "${kind.start}")`;
    case 'json':
      return `it is JSON text, not a video (it starts "${kind.start}")`;
    case 'text':
      return `it is plain text, not a video (it starts "${kind.start}")`;
    default:
      return null;
  }
}

export async function probeVideo(file: string, deps: MediaToolDeps = {}): Promise<VideoProbe> {
  const label = fileLabel(file);
  const kind = sniffFile(file);
  const reason = notAVideoReason(kind);
  if (reason) throw badOutput(`${label} is not a readable video: ${reason}.`);
  const result = await runTool(
    deps.ffprobePath ?? 'ffprobe',
    ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', '--', file],
    {
      signal: deps.signal,
      timeoutMs: deps.timeoutMs ?? DEFAULT_ANALYSIS_TIMEOUT_MS,
      niceness: deps.niceness,
      collectStdout: true,
      what: `reading the metadata of ${label}`,
    },
  );
  if (result.exitCode !== 0) {
    const detail = stripPath(
      firstErrorLine(result.stderr) ?? `ffprobe exited with code ${result.exitCode}`,
      file,
    );
    if (kind?.kind === 'unknown') {
      throw badOutput(
        `${label} is not a readable video: it is not a known video container (it starts with bytes ${kind.hex}; ffprobe: ${detail}).`,
      );
    }
    throw badOutput(`${label} is not a readable video: ${detail}`);
  }
  return parseProbeJson(result.stdout, label);
}

function stripPath(line: string, file: string): string {
  return line.split(file).join(fileLabel(file));
}

// ---------------------------------------------------------------------------------------------
// Decode check

/** Decodes every video and audio frame; any decoder error → bad_output with the first error. */
export async function checkDecodable(file: string, deps: MediaToolDeps = {}): Promise<void> {
  const label = fileLabel(file);
  const reason = notAVideoReason(sniffFile(file));
  if (reason) throw badOutput(`${label} is not a readable video: ${reason}.`);
  const result = await runTool(
    deps.ffmpegPath ?? 'ffmpeg',
    [
      '-hide_banner',
      '-nostdin',
      '-v',
      'error',
      '-i',
      file,
      '-map',
      '0:v',
      '-map',
      '0:a?',
      '-f',
      'null',
      '-',
    ],
    {
      signal: deps.signal,
      timeoutMs: deps.timeoutMs ?? DEFAULT_ANALYSIS_TIMEOUT_MS,
      niceness: deps.niceness,
      what: `decoding ${label}`,
    },
  );
  throwOnDecodeErrors(result.exitCode, result.stderr, file);
}

function throwOnDecodeErrors(exitCode: number | null, stderr: string, file: string): void {
  const first = firstErrorLine(stderr);
  if (exitCode === 0 && first === undefined) return;
  const label = fileLabel(file);
  throw badOutput(
    `${label} does not decode cleanly: ${stripPath(first ?? `ffmpeg exited with code ${exitCode}`, file)}`,
  );
}

// ---------------------------------------------------------------------------------------------
// Measures

export interface VideoMeasures {
  /** Frames analysed. */
  frames: number;
  /** Seconds of video analysed. */
  analysedSeconds: number;
  /** Mean |Δ average luma| between consecutive frames, as a fraction of the luma range (cuts excluded). */
  flicker: number | null;
  /** blurdetect mean; higher = blurrier. Null when no frame had a measurable edge (e.g. all black). */
  blur: number | null;
  /** Fraction of the clip (0..1) spent in frozen stretches of 0.5 s or more. */
  frozenFraction: number;
  /** Fraction of the clip (0..1) spent in black stretches of 0.1 s or more. */
  blackFraction: number;
  /** Hard cuts detected (scdet score above the threshold). */
  sceneCuts: number;
  /** Mean per-pixel luma change between consecutive frames, as a fraction of the luma range (cuts excluded). */
  motion: number | null;
}

export type MeasureName = Exclude<keyof VideoMeasures, 'frames' | 'analysedSeconds'>;

/** One sentence per measure, for the UI (shared with the renderer: shared/bench/measures.ts). */
export const MEASURE_EXPLANATIONS: Readonly<Record<MeasureName, string>> = EXPLANATIONS;

/** Settings of the measuring filters, exported so the UI can say what was measured. */
export const MEASURE_SETTINGS = {
  freezeMinSeconds: 0.5,
  freezeNoise: 0.001,
  blackMinSeconds: 0.1,
  blackPixelThreshold: 0.1,
  sceneCutThreshold: 10,
  /**
   * Frames are scaled down (never up) so the short side is at most this many pixels before
   * measuring: blur is then comparable across output resolutions, and a 720p or 1080p clip is
   * analysed 2-3 times faster.
   */
  analysisShortSide: 360,
} as const;

const S = MEASURE_SETTINGS.analysisShortSide;
// Inside '…' ffmpeg takes the commas literally.
const scaleFactor = `min(1,${S}/min(iw,ih))`;

const FILTER_GRAPH = [
  `scale=w='trunc(iw*${scaleFactor}/2)*2':h='trunc(ih*${scaleFactor}/2)*2':flags=area`,
  'signalstats',
  'blurdetect',
  `freezedetect=n=${MEASURE_SETTINGS.freezeNoise}:d=${MEASURE_SETTINGS.freezeMinSeconds}`,
  `blackdetect=d=${MEASURE_SETTINGS.blackMinSeconds}:pix_th=${MEASURE_SETTINGS.blackPixelThreshold}`,
  `scdet=threshold=${MEASURE_SETTINGS.sceneCutThreshold}`,
  'metadata=mode=print:file=-',
].join(',');

/** Frame intervals may differ by this fraction before a clip counts as variable frame rate. */
const VFR_TOLERANCE = 0.05;

interface FrameData {
  pts: number | null;
  yavg?: number;
  ydif?: number;
  bitDepth?: number;
  blur?: number;
  cut: boolean;
  blackStart?: number;
  blackEnd?: number;
  freezeStart?: number;
  freezeEnd?: number;
}

/**
 * Accumulates `metadata=mode=print` output line by line, so memory stays flat however long the
 * clip is. Exported for unit tests of the arithmetic.
 */
export class MeasureAccumulator {
  private frame: FrameData | undefined;
  private frames = 0;
  private firstPts: number | null = null;
  private lastPts: number | null = null;
  private prevYavg: number | undefined;
  private flickerSum = 0;
  private flickerCount = 0;
  private motionSum = 0;
  private motionCount = 0;
  private blurSum = 0;
  private blurCount = 0;
  private cuts = 0;
  private blackOpen: number | undefined;
  private blackTotal = 0;
  private freezeOpen: number | undefined;
  private freezeTotal = 0;
  private minInterval = Infinity;
  private maxInterval = 0;
  private intervals = 0;

  line(line: string): void {
    if (line.startsWith('frame:')) {
      this.flush();
      const match = /pts_time:(\S+)/.exec(line);
      const pts = match ? Number(match[1]) : NaN;
      this.frame = { pts: Number.isFinite(pts) ? pts : null, cut: false };
      return;
    }
    const frame = this.frame;
    if (!frame) return;
    const eq = line.indexOf('=');
    if (eq === -1) return;
    const key = line.slice(0, eq);
    const value = Number(line.slice(eq + 1));
    switch (key) {
      case 'lavfi.signalstats.YAVG':
        frame.yavg = value;
        break;
      case 'lavfi.signalstats.YDIF':
        frame.ydif = value;
        break;
      case 'lavfi.signalstats.YBITDEPTH':
        frame.bitDepth = value;
        break;
      case 'lavfi.blur':
        frame.blur = value;
        break;
      case 'lavfi.scd.time':
        frame.cut = true;
        break;
      case 'lavfi.black_start':
        frame.blackStart = value;
        break;
      case 'lavfi.black_end':
        frame.blackEnd = value;
        break;
      case 'lavfi.freezedetect.freeze_start':
        frame.freezeStart = value;
        break;
      case 'lavfi.freezedetect.freeze_end':
        frame.freezeEnd = value;
        break;
      default:
        break;
    }
  }

  private flush(): void {
    const frame = this.frame;
    if (!frame) return;
    this.frame = undefined;
    const index = this.frames;
    this.frames += 1;
    if (frame.pts !== null) {
      if (this.firstPts === null) this.firstPts = frame.pts;
      else if (this.lastPts !== null && frame.pts > this.lastPts) {
        const interval = frame.pts - this.lastPts;
        if (interval < this.minInterval) this.minInterval = interval;
        if (interval > this.maxInterval) this.maxInterval = interval;
        this.intervals += 1;
      }
      this.lastPts = frame.pts;
    }
    const range = 2 ** (frame.bitDepth && frame.bitDepth > 0 ? frame.bitDepth : 8) - 1;
    if (frame.cut) this.cuts += 1;
    if (frame.yavg !== undefined && Number.isFinite(frame.yavg)) {
      if (this.prevYavg !== undefined && !frame.cut) {
        this.flickerSum += Math.abs(frame.yavg - this.prevYavg) / range;
        this.flickerCount += 1;
      }
      this.prevYavg = frame.yavg;
    }
    if (index > 0 && !frame.cut && frame.ydif !== undefined && Number.isFinite(frame.ydif)) {
      this.motionSum += frame.ydif / range;
      this.motionCount += 1;
    }
    if (frame.blur !== undefined && Number.isFinite(frame.blur)) {
      this.blurSum += frame.blur;
      this.blurCount += 1;
    }
    // An end and a new start can arrive on the same frame: close first.
    if (frame.blackEnd !== undefined && Number.isFinite(frame.blackEnd)) {
      this.blackTotal += Math.max(0, frame.blackEnd - (this.blackOpen ?? this.firstPts ?? 0));
      this.blackOpen = undefined;
    }
    if (frame.blackStart !== undefined && Number.isFinite(frame.blackStart)) {
      this.blackOpen = frame.blackStart;
    }
    if (frame.freezeEnd !== undefined && Number.isFinite(frame.freezeEnd)) {
      this.freezeTotal += Math.max(0, frame.freezeEnd - (this.freezeOpen ?? this.firstPts ?? 0));
      this.freezeOpen = undefined;
    }
    if (frame.freezeStart !== undefined && Number.isFinite(frame.freezeStart)) {
      this.freezeOpen = frame.freezeStart;
    }
  }

  /**
   * Frame timing from the timestamps seen so far; null with fewer than two timed frames. A clip
   * is variable-rate when its longest frame interval is more than 5 % longer than its shortest
   * (timestamp rounding stays far below that).
   */
  frameRate(): FrameRate | null {
    if (this.intervals === 0 || this.firstPts === null || this.lastPts === null) return null;
    const span = this.lastPts - this.firstPts;
    if (!(span > 0) || !(this.minInterval > 0)) return null;
    return {
      variable: this.maxInterval > this.minInterval * (1 + VFR_TOLERANCE),
      minFps: 1 / this.maxInterval,
      maxFps: 1 / this.minInterval,
      avgFps: this.intervals / span,
    };
  }

  /** @param fps used for the length of the last frame when pts spacing is unknown. */
  finish(fps?: number | null): VideoMeasures {
    this.flush();
    const first = this.firstPts ?? 0;
    const last = this.lastPts ?? first;
    const frameDuration =
      this.frames > 1 && last > first
        ? (last - first) / (this.frames - 1)
        : fps && fps > 0
          ? 1 / fps
          : 0;
    const end = last + frameDuration;
    const analysedSeconds = Math.max(0, end - first);
    let black = this.blackTotal;
    if (this.blackOpen !== undefined) black += Math.max(0, end - this.blackOpen);
    let frozen = this.freezeTotal;
    if (this.freezeOpen !== undefined) frozen += Math.max(0, end - this.freezeOpen);
    const fraction = (seconds: number): number =>
      analysedSeconds > 0 ? Math.min(1, Math.max(0, seconds / analysedSeconds)) : 0;
    return {
      frames: this.frames,
      analysedSeconds,
      flicker: this.flickerCount > 0 ? this.flickerSum / this.flickerCount : null,
      blur: this.blurCount > 0 ? this.blurSum / this.blurCount : null,
      frozenFraction: fraction(frozen),
      blackFraction: fraction(black),
      sceneCuts: this.cuts,
      motion: this.motionCount > 0 ? this.motionSum / this.motionCount : null,
    };
  }
}

/**
 * One ffmpeg pass: decodes the first video stream (and the first audio stream, so audio decode
 * errors are caught too) and runs all measuring filters. Returns the measures and ffmpeg's
 * error output; callers decide whether errors are fatal.
 */
async function measurePass(
  file: string,
  deps: MediaToolDeps,
  fps: number | null,
): Promise<{
  measures: VideoMeasures;
  frameRate: FrameRate | null;
  exitCode: number | null;
  stderr: string;
}> {
  const accumulator = new MeasureAccumulator();
  const result = await runTool(
    deps.ffmpegPath ?? 'ffmpeg',
    [
      '-hide_banner',
      '-nostdin',
      '-v',
      'error',
      '-i',
      file,
      '-map',
      '0:v:0',
      '-map',
      '0:a:0?',
      '-vf',
      FILTER_GRAPH,
      '-f',
      'null',
      '-',
    ],
    {
      signal: deps.signal,
      timeoutMs: deps.timeoutMs ?? DEFAULT_ANALYSIS_TIMEOUT_MS,
      niceness: deps.niceness,
      onStdoutLine: (line) => accumulator.line(line),
      what: `measuring ${fileLabel(file)}`,
    },
  );
  const frameRate = accumulator.frameRate();
  return {
    measures: accumulator.finish(fps),
    frameRate,
    exitCode: result.exitCode,
    stderr: result.stderr,
  };
}

/** Technical measures from one ffmpeg pass. Throws bad_output when the file does not decode. */
export async function measureVideo(
  file: string,
  deps: MediaToolDeps & { fps?: number | null } = {},
): Promise<VideoMeasures> {
  const pass = await measurePass(file, deps, deps.fps ?? null);
  throwOnDecodeErrors(pass.exitCode, pass.stderr, file);
  if (pass.measures.frames === 0) throw badOutput(`${fileLabel(file)} contains no video frames.`);
  return pass.measures;
}

// ---------------------------------------------------------------------------------------------
// Compliance

export interface ComplianceRequest {
  durationSeconds?: number | undefined;
  /** "W:H", e.g. "16:9". */
  aspectRatio?: string | undefined;
  /** "720p", "1080p", "4k": the short side of the frame. */
  resolution?: string | undefined;
  audio?: boolean | undefined;
  fps?: number | undefined;
}

export type ComplianceSetting = 'durationSeconds' | 'aspectRatio' | 'resolution' | 'audio' | 'fps';

export interface ComplianceFinding {
  setting: ComplianceSetting;
  expected: string;
  actual: string;
  message: string;
}

/** Tolerances used by checkCompliance. */
export const COMPLIANCE_TOLERANCES = {
  /** Duration may be off by max(0.5 s, 10 % of the requested duration). */
  durationSeconds: 0.5,
  durationFraction: 0.1,
  /** Display aspect may differ by 2 %. */
  aspectFraction: 0.02,
  /** The short side may differ from the label by 2 % (e.g. 1088 coded lines for 1080p). */
  resolutionFraction: 0.02,
  /** Frame rate may differ by 1 %. */
  fpsFraction: 0.01,
} as const;

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function resolutionShortSide(label: string): number | null {
  const match = /^(\d+)p$/i.exec(label.trim());
  if (match) return Number(match[1]);
  if (/^4k$/i.test(label.trim())) return 2160;
  return null;
}

/** Differences between what was asked and what the file is; empty when everything matches. */
export function checkCompliance(
  requested: ComplianceRequest,
  probe: Pick<VideoProbe, 'durationSeconds' | 'width' | 'height' | 'hasAudio'> &
    Partial<Pick<VideoProbe, 'displayAspect' | 'fps' | 'frameRate'>>,
): ComplianceFinding[] {
  const findings: ComplianceFinding[] = [];
  const t = COMPLIANCE_TOLERANCES;

  if (requested.durationSeconds !== undefined) {
    const expected = requested.durationSeconds;
    const tolerance = Math.max(t.durationSeconds, expected * t.durationFraction);
    const diff = probe.durationSeconds - expected;
    if (Math.abs(diff) > tolerance) {
      const actual = `${round(probe.durationSeconds, 2)} s`;
      findings.push({
        setting: 'durationSeconds',
        expected: `${expected} s`,
        actual,
        message: `Asked for ${expected} s of video but got ${actual} (${diff > 0 ? 'longer' : 'shorter'} by ${round(Math.abs(diff), 2)} s).`,
      });
    }
  }

  if (requested.aspectRatio !== undefined) {
    const match = /^(\d+):(\d+)$/.exec(requested.aspectRatio);
    const wanted = match ? Number(match[1]) / Number(match[2]) : NaN;
    const actualRatio = probe.displayAspect ?? probe.width / probe.height;
    if (Number.isFinite(wanted) && wanted > 0) {
      if (Math.abs(actualRatio / wanted - 1) > t.aspectFraction) {
        const actual = `${probe.width}x${probe.height} (${round(actualRatio, 2)}:1)`;
        findings.push({
          setting: 'aspectRatio',
          expected: requested.aspectRatio,
          actual,
          message: `Asked for a ${requested.aspectRatio} picture (${round(wanted, 2)}:1) but got ${actual}.`,
        });
      }
    }
  }

  if (requested.resolution !== undefined) {
    const shortSide = resolutionShortSide(requested.resolution);
    const actualShort = Math.min(probe.width, probe.height);
    if (shortSide !== null && Math.abs(actualShort / shortSide - 1) > t.resolutionFraction) {
      const actual = `${probe.width}x${probe.height} (${actualShort}p)`;
      findings.push({
        setting: 'resolution',
        expected: requested.resolution,
        actual,
        message: `Asked for ${requested.resolution} (short side ${shortSide} pixels) but got ${actual}.`,
      });
    }
  }

  if (requested.audio !== undefined && requested.audio !== probe.hasAudio) {
    findings.push({
      setting: 'audio',
      expected: requested.audio ? 'audio track' : 'no audio',
      actual: probe.hasAudio ? 'audio track' : 'no audio',
      message: requested.audio
        ? 'Asked for audio but the clip has no audio track.'
        : 'Asked for a silent clip but it has an audio track.',
    });
  }

  const frameRate = probe.frameRate ?? null;
  if (requested.fps !== undefined && frameRate?.variable) {
    const actual = `variable ${round(frameRate.minFps, 2)}–${round(frameRate.maxFps, 2)} fps (average ${round(frameRate.avgFps, 2)})`;
    findings.push({
      setting: 'fps',
      expected: `${requested.fps} fps`,
      actual,
      message: `Asked for a steady ${requested.fps} frames per second but the frame rate varies: ${actual}.`,
    });
  } else if (requested.fps !== undefined && probe.fps !== undefined && probe.fps !== null) {
    if (Math.abs(probe.fps / requested.fps - 1) > t.fpsFraction) {
      const actual = `${round(probe.fps, 2)} fps`;
      findings.push({
        setting: 'fps',
        expected: `${requested.fps} fps`,
        actual,
        message: `Asked for ${requested.fps} frames per second but got ${actual}.`,
      });
    }
  }

  return findings;
}

// ---------------------------------------------------------------------------------------------
// All together

export interface VideoAnalysis {
  probe: VideoProbe;
  measures: VideoMeasures;
  compliance: ComplianceFinding[];
  /** Wall-clock time the analysis took. */
  analysisMs: number;
}

/**
 * Probe, decode check + measures (one ffmpeg pass) and compliance. `deps.timeoutMs` bounds the
 * whole analysis. Throws ProviderError: `bad_output` (unreadable / undecodable file),
 * `timeout` (analysis too slow; the child was killed), `cancelled` (signal aborted),
 * `provider_unavailable` (ffmpeg could not be started).
 */
export async function analyseVideo(
  file: string,
  requested: ComplianceRequest,
  deps: MediaToolDeps & { now?: () => number } = {},
): Promise<VideoAnalysis> {
  const now = deps.now ?? Date.now;
  const started = now();
  const budget = deps.timeoutMs ?? DEFAULT_ANALYSIS_TIMEOUT_MS;
  const remaining = (): number => Math.max(1, budget - (now() - started));
  const probe = await probeVideo(file, { ...deps, timeoutMs: remaining() });
  const pass = await measurePass(file, { ...deps, timeoutMs: remaining() }, probe.fps);
  throwOnDecodeErrors(pass.exitCode, pass.stderr, file);
  if (pass.measures.frames === 0) throw badOutput(`${fileLabel(file)} contains no video frames.`);
  probe.frameRate = pass.frameRate;
  return {
    probe,
    measures: pass.measures,
    compliance: checkCompliance(requested, probe),
    analysisMs: now() - started,
  };
}
