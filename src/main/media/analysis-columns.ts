/**
 * How a VideoAnalysis is stored on a generations row and read back for scorecards.
 *
 * Proposed columns (added by a migration): video_probe TEXT (JSON VideoProbe), video_measures
 * TEXT (JSON VideoMeasures), compliance TEXT (JSON ComplianceFinding[]; '[]' = compliant),
 * analysis_error TEXT (why analysis did not run or finish; NULL when it did). NULL JSON columns
 * mean "not analysed". Reading tolerates old or hand-edited rows: anything that does not parse
 * becomes "not analysed" rather than an exception.
 */
import { z } from 'zod';
import type { ScorecardRow } from '../bench/scorecard';
import type { VideoAnalysis } from './video-analysis';

export interface AnalysisColumns {
  video_probe: string | null;
  video_measures: string | null;
  compliance: string | null;
  analysis_error: string | null;
}

/** The column values for a finished analysis. */
export function analysisColumns(analysis: VideoAnalysis): AnalysisColumns {
  return {
    video_probe: JSON.stringify(analysis.probe),
    video_measures: JSON.stringify(analysis.measures),
    compliance: JSON.stringify(analysis.compliance),
    analysis_error: null,
  };
}

/** The column values when analysis was skipped or failed (e.g. ffmpeg missing, timed out). */
export function analysisErrorColumns(message: string): AnalysisColumns {
  return { video_probe: null, video_measures: null, compliance: null, analysis_error: message };
}

const nullableNumber = z.number().nullable().optional();
const measuresSchema = z.object({
  flicker: nullableNumber,
  blur: nullableNumber,
  frozenFraction: nullableNumber,
  blackFraction: nullableNumber,
  sceneCuts: nullableNumber,
  motion: nullableNumber,
});
const probeSchema = z.object({ durationSeconds: z.number() });
const complianceSchema = z.array(
  z.object({ setting: z.string(), expected: z.string(), actual: z.string(), message: z.string() }),
);

function parseJson<T>(text: string | null | undefined, schema: z.ZodType<T>): T | null {
  if (text === null || text === undefined) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The scorecard's extra fields from the stored columns. */
export function scorecardFieldsFromColumns(
  columns: Partial<AnalysisColumns>,
): Pick<ScorecardRow, 'videoSeconds' | 'measures' | 'compliance'> {
  return {
    videoSeconds: parseJson(columns.video_probe, probeSchema)?.durationSeconds ?? null,
    measures: parseJson(columns.video_measures, measuresSchema),
    compliance: parseJson(columns.compliance, complianceSchema),
  };
}
