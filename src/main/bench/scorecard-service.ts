import type { RunComparison, RunDifference } from '../../shared/bench/scorecard-schema';
import { AppError } from '../../shared/errors';
import { scorecardFieldsFromColumns } from '../media/analysis-columns';
import type { ReadableDb } from '../store/db';
import { getRunSummary, listGenerationRows, type GenerationRow } from './bench-repository';
import {
  compareScorecards,
  computeScorecard,
  scorecardToCsv,
  type Scorecard,
  type ScorecardRow,
} from './scorecard';

/** A stored generation as the scorecard reads it (with its video analysis). */
export function scorecardRowOf(row: GenerationRow): ScorecardRow {
  const fields = scorecardFieldsFromColumns(row);
  return {
    provider: row.provider,
    model_id: row.model_id,
    category: row.category,
    outcome: row.outcome,
    submitted_at: row.submitted_at,
    started_at: row.started_at,
    completed_at: row.completed_at,
    finished_at: row.finished_at,
    download_ms: row.download_ms,
    cost_usd: row.cost_usd,
    cached: row.cached,
    settings: row.settings,
    videoSeconds: fields.videoSeconds ?? null,
    measures: fields.measures ?? null,
    compliance: fields.compliance ?? null,
  };
}

/** The scorecard of one run, from its stored generations and video analysis. */
export function runScorecard(db: ReadableDb, runId: string): Scorecard {
  if (!getRunSummary(db, runId)) throw new AppError('not_found', `There is no run "${runId}".`);
  const rows = listGenerationRows(db, runId).map(scorecardRowOf);
  return computeScorecard(rows);
}

export function runScorecardCsv(db: ReadableDb, runId: string): string {
  return scorecardToCsv(runScorecard(db, runId));
}

/**
 * Two runs compared like for like. Only the prompts both ran with the same text, image and
 * settings, and only the models both ran, enter the figures; every other difference (suite,
 * suite version, prompts, settings, models) is said in `differences`. Counts match the rows:
 * worse + better = changes, unchanged = figures compared that stayed within the thresholds.
 */
