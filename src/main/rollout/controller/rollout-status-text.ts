/**
 * `aideon rollout status` as text: per environment of the store, its live version and each
 * rollout's flag, status, share and step, bake, and when its next step is due, with why one
 * paused or stopped; the Publishing screen's rollout rows, for a terminal.
 */
import { formatBakeTime, formatDateTime } from '../../../shared/format';
import type {
  EnvironmentOverview,
  RolloutSummary,
} from '../../../shared/rollout/publish-ipc-schemas';

export function formatRolloutStatus(
  storeUri: string,
  hasTrust: boolean,
  environments: readonly EnvironmentOverview[],
  now: number,
): string {
  const lines = [`Store: ${storeUri}`];
  if (!hasTrust) {
    lines.push(
      'Nothing is published there yet (no trust file): set up signing with aideon config trust init, then publish.',
    );
    return lines.join('\n');
  }
  for (const environment of environments) {
    const live = environment.live ? `live version ${environment.live.version}` : 'nothing live';
    if (environment.problem) {
      lines.push(`${environment.environment} (${live}): cannot be read: ${environment.problem}`);
      continue;
    }
    if (environment.rollouts.length === 0) {
      lines.push(`${environment.environment} (${live}): no rollouts`);
      continue;
    }
    lines.push(`${environment.environment} (${live}):`);
    for (const rollout of environment.rollouts) lines.push(...rolloutLines(rollout, now));
  }
  return lines.join('\n');
}

function rolloutLines(rollout: RolloutSummary, now: number): string[] {
  const current = rollout.stepIndex >= 0 ? (rollout.steps[rollout.stepIndex] ?? 0) : 0;
  const step = `step ${rollout.stepIndex + 1} of ${rollout.steps.length}`;
  const share =
    rollout.status === 'stopped'
      ? `stopped at ${current}% (${step})`
      : `${current}% on "${rollout.onVariant}", the rest "${rollout.offVariant}" (${step})`;
  const plan = `steps ${rollout.steps.map((value) => `${value}%`).join(' → ')}, bake ${formatBakeTime(rollout.bakeMs)} each`;
  const next =
    rollout.status === 'running'
      ? rollout.nextStepAt === null
        ? 'at its last step'
        : rollout.nextStepAt <= now
          ? 'next step due now'
          : `next step ${formatDateTime(rollout.nextStepAt)}`
      : rollout.status === 'paused'
        ? `paused${rollout.stillLive ? ' (its step still serves)' : ''}: resume with aideon rollout resume --env ${rollout.environment} --flag ${rollout.flagKey}`
        : rollout.status === 'completed'
          ? 'completed'
          : `stopped${rollout.stoppedReason ? `: ${rollout.stoppedReason}` : ''}`;
  const out = [
    `  ${rollout.flagKey}  ${rollout.status}  ${share}`,
    `    ${plan} · ${next} · started by ${rollout.startedBy}`,
  ];
  if (rollout.problem) out.push(`    ! ${rollout.problem}`);
  return out;
}
