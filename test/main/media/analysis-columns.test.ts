import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  analysisColumns,
  analysisErrorColumns,
  scorecardFieldsFromColumns,
} from '../../../src/main/media/analysis-columns';
import { analyseVideo } from '../../../src/main/media/video-analysis';
import { computeScorecard } from '../../../src/main/bench/scorecard';
import { scorecardRow } from '../../helpers/scorecard-row';

const clipA = resolve(__dirname, '../../../resources/sandbox-clips/clip-a.mp4');

describe('analysis columns', () => {
  it('round-trips a real analysis into scorecard fields', async () => {
    const analysis = await analyseVideo(clipA, { durationSeconds: 4, audio: false });
    const columns = analysisColumns(analysis);
    expect(columns.analysis_error).toBeNull();
    const fields = scorecardFieldsFromColumns(columns);
    expect(fields.videoSeconds).toBeCloseTo(4, 1);
    expect(fields.measures).toEqual({
      flicker: analysis.measures.flicker,
      blur: analysis.measures.blur,
      frozenFraction: analysis.measures.frozenFraction,
      blackFraction: analysis.measures.blackFraction,
      sceneCuts: analysis.measures.sceneCuts,
      motion: analysis.measures.motion,
    });
    expect(fields.compliance?.map((f) => f.setting)).toEqual(['audio']);
    const card = computeScorecard([scorecardRow({ model_id: 'm', cost_usd: 1, ...fields })]);
    expect(card.models[0]!.overall.complianceRate).toBe(0);
    expect(card.models[0]!.overall.costPerSecondUsd).toBeCloseTo(0.25, 2);
  });

  it('reads missing or damaged columns as "not analysed"', () => {
    expect(scorecardFieldsFromColumns(analysisErrorColumns('ffmpeg was not found'))).toEqual({
      videoSeconds: null,
      measures: null,
      compliance: null,
    });
    expect(
      scorecardFieldsFromColumns({
        video_probe: '{"durationSeconds":"4"}',
        video_measures: 'not json',
        compliance: '[{"setting":1}]',
      }),
    ).toEqual({ videoSeconds: null, measures: null, compliance: null });
    expect(scorecardFieldsFromColumns({ compliance: '[]' }).compliance).toEqual([]);
  });
});
