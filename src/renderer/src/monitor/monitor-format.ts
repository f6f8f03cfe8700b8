/** Words for the release monitor: short relative times, event kinds, board stages. */
import type {
  BoardStage,
  MonitorEventKind,
  StageEvidence,
} from '../../../shared/monitor/monitor-schemas';

/** "just now", "3 min ago", "in 14 min", "2 h ago", "in 1 d". */
export function shortRelative(timestamp: number, now: number): string {
  const seconds = Math.round((timestamp - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return seconds > 0 ? 'in a moment' : 'just now';
  let amount: string;
  if (abs < 3600) amount = `${Math.max(1, Math.round(abs / 60))} min`;
  else if (abs < 86_400) amount = `${Math.round(abs / 3600)} h`;
  else amount = `${Math.round(abs / 86_400)} d`;
  return seconds > 0 ? `in ${amount}` : `${amount} ago`;
}

export const EVENT_KIND_LABELS: Record<MonitorEventKind, string> = {
  added: 'New',
  removed: 'Removed',
  changed: 'Changed',
  in_use_retired: 'In use, retiring',
};

export const STAGE_LABELS: Record<BoardStage, string> = {
  detected: 'Detected',
  validated: 'Validated',
  benchmarked: 'Benchmarked',
  placed: 'Placed',
  rolling_out: 'Rolling out',
  stable: 'Stable',
  rolled_back: 'Rolled back',
};

/** What each stage needs, in a sentence, for the advance dialog. */
export const STAGE_NEEDS: Record<BoardStage, string> = {
  detected: 'The monitor found the model in the provider’s catalogue.',
  validated:
    'A smoke generation passed through the real adapter. Name the run and document the parameters and limitations.',
  benchmarked: 'A benchmark run with enough votes to rank the model.',
  placed: 'The model is in a published config version.',
  rolling_out: 'The config with this model is being rolled out to an environment.',
  stable: 'Production showed no critical issue for at least 7 consecutive days.',
  rolled_back: 'The model was taken out again. Say why.',
};

/** Evidence as short facts (the run id is shown separately as a link). */
export function evidenceFacts(evidence: StageEvidence): string[] {
  switch (evidence.stage) {
    case 'detected':
      return [
        evidence.smokeError ? `Smoke run failed: ${evidence.smokeError}` : null,
        evidence.note ?? null,
      ].filter((fact): fact is string => fact !== null);
    case 'validated':
      return [
        `Parameters: ${evidence.parameters}`,
        evidence.limitations ? `Limitations: ${evidence.limitations}` : null,
      ].filter((fact): fact is string => fact !== null);
    case 'benchmarked':
      return [evidence.voteCount === 1 ? '1 vote' : `${evidence.voteCount} votes`];
    case 'placed':
      return [
        `Config v${evidence.configVersion}`,
        evidence.tier ? `tier ${evidence.tier}` : null,
      ].filter((fact): fact is string => fact !== null);
    case 'rolling_out':
      return [
        `Config v${evidence.configVersion}`,
        evidence.percent !== undefined
          ? `${evidence.environment}, ${evidence.percent}%`
          : evidence.environment,
      ];
    case 'stable':
      return [`Config v${evidence.configVersion}`, `${evidence.cleanDays} clean days`];
    case 'rolled_back':
      return [`Config v${evidence.configVersion}`, `Reason: ${evidence.reason}`];
  }
}

/** The run an evidence entry points to, if any. */
export function evidenceRunId(evidence: StageEvidence): string | null {
  switch (evidence.stage) {
    case 'detected':
      return evidence.smokeRunId ?? null;
    case 'validated':
    case 'benchmarked':
      return evidence.runId;
    default:
      return null;
  }
}
