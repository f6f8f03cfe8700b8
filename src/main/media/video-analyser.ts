/**
 * Analyses stored videos off the generation's hot path: a bounded queue (cores-aware) for the
 * ffmpeg work, a SQLite cache keyed by the file's SHA-256 (its media id) so identical files are
 * analysed once, and de-duplication of concurrent requests for the same file. Compliance
 * depends on what each generation asked for, so it is computed fresh from the cached probe.
 */
import { isDatabaseBusy } from '../store/busy-retry';
import { ProviderError, serializeError } from '../../shared/errors';
import type { WritableDb } from '../store/db';
import { AnalysisQueue, defaultAnalysisConcurrency } from './analysis-queue';
import {
  analyseVideo,
  checkCompliance,
  type ComplianceRequest,
  type VideoAnalysis,
  type VideoMeasures,
  type VideoProbe,
} from './video-analysis';

/**
 * Bump when what is measured changes (filters, their settings, probe fields), so cached results
 * of the older analysis are not reused.
 */
export const ANALYSIS_VERSION = 1;

export interface VideoAnalyserDeps {
  db: WritableDb;
  ffmpegPath: string;
  ffprobePath: string;
  /** Limit for one file's analysis (queue wait not counted). Default 60 s. */
  timeoutMs?: number | undefined;
  /** ffmpeg processes at once. Default max(1, cores − 1). */
  concurrency?: number | undefined;
  now: () => number;
}

/** What is stored per file. */
type CachedResult =
  | { kind: 'ok'; probe: VideoProbe; measures: VideoMeasures; analysisMs: number }
  | { kind: 'bad_output'; message: string };

interface CacheRow {
  probe: string | null;
  measures: string | null;
  bad_output: string | null;
  analysis_ms: number;
}

export interface AnalyserResult {
  analysis: VideoAnalysis;
  /** True when the result came from the cache (no ffmpeg ran). */
  cached: boolean;
}

export class VideoAnalyser {
  readonly queue: AnalysisQueue;
  private readonly inFlight = new Map<string, Promise<CachedResult>>();

  constructor(private readonly deps: VideoAnalyserDeps) {
    this.queue = new AnalysisQueue(deps.concurrency ?? defaultAnalysisConcurrency());
  }

  /**
   * The analysis of a stored file. Throws ProviderError `bad_output` when it is not a usable
   * video (also from the cache), `timeout` / `cancelled` / `provider_unavailable` otherwise
   * (those are never cached).
   */
  async analyse(
    mediaId: string,
    file: string,
    requested: ComplianceRequest,
    signal?: AbortSignal,
  ): Promise<AnalyserResult> {
    let cached = true;
    let result = this.read(mediaId);
    if (!result) {
      let pending = this.inFlight.get(mediaId);
      if (!pending) {
        cached = false;
        pending = this.queue
          .run(() => this.measure(mediaId, file, signal), signal)
          .finally(() => this.inFlight.delete(mediaId));
        this.inFlight.set(mediaId, pending);
      }
      result = await pending;
    }
    if (result.kind === 'bad_output') {
      throw new ProviderError('bad_output', result.message, { provider: 'media' });
    }
    const probe = { ...result.probe };
    return {
      analysis: {
        probe,
        measures: result.measures,
        compliance: checkCompliance(requested, probe),
        analysisMs: cached ? 0 : result.analysisMs,
      },
      cached,
    };
  }

  private async measure(
    mediaId: string,
    file: string,
    signal?: AbortSignal,
  ): Promise<CachedResult> {
    let result: CachedResult;
    try {
      const analysis = await analyseVideo(
        file,
        {},
        {
          ffmpegPath: this.deps.ffmpegPath,
          ffprobePath: this.deps.ffprobePath,
          timeoutMs: this.deps.timeoutMs,
          signal,
          now: this.deps.now,
        },
      );
      result = {
        kind: 'ok',
        probe: analysis.probe,
        measures: analysis.measures,
        analysisMs: analysis.analysisMs,
      };
    } catch (error) {
      const serialized = serializeError(error);
      // Only a verdict on the bytes themselves is kept; timeouts and cancellations are not.
      if (serialized.code !== 'bad_output' || signal?.aborted) throw error;
      result = { kind: 'bad_output', message: serialized.message };
    }
    try {
      this.write(mediaId, result);
    } catch (error) {
      // A cache: another process holding the database (past the busy timeout) does not cost
      // the analysis just made; the file is analysed again when next asked for.
      if (!isDatabaseBusy(error)) throw error;
    }
    return result;
  }

  private read(mediaId: string): CachedResult | null {
    const row = this.deps.db
      .prepare(
        'SELECT probe, measures, bad_output, analysis_ms FROM media_analysis WHERE media_id = ? AND version = ?',
      )
      .get(mediaId, ANALYSIS_VERSION) as CacheRow | undefined;
    if (!row) return null;
    if (row.bad_output !== null) return { kind: 'bad_output', message: row.bad_output };
    try {
      return {
        kind: 'ok',
        probe: JSON.parse(row.probe ?? '') as VideoProbe,
        measures: JSON.parse(row.measures ?? '') as VideoMeasures,
        analysisMs: row.analysis_ms,
      };
    } catch {
      return null; // a damaged row is analysed again and overwritten
    }
  }

  private write(mediaId: string, result: CachedResult): void {
    if (!this.deps.db.open) return;
    const known = this.deps.db.prepare('SELECT 1 FROM media WHERE id = ?').get(mediaId);
    if (!known) return; // only files the media store recorded are cached
    this.deps.db
      .prepare(
        `INSERT OR REPLACE INTO media_analysis (media_id, version, probe, measures, bad_output, analysis_ms, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        mediaId,
        ANALYSIS_VERSION,
        result.kind === 'ok' ? JSON.stringify(result.probe) : null,
        result.kind === 'ok' ? JSON.stringify(result.measures) : null,
        result.kind === 'bad_output' ? result.message : null,
        result.kind === 'ok' ? result.analysisMs : 0,
        this.deps.now(),
      );
  }
}

/** Whether a run analyses its videos (runs.analysis; absent run → true). */
export function runAnalysisEnabled(db: WritableDb, runId: string): boolean {
  const row = db.prepare('SELECT analysis FROM runs WHERE id = ?').get(runId) as
    { analysis: number } | undefined;
  return row ? row.analysis !== 0 : true;
}

export function setRunAnalysis(db: WritableDb, runId: string, enabled: boolean): void {
  db.prepare('UPDATE runs SET analysis = ? WHERE id = ?').run(enabled ? 1 : 0, runId);
}
