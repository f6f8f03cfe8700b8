/**
 * What the onboarding board checks before a card moves: the evidence an admin names must exist
 * in the console's own records. A smoke run must hold a successful generation of this model, a
 * benchmark needs enough votes on this model to rank it, a config version must be signed into
 * the environment named and route the model, and "stable" needs production's metrics to show
 * the clean days claimed, and "rolled back" needs a rollback in the publishing history of a
 * version that routed the model. A source that is not wired (tests, the CLI) takes the admin's
 * word.
 */
import type { StageEvidence } from '../../shared/monitor/monitor-schemas';
import type { ProviderId } from '../../shared/providers/video-provider-spec';
import type { ReadableDb } from '../store/db';

/** Votes on a model before "benchmarked" is believed (the ratings' separation floor). */
export const MIN_RANKING_VOTES = 10;

export interface CardModel {
  provider: ProviderId;
  modelId: string;
}

export interface EvidenceSources {
  /** Successful generations of the model in the run; null when there is no such run. */
  runSuccesses(runId: string, model: CardModel): number | null;
  /** Blind votes in which the model took part. */
  votesFor(model: CardModel): number;
  /** Why a published config version does not route the model (null = it does). */
  configVersionProblem?(input: {
    environment: 'dev' | 'staging' | 'production';
    version: number;
    provider: ProviderId;
    modelId: string;
    tier?: string;
  }): Promise<string | null>;
  /** Consecutive clean production days for a tier, from the production watch. */
  cleanDays?(tier: string): Promise<{ count: number; problems: string[] }>;
  /**
   * Rollbacks in the publishing history: the version each published in its environment (the
   * version it replaced is the one below it).
   */
  rollbacks?(): RollbackRecord[];
}

export interface RollbackRecord {
  environment: 'dev' | 'staging' | 'production';
  /** The version the rollback published. */
  version: number;
  /** The earlier version whose content it restored. */
  restoresVersion: number | null;
}

/** Reads runs and votes from the console's database. */
export function databaseEvidenceSources(
  db: ReadableDb,
  extra: Pick<EvidenceSources, 'cleanDays' | 'configVersionProblem'> = {},
): EvidenceSources {
  return {
    runSuccesses(runId, model) {
      const run = db.prepare('SELECT 1 FROM runs WHERE id = ?').get(runId);
      if (!run) return null;
      const row = db
        .prepare(
          `SELECT COUNT(*) AS n FROM generations
           WHERE run_id = ? AND provider = ? AND lower(model_id) = lower(?) AND outcome = 'success'`,
        )
        .get(runId, model.provider, model.modelId) as { n: number };
      return row.n;
    },
    votesFor(model) {
      const key = `${model.provider}:${model.modelId}`;
      const row = db
        .prepare('SELECT COUNT(*) AS n FROM votes WHERE model_a = ? OR model_b = ?')
        .get(key, key) as { n: number };
      return row.n;
    },
    rollbacks() {
      const rows = db
        .prepare(
          // The shared history (the store's signed log, copied here once verified) holds every
          // console's and the controller's rollbacks; publish_history holds older local ones.
          `SELECT environment, version, detail FROM publish_history
           WHERE action = 'rollback' AND version IS NOT NULL
           UNION ALL
           SELECT environment, version, detail FROM shared_history
           WHERE action = 'rollback' AND version IS NOT NULL`,
        )
        .all() as { environment: string; version: number; detail: string }[];
      return rows
        .filter(
          (row): row is typeof row & { environment: RollbackRecord['environment'] } =>
            row.environment === 'dev' ||
            row.environment === 'staging' ||
            row.environment === 'production',
        )
        .map((row) => {
          let restoresVersion: number | null = null;
          try {
            const detail = JSON.parse(row.detail) as { restoresVersion?: unknown };
            if (typeof detail.restoresVersion === 'number')
              restoresVersion = detail.restoresVersion;
          } catch {
            // An unreadable detail only loses the restored version.
          }
          return { environment: row.environment, version: row.version, restoresVersion };
        });
    },
    ...extra,
  };
}

