/**
 * The `aideon config validate` and `aideon config simulate` commands, as functions that return
 * what to print and the exit code, so src/main/cli/main.ts only has to call them.
 * Exit codes: 0 = valid (warnings allowed) / simulated; 1 = the config has errors.
 */
import { AppError } from '../../../shared/errors';
import {
  formatDecimal,
  formatLatency,
  formatMoney,
  formatNumber,
  formatRatePercent,
} from '../../../shared/format';
import { alignColumns } from '../../cli/columns';
import { formatProblems, simulateConfigFile, validateConfigFile } from './routing-files';
import type { RoutingService } from './routing-service';

export interface CliOutcome {
  stdout: string;
  exitCode: number;
}

export function configValidateCommand(
  routing: RoutingService,
  file: string,
  options: { json?: boolean },
): CliOutcome {
  const result = validateConfigFile(file, routing.checkContext());
  return {
    stdout: options.json
      ? `${JSON.stringify(result, null, 2)}\n`
      : formatProblems(file, result.problems),
    exitCode: result.ok ? 0 : 1,
  };
}

export function configSimulateCommand(
  routing: RoutingService,
  file: string,
  options: { requests: number; seed?: number; json?: boolean },
): CliOutcome {
  const result = simulateConfigFile(file, {
    requests: options.requests,
    seed: options.seed ?? 1,
    observed: routing.observations(),
  });
  if (options.json) return { stdout: `${JSON.stringify(result, null, 2)}\n`, exitCode: 0 };
  // As the console's Simulate panel writes them: the success rate to a tenth of a percent (it is
  // read against the tier's bar), dollars, and times in ms or s.
  const rows = Object.values(result.tiers).map((t) => [
    t.tier,
    formatRatePercent(t.successRate),
    formatMoney(t.costPer1000VideosUsd),
    formatLatency(t.latencyMs.p50),
    formatLatency(t.latencyMs.p95),
    formatDecimal(t.attemptsPerRequest, 2, 2),
  ]);
  const header = ['tier', 'success', 'per 1,000 videos', 'p50', 'p95', 'attempts/request'];
  return {
    stdout: `${formatNumber(options.requests, 0)} simulated requests per tier (seed ${result.seed})\n${alignColumns(header, rows).join('\n')}\n`,
    exitCode: 0,
  };
}

/** For `--requests`: a whole number from 1 to 10,000,000. */
export function parseRequestCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 10_000_000) {
    throw new AppError('validation', '--requests must be a whole number from 1 to 10,000,000.');
  }
  return count;
}
