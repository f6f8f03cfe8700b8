import type { Migration } from '../migrations';

/**
 * Category pools (text-to-video, image-to-video; with and without audio) for every vote, so
 * ratings never mix pools silently (see POOLS in shared/review/review-schemas.ts).
 * - `votes.pool`: from the pair's generations: image-to-video when the prompt has a reference
 *   image, "-audio" when both videos have a sound track (ffprobe's hasAudio, else the audio
 *   setting asked for). Earlier votes are filled in from their generations; a vote whose
 *   generations are gone, or whose two videos differ in audio, is `unspecified`.
 * - Arena (model-level) votes are kept as counts: `external_vote_counts` holds, per file, how
 *   many votes each (model_a, model_b, verdict, category) got, with the category's pool. The
 *   votes carry nothing else, so this is exact for the fit and its bootstrap (resampling the
 *   counts is resampling the votes), and a 100k-vote file is a few thousand rows. Earlier imports
 *   (`external_votes`, one row a vote) are moved over, their pool filled in for the pool names
 *   themselves and t2v / i2v (other categories: `unspecified`).
 */
export const migration0220: Migration = {
  version: 220,
  name: 'vote-pools',
  sql: `
ALTER TABLE votes ADD COLUMN pool TEXT NOT NULL DEFAULT 'unspecified'
  CHECK (pool IN ('text-to-video','text-to-video-audio','image-to-video','image-to-video-audio','unspecified'));
UPDATE votes SET pool = (
  SELECT CASE
    WHEN audio_a IS NOT audio_b THEN 'unspecified'
    ELSE (CASE WHEN image_a THEN 'image-to-video' ELSE 'text-to-video' END)
      || (CASE WHEN audio_a THEN '-audio' ELSE '' END)
  END
  FROM (
    SELECT
      (ga.image_url IS NOT NULL AND ga.image_url <> '') AS image_a,
      coalesce(CASE WHEN json_valid(ga.video_probe) THEN json_extract(ga.video_probe, '$.hasAudio') END,
               CASE WHEN json_valid(ga.settings) THEN json_extract(ga.settings, '$.audio') END, 0) <> 0 AS audio_a,
      coalesce(CASE WHEN json_valid(gb.video_probe) THEN json_extract(gb.video_probe, '$.hasAudio') END,
               CASE WHEN json_valid(gb.settings) THEN json_extract(gb.settings, '$.audio') END, 0) <> 0 AS audio_b
    FROM generations ga, generations gb
    WHERE ga.id = votes.generation_a AND gb.id = votes.generation_b
  )
)
WHERE EXISTS (SELECT 1 FROM generations WHERE id = votes.generation_a)
  AND EXISTS (SELECT 1 FROM generations WHERE id = votes.generation_b);
CREATE INDEX votes_pool ON votes (pool);
CREATE TABLE external_vote_counts (
  file_sha256 TEXT NOT NULL REFERENCES external_vote_files (sha256),
  model_a TEXT NOT NULL,
  model_b TEXT NOT NULL,
  verdict TEXT NOT NULL CHECK (verdict IN ('a','b','tie','both_bad')),
  category TEXT NOT NULL,
  pool TEXT NOT NULL
    CHECK (pool IN ('text-to-video','text-to-video-audio','image-to-video','image-to-video-audio','unspecified')),
  votes INTEGER NOT NULL CHECK (votes > 0),
  CHECK (model_a <> model_b),
  PRIMARY KEY (file_sha256, model_a, model_b, verdict, category)
) WITHOUT ROWID;
INSERT INTO external_vote_counts (file_sha256, model_a, model_b, verdict, category, pool, votes)
SELECT file_sha256, model_a, model_b, verdict, category,
  CASE lower(trim(category))
    WHEN 'text-to-video' THEN 'text-to-video'
    WHEN 't2v' THEN 'text-to-video'
    WHEN 'text-to-video-audio' THEN 'text-to-video-audio'
    WHEN 'image-to-video' THEN 'image-to-video'
    WHEN 'i2v' THEN 'image-to-video'
    WHEN 'image-to-video-audio' THEN 'image-to-video-audio'
    ELSE 'unspecified' END,
  COUNT(*)
FROM external_votes GROUP BY file_sha256, model_a, model_b, verdict, category;
DROP TABLE external_votes;
`,
};