/**
 * Every reason the evidence does not hold for this model (empty = it holds). `placedTier` is
 * the tier recorded when the card was placed, for the stability check.
 */
export async function evidenceProblems(
  sources: EvidenceSources,
  model: CardModel,
  evidence: StageEvidence,
  placedTier: string | undefined,
): Promise<string[]> {
  const name = `${model.provider}/${model.modelId}`;
  const runProblem = (runId: string, what: string): string | null => {
    const successes = sources.runSuccesses(runId, model);
    if (successes === null)
      return `There is no benchmark run "${runId}". Pick the ${what} from the list of runs.`;
    if (successes === 0)
      return `Run "${runId}" has no successful generation of ${name}; the ${what} must include one.`;
    return null;
  };
  switch (evidence.stage) {
    case 'validated': {
      const problem = runProblem(evidence.runId, 'smoke run');
      return problem ? [problem] : [];
    }
    case 'benchmarked': {
      const problems: string[] = [];
      const problem = runProblem(evidence.runId, 'benchmark run');
      if (problem) problems.push(problem);
      const votes = sources.votesFor(model);
      if (votes < MIN_RANKING_VOTES)
        problems.push(
          `${name} has ${votes} blind vote${votes === 1 ? '' : 's'}; ranking it needs at least ${MIN_RANKING_VOTES}. Vote in Review first.`,
        );
      else if (evidence.voteCount > votes)
        problems.push(
          `You entered ${evidence.voteCount} votes, but the console holds ${votes} for ${name}.`,
        );
      return problems;
    }
    case 'placed': {
      // Placed = in a config signed into dev (where every config starts).
      const problem = await sources.configVersionProblem?.({
        environment: 'dev',
        version: evidence.configVersion,
        ...model,
        ...(evidence.tier ? { tier: evidence.tier } : {}),
      });
      return problem ? [problem] : [];
    }
    case 'rolling_out': {
      const problem = await sources.configVersionProblem?.({
        environment: evidence.environment,
        version: evidence.configVersion,
        ...model,
        ...(placedTier ? { tier: placedTier } : {}),
      });
      return problem ? [problem] : [];
    }
    case 'stable': {
      const problem = await sources.configVersionProblem?.({
        environment: 'production',
        version: evidence.configVersion,
        ...model,
        ...(placedTier ? { tier: placedTier } : {}),
      });
      if (problem) return [problem];
      if (!sources.cleanDays) return [];
      if (!placedTier)
        return [
          'The card has no tier: stability is measured per tier. Record the tier when placing the model.',
        ];
      const days = await sources.cleanDays(placedTier);
      if (days.problems.length > 0)
        return [
          `Production metrics for tier "${placedTier}" could not be read, so stability is not granted: ${days.problems.join('; ')}`,
        ];
      if (days.count < evidence.cleanDays)
        return [
          `Production shows ${days.count} consecutive clean day${days.count === 1 ? '' : 's'} for tier "${placedTier}", not ${evidence.cleanDays}.`,
        ];
      return [];
    }
    case 'rolled_back': {
      if (!sources.rollbacks) return [];
      // The version named is the one taken out: the rollback published the version above it
      // in the same environment (the rollback's own version is accepted too).
      const rollbacks = sources
        .rollbacks()
        .filter(
          (rollback) =>
            rollback.version - 1 === evidence.configVersion ||
            rollback.version === evidence.configVersion,
        );
      if (rollbacks.length === 0)
        return [
          `The publishing history has no rollback of config version ${evidence.configVersion}. Roll the config back under Publishing first, then name the version it took out.`,
        ];
      const problems: string[] = [];
      for (const rollback of rollbacks) {
        const replaced = rollback.version - 1;
        const problem = await sources.configVersionProblem?.({
          environment: rollback.environment,
          version: replaced,
          ...model,
        });
        if (!problem) return [];
        problems.push(problem);
      }
      return [
        `No rollback of config version ${evidence.configVersion} took ${name} out: ${problems.join(' ')}`,
      ];
    }
    default:
      return [];
  }
}
