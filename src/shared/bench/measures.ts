/**
 * The technical measures of a clip (src/main/media/video-analysis.ts measures them), in the one
 * order every table and export lists them, with the sentence the UI shows to explain each.
 * Shared so the scorecard, the analysis and the renderer read the same list.
 */
export const MEASURE_KEYS = [
  'flicker',
  'blur',
  'frozenFraction',
  'blackFraction',
  'sceneCuts',
  'motion',
] as const;
export type MeasureKey = (typeof MEASURE_KEYS)[number];

/** One sentence per measure, for the UI. */
export const MEASURE_EXPLANATIONS: Readonly<Record<MeasureKey, string>> = {
  flicker:
    'How much the overall brightness jumps from one frame to the next (hard cuts excluded); higher means more visible flicker.',
  blur: 'How soft the edges in the picture are on average, measured at a common size of 360 lines; higher means blurrier, lower means sharper.',
  frozenFraction:
    'The share of the clip in which the picture stands still for half a second or more, as if the video had frozen.',
  blackFraction:
    'The share of the clip that is (almost) completely black, such as black frames at the start or end.',
  sceneCuts:
    'How many hard cuts the clip contains, where the picture suddenly changes to a different shot.',
  motion:
    'How much the picture changes between frames on average (hard cuts excluded); near zero is a still image, higher is busier motion.',
};
