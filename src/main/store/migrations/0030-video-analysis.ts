import type { Migration } from '../migrations';

/** What ffprobe/ffmpeg found in each downloaded video. NULL = not analysed. */
export const migration0030: Migration = {
  version: 30,
  name: 'video-analysis',
  sql: `
ALTER TABLE generations ADD COLUMN video_probe TEXT;
ALTER TABLE generations ADD COLUMN video_measures TEXT;
ALTER TABLE generations ADD COLUMN compliance TEXT;
ALTER TABLE generations ADD COLUMN analysis_error TEXT;
`,
};