export function compareRuns(
  db: ReadableDb,
  beforeRunId: string,
  afterRunId: string,
): RunComparison {
  const beforeRun = getRunSummary(db, beforeRunId);
  if (!beforeRun) throw new AppError('not_found', `There is no run "${beforeRunId}".`);
  const afterRun = getRunSummary(db, afterRunId);
  if (!afterRun) throw new AppError('not_found', `There is no run "${afterRunId}".`);
  const beforeRows = listGenerationRows(db, beforeRunId);
  const afterRows = listGenerationRows(db, afterRunId);

  const promptsBefore = new Set(beforeRows.map(promptKey));
  const promptsAfter = new Set(afterRows.map(promptKey));
  const sharedPrompts = new Set([...promptsBefore].filter((key) => promptsAfter.has(key)));
  const modelsBefore = new Set(beforeRows.map(modelKey));
  const modelsAfter = new Set(afterRows.map(modelKey));
  const sharedModels = [...modelsBefore].filter((key) => modelsAfter.has(key)).sort();
  const onlyBefore = [...modelsBefore].filter((key) => !modelsAfter.has(key)).sort();
  const onlyAfter = [...modelsAfter].filter((key) => !modelsBefore.has(key)).sort();

  const differences: RunDifference[] = [];
  if (beforeRun.suiteId !== afterRun.suiteId) {
    differences.push({
      aspect: 'suite',
      message: `Different suites: "${beforeRun.suiteName}" before, "${afterRun.suiteName}" after.`,
    });
  } else if (beforeRun.suiteVersion !== afterRun.suiteVersion) {
    differences.push({
      aspect: 'suite-version',
      message: `Suite "${afterRun.suiteName}" changed between the runs: version ${beforeRun.suiteVersion} before, ${afterRun.suiteVersion} after.`,
    });
  }
  const settings = settingsDifferences(beforeRows, afterRows);
  if (settings.length > 0) {
    differences.push({
      aspect: 'settings',
      message: `Generation settings differ: ${settings.join('; ')}.`,
    });
  }
  if (sharedPrompts.size === 0) {
    differences.push({
      aspect: 'prompts',
      message:
        'No prompt was run by both with the same text, image and settings, so no figure can be compared like for like.',
    });
  } else if (sharedPrompts.size < promptsBefore.size || sharedPrompts.size < promptsAfter.size) {
    differences.push({
      aspect: 'prompts',
      message: `${sharedPrompts.size} ${sharedPrompts.size === 1 ? 'prompt was' : 'prompts were'} run by both (same text, image and settings) out of ${promptsBefore.size} before and ${promptsAfter.size} after; only ${sharedPrompts.size === 1 ? 'that one is' : 'those are'} compared.`,
    });
  }
  if (onlyBefore.length > 0 || onlyAfter.length > 0) {
    const parts = [
      onlyBefore.length > 0 ? `only before: ${onlyBefore.join(', ')}` : null,
      onlyAfter.length > 0 ? `only after: ${onlyAfter.join(', ')}` : null,
    ].filter((part): part is string => part !== null);
    differences.push({
      aspect: 'models',
      message:
        sharedModels.length === 0
          ? `No model was run by both (${parts.join('; ')}).`
          : `Models differ (${parts.join('; ')}); only the ${sharedModels.length === 1 ? 'model' : `${sharedModels.length} models`} both ran ${sharedModels.length === 1 ? 'is' : 'are'} compared.`,
    });
  }

  const comparable = sharedPrompts.size > 0 && sharedModels.length > 0;
  const keep = (row: GenerationRow): boolean =>
    sharedPrompts.has(promptKey(row)) && sharedModels.includes(modelKey(row));
  const tally = { compared: 0 };
  const changes = comparable
    ? compareScorecards(
        computeScorecard(beforeRows.filter(keep).map(scorecardRowOf)),
        computeScorecard(afterRows.filter(keep).map(scorecardRowOf)),
        {},
        tally,
      )
    : [];
  const worse = changes.filter((change) => change.worse).length;
  return {
    before: {
      runId: beforeRun.id,
      suiteName: beforeRun.suiteName,
      suiteVersion: beforeRun.suiteVersion,
    },
    after: {
      runId: afterRun.id,
      suiteName: afterRun.suiteName,
      suiteVersion: afterRun.suiteVersion,
    },
    differences,
    comparable,
    prompts: { shared: sharedPrompts.size, before: promptsBefore.size, after: promptsAfter.size },
    models: { shared: sharedModels, onlyBefore, onlyAfter },
    changes,
    counts: { worse, better: changes.length - worse, unchanged: tally.compared - changes.length },
  };
}

function modelKey(row: GenerationRow): string {
  return `${row.provider}:${row.model_id}`;
}

/** The same prompt: text, image and generation settings (keys in a fixed order). */
function promptKey(row: GenerationRow): string {
  return JSON.stringify([row.prompt, row.image_url ?? null, canonicalSettings(row.settings)]);
}

function parseSettings(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

function canonicalSettings(text: string): string {
  const settings = parseSettings(text);
  return JSON.stringify(
    Object.keys(settings)
      .sort()
      .map((key) => [key, settings[key]]),
  );
}

/** `durationSeconds 4 → 8` for each setting whose values differ between the runs. */
function settingsDifferences(before: GenerationRow[], after: GenerationRow[]): string[] {
  const values = (rows: GenerationRow[]): Map<string, Set<string>> => {
    const byKey = new Map<string, Set<string>>();
    for (const row of rows) {
      for (const [key, value] of Object.entries(parseSettings(row.settings))) {
        if (!byKey.has(key)) byKey.set(key, new Set());
        byKey.get(key)!.add(JSON.stringify(value));
      }
    }
    return byKey;
  };
  const a = values(before);
  const b = values(after);
  const shown = (set: Set<string> | undefined): string =>
    set ? [...set].sort().join(' / ') : 'not set';
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  return keys
    .filter((key) => shown(a.get(key)) !== shown(b.get(key)))
    .map((key) => `${key} ${shown(a.get(key))} → ${shown(b.get(key))}`);
}
