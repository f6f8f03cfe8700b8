/**
 * The technical measures of a clip (src/main/media/video-analysis.ts measures them), in the one
 * order every table and export lists them, with the sentence the UI shows to explain each.
 * Shared so the scorecard, the analysis and the renderer read the same list.
 */
import { formatDecimal, formatPercent } from '../format';

export const MEASURE_KEYS = [
  'flicker',
  'blur',
  'frozenFraction',
  'blackFraction',
  'sceneCuts',
  'motion',
] as const;
export type MeasureKey = (typeof MEASURE_KEYS)[number];

/** One sentence per measure, for the UI; each names the unit its value is written in. */
export const MEASURE_EXPLANATIONS: Readonly<Record<MeasureKey, string>> = {
  flicker:
    'How much the overall brightness jumps from one frame to the next (hard cuts excluded), in percent of the full brightness range; higher means more visible flicker.',
  blur: 'How wide the edges in the picture are on average, in pixels at a common size of 360 lines; higher means blurrier, lower means sharper.',
  frozenFraction:
    'The share of the clip in which the picture stands still for half a second or more, as if the video had frozen.',
  blackFraction:
    'The share of the clip that is (almost) completely black, such as black frames at the start or end.',
  sceneCuts:
    'How many hard cuts the clip contains, where the picture suddenly changes to a different shot.',
  motion:
    'How much each pixel changes between frames on average (hard cuts excluded), in percent of the full brightness range; near zero is a still image, higher is busier motion.',
};

/** A measure's name on the screens; a per-frame measure says so, its value being a rate. */
export const MEASURE_LABELS: Readonly<Record<MeasureKey, string>> = {
  flicker: 'Flicker per frame',
  blur: 'Blur (edge width)',
  frozenFraction: 'Frozen',
  blackFraction: 'Black',
  sceneCuts: 'Scene cuts',
  motion: 'Motion per frame',
};

/**
 * A measure's column in the scorecard CSV (the mean over a model's clips), named with its unit:
 * the CSV keeps the raw figure, so the name says what it is in. `_fraction` is 0–1 (of the
 * brightness range per frame for flicker and motion, of the clip for frozen and black), `_px`
 * pixels at 360 lines, `_count` a number of cuts. README "Scorecard CSV" lists them.
 */
export const MEASURE_CSV_COLUMNS: Readonly<Record<MeasureKey, string>> = {
  flicker: 'mean_flicker_fraction',
  blur: 'mean_blur_px',
  frozenFraction: 'mean_frozen_fraction',
  blackFraction: 'mean_black_fraction',
  sceneCuts: 'mean_scene_cuts_count',
  motion: 'mean_motion_fraction',
};

/**
 * A measure's value with its unit, one way for the scorecard's table, the clip's measures
 * tooltip and anything else that shows one (a mean of several clips or one clip's figure):
 * - flicker and motion are fractions of the brightness range: percent, with two significant
 *   digits when small ("0.042%" where the bare fraction read "0.00042"; "15%"). Percent of
 *   the range was chosen over scaling (‰, 8-bit levels) because it needs no explaining and
 *   matches how the other shares are written;
 * - frozen and black are shares of the clip: percent ("13%" from 10% up, "4.5%" below it, "0%");
 * - blur is ffmpeg blurdetect's mean edge width in pixels: one decimal ("4.8 px"), finer
 *   than any difference that tells two models apart;
 * - scene cuts are a count (a mean over clips may be fractional): "1 cut", "0.3 cuts".
 * Not measured (null, NaN) is "—".
 */
export function formatMeasure(key: MeasureKey, value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  switch (key) {
    case 'flicker':
    case 'motion':
    case 'frozenFraction':
    case 'blackFraction':
      return formatPercent(value);
    case 'blur':
      return `${formatDecimal(value, 0, 1)} px`;
    case 'sceneCuts': {
      const count = formatDecimal(value, 0, 1);
      return `${count} ${count === '1' ? 'cut' : 'cuts'}`;
    }
  }
}
