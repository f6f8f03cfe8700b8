/**
 * The onboarding board: one card per newly detected model, moving through
 * detected → validated → benchmarked → placed → rolling_out → stable | rolled_back.
 * Each stage carries its evidence (smoke run, benchmark run and vote count, config version).
 */
import { AppError, ValidationError } from '../../shared/errors';
import {
  BOARD_TRANSITIONS,
  stageEvidenceSchema,
  type BoardCard,
  type StageEvidence,
} from '../../shared/monitor/monitor-schemas';
import type { ProviderId } from '../../shared/providers/video-provider-spec';
import { zodIssues } from '../../shared/validation';
import type { WritableDb } from '../store/db';
import { modelKey } from './catalogue-diff';
import { evidenceProblems, type EvidenceSources } from './evidence-checks';
import {
  appendCardStage,
  findCard,
  getCard,
  insertCard,
  listCards,
  updateLatestEvidence,
} from './monitor-repository';

export interface OnboardingBoardDeps {
  db: WritableDb;
  now: () => number;
  newId: () => string;
  /** Where claimed evidence is checked (runs, votes, production stability). */
  evidence?: EvidenceSources;
}

export class OnboardingBoard {
  constructor(private readonly deps: OnboardingBoardDeps) {}

  list(): BoardCard[] {
    return listCards(this.deps.db);
  }

  get(cardId: string): BoardCard {
    const card = getCard(this.deps.db, cardId);
    if (!card)
      throw new AppError(
        'not_found',
        `There is no onboarding card "${cardId}". Reload the board; it may have been removed.`,
      );
    return card;
  }

  /** The card of a model, created at `detected` when there is none yet. Idempotent. */
  ensureCard(model: {
    provider: ProviderId;
    modelId: string;
    displayName: string;
    checkId: string | null;
    eventId: string | null;
  }): { card: BoardCard; created: boolean } {
    const key = modelKey(model.modelId);
    const existing = findCard(this.deps.db, model.provider, key);
    if (existing) return { card: existing, created: false };
    const id = this.deps.newId();
    insertCard(
      this.deps.db,
      {
        id,
        provider: model.provider,
        modelKey: key,
        modelId: model.modelId,
        displayName: model.displayName,
      },
      { stage: 'detected', checkId: model.checkId, eventId: model.eventId },
      this.deps.now(),
    );
    return { card: this.get(id), created: true };
  }

  /**
   * Moves a card to the stage its evidence names. Refuses skipped stages, missing evidence and
   * evidence the console's records do not back (every problem listed at once).
   */
  async advance(input: { cardId: string; evidence: unknown }): Promise<BoardCard> {
    const parsed = stageEvidenceSchema.safeParse(input.evidence);
    if (!parsed.success)
      throw new ValidationError(
        'evidence for the onboarding stage',
        zodIssues(parsed.error).map((issue) => ({
          ...issue,
          path: issue.path ? `evidence.${issue.path}` : 'evidence',
        })),
      );
    const evidence = parsed.data;
    const card = this.get(input.cardId);
    const allowed = BOARD_TRANSITIONS[card.stage];
    if (!allowed.includes(evidence.stage)) {
      throw new AppError(
        'conflict',
        `The card for ${card.modelId} is at "${card.stage}"; it can move to ${allowed.map((stage) => `"${stage}"`).join(' or ')}, not "${evidence.stage}".`,
      );
    }
    if (this.deps.evidence) {
      const placed = [...card.history].reverse().find((entry) => entry.evidence.stage === 'placed');
      const placedTier = placed?.evidence.stage === 'placed' ? placed.evidence.tier : undefined;
      const problems = await evidenceProblems(this.deps.evidence, card, evidence, placedTier);
      if (problems.length > 0)
        throw new ValidationError(
          `evidence for "${evidence.stage}"`,
          problems.map((message) => ({ path: 'evidence', message })),
        );
    }
    if (!appendCardStage(this.deps.db, card.id, card.stage, evidence, this.deps.now())) {
      throw new AppError(
        'conflict',
        `The card for ${card.modelId} was changed by someone else meanwhile; reload the board and try again.`,
      );
    }
    return this.get(card.id);
  }

  /** Records the automatic smoke run (or why it could not start) on the detected stage. */
  attachSmoke(cardId: string, outcome: { runId: string } | { error: string }): BoardCard {
    const card = this.get(cardId);
    const latest = card.history.at(-1);
    if (card.stage !== 'detected' || latest?.evidence.stage !== 'detected') return card;
    const evidence: StageEvidence = {
      ...latest.evidence,
      ...('runId' in outcome ? { smokeRunId: outcome.runId } : { smokeError: outcome.error }),
    };
    updateLatestEvidence(this.deps.db, cardId, evidence, this.deps.now());
    return this.get(cardId);
  }
}
