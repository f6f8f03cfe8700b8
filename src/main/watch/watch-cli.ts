/**
 * `aideon watch check --env production [--json]`: evaluates every guard once, for a scheduler.
 * Exit codes: 0 every guard passed; 1 the metrics could not be read (Prometheus unreachable, an
 * HTTP or query error, a malformed answer, no settings); 2 bad usage; 3 a guard breached or
 * data was missing. Anything but 0 means "not healthy".
 */
import { WATCH_ENVIRONMENTS, watchEnvSchema } from '../../shared/watch/watch-settings';
import type { WatchReport } from '../../shared/watch/watch-types';
import { formatGuardValue } from './guards';
import type { WatchService } from './watch-service';

export const WATCH_EXIT = { pass: 0, unreadable: 1, usage: 2, breach: 3 } as const;

export function exitCodeFor(report: WatchReport): number {
  if (report.status === 'pass') return WATCH_EXIT.pass;
  if (report.status === 'error') return WATCH_EXIT.unreadable;
  return WATCH_EXIT.breach;
}

export function renderWatchReport(report: WatchReport): string {
  const lines: string[] = [];
  const when = new Date(report.checkedAt).toISOString();
  lines.push(
    `watch check ${report.env} at ${when}, window ${report.window}${report.step ? `, config version ${report.step.version}` : ''}: ${report.status.toUpperCase()}`,
  );
  for (const problem of report.problems) lines.push(`  ${problem.kind}: ${problem.message}`);
  const width = Math.max(0, ...report.guards.map((guard) => guard.tier.length));
  for (const guard of report.guards) {
    const target = guard.provider ? `${guard.provider}/${guard.model ?? ''}` : '(tier)';
    const value = guard.value === null ? '-' : formatGuardValue(guard.guard, guard.value);
    lines.push(
      `  ${guard.status.padEnd(7)} ${guard.tier.padEnd(width)} ${target.padEnd(28)} ${guard.guard.padEnd(14)} ${guard.mode.padEnd(13)} ${value.padStart(10)}  ${guard.status === 'pass' ? '' : guard.message}`.trimEnd(),
    );
  }
  lines.push(
    `  ${report.counts.pass} pass, ${report.counts.breach} breach, ${report.counts.no_data} no data, ${report.counts.error} error`,
  );
  return `${lines.join('\n')}\n`;
}

export async function watchCheck(
  service: WatchService,
  options: { env: string; json?: boolean },
): Promise<{ exitCode: number; report: string; result?: WatchReport }> {
  const env = watchEnvSchema.safeParse(options.env);
  if (!env.success)
    return {
      exitCode: WATCH_EXIT.usage,
      report: `--env must be one of ${WATCH_ENVIRONMENTS.join(', ')} (got "${options.env}").\n`,
    };
  const result = await service.checkNow(env.data);
  return {
    exitCode: exitCodeFor(result),
    report: options.json ? `${JSON.stringify(result, null, 2)}\n` : renderWatchReport(result),
    result,
  };
}
