/**
 * Video analysis in words: the one-line summary of a clip and the technical measures with
 * their one-sentence explanations.
 *
 * The list of measures, their names, explanations and units are shared with the analysis
 * (shared/bench/measures.ts), so a measure reads the same on every screen.
 */
import type { GenerationRecord } from '../../../shared/domain';
import {
  MEASURE_EXPLANATIONS,
  MEASURE_KEYS,
  MEASURE_LABELS,
  formatMeasure,
  type MeasureKey,
} from '../../../shared/bench/measures';

export { MEASURE_EXPLANATIONS, MEASURE_KEYS, MEASURE_LABELS, formatMeasure, type MeasureKey };

function trimZero(text: string): string {
  return text.endsWith('.0') ? text.slice(0, -2) : text;
}

type Analysis = NonNullable<GenerationRecord['analysis']>;

/** "4.0 s · 480×270 · 24 fps · h264 · audio"; parts that were not measured are left out. */
export function analysisLine(analysis: Analysis): string {
  const parts: string[] = [];
  if (analysis.durationSeconds !== null) parts.push(`${analysis.durationSeconds.toFixed(1)} s`);
  if (analysis.width !== null && analysis.height !== null)
    parts.push(`${analysis.width}×${analysis.height}`);
  const rate = analysis.frameRate;
  if (rate?.variable) {
    parts.push(
      `variable ${trimZero(rate.minFps.toFixed(1))}–${trimZero(rate.maxFps.toFixed(1))} fps (avg ${trimZero(rate.avgFps.toFixed(1))})`,
    );
  } else if (analysis.fps !== null) parts.push(`${trimZero(analysis.fps.toFixed(1))} fps`);
  if (analysis.videoCodec) parts.push(analysis.videoCodec);
  if (analysis.hasAudio !== null) parts.push(analysis.hasAudio ? 'audio' : 'no audio');
  return parts.join(' · ');
}

/** The measures present in an analysis, in display order. */
export function measuresOf(
  measures: Record<string, number | null>,
): { key: MeasureKey; label: string; value: string; explanation: string }[] {
  return MEASURE_KEYS.filter((key) => key in measures).map((key) => ({
    key,
    label: MEASURE_LABELS[key],
    value: formatMeasure(key, measures[key]),
    explanation: MEASURE_EXPLANATIONS[key],
  }));
}
