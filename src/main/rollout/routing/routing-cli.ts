/**
 * The `aideon config validate` and `aideon config simulate` commands, as functions that return
 * what to print and the exit code, so src/main/cli/main.ts only has to call them.
 * Exit codes: 0 = valid (warnings allowed) / simulated; 1 = the config has errors.
 */
import { AppError } from '../../../shared/errors';
import {
  assumedObservations,
  DEFAULT_ASSUMED_FIGURES,
  type AssumedFigures,
} from '../../../shared/routing/assumed-observations';
import {
  formatDecimal,
  formatLatency,
  formatMoney,
  formatNumber,
  formatRatePercent,
} from '../../../shared/format';
import { alignColumns } from '../../cli/columns';
import { formatProblems, simulateConfigFile, validateConfigFile } from './routing-files';
import { MissingEvidenceError } from './routing-simulator';
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
  options: { requests: number; seed?: number; json?: boolean; assume?: AssumedFigures },
): CliOutcome {
  const { assume } = options;
  let result;
  try {
    result = simulateConfigFile(file, {
      requests: options.requests,
      seed: options.seed ?? 1,
      observed: assume
        ? (config) => assumedObservations([config], routing.models(), assume)
        : routing.observations(),
    });
  } catch (error) {
    throw withoutEvidenceAdvice(error) ?? error;
  }
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
  const basis = assume
    ? `assumed figures for every model: ${formatRatePercent(assume.successRate)} success, p50 ${formatLatency(assume.p50LatencyMs)}, p95 ${formatLatency(assume.p95LatencyMs)}, listed prices`
    : 'the benchmark evidence';
  return {
    stdout: `${formatNumber(options.requests, 0)} simulated requests per tier (seed ${result.seed}; ${basis})\n${alignColumns(header, rows).join('\n')}\n`,
    exitCode: 0,
  };
}

/**
 * The simulator refused models it has no figures for: the same refusal, naming each model once
 * and saying what to do from the command line (the simulator's own words are written for any
 * caller). Undefined for any other error.
 */
function withoutEvidenceAdvice(error: unknown): AppError | undefined {
  if (!(error instanceof MissingEvidenceError) || error.models.length === 0) return undefined;
  const keys = error.models;
  const { successRate, p50LatencyMs, p95LatencyMs } = DEFAULT_ASSUMED_FIGURES;
  return new AppError(
    'validation',
    `${error.message} Benchmark ${keys.length === 1 ? 'it' : 'them'} (aideon bench run --suite smoke --models ${keys.join(',')}), or pass --assume to simulate with assumed figures (${formatRatePercent(successRate)} success, p50 ${formatLatency(p50LatencyMs)}, p95 ${formatLatency(p95LatencyMs)}; --assume-success, --assume-p50 and --assume-p95 change them).`,
  );
}

/**
 * `--assume` and its figures as the simulator takes them; undefined when none was given (the
 * benchmark evidence is used). Any of `--assume-success`, `--assume-p50`, `--assume-p95` implies
 * `--assume`; the others keep the console's defaults.
 */
export function assumedFigures(options: {
  assume?: boolean;
  assumeSuccess?: number;
  assumeP50?: number;
  assumeP95?: number;
}): AssumedFigures | undefined {
  const given =
    options.assume === true ||
    options.assumeSuccess !== undefined ||
    options.assumeP50 !== undefined ||
    options.assumeP95 !== undefined;
  if (!given) return undefined;
  const figures: AssumedFigures = {
    successRate:
      options.assumeSuccess === undefined
        ? DEFAULT_ASSUMED_FIGURES.successRate
        : options.assumeSuccess / 100,
    p50LatencyMs:
      options.assumeP50 === undefined
        ? DEFAULT_ASSUMED_FIGURES.p50LatencyMs
        : options.assumeP50 * 1000,
    p95LatencyMs:
      options.assumeP95 === undefined
        ? DEFAULT_ASSUMED_FIGURES.p95LatencyMs
        : options.assumeP95 * 1000,
  };
  if (figures.p95LatencyMs < figures.p50LatencyMs)
    throw new AppError(
      'validation',
      `--assume-p95 (${formatLatency(figures.p95LatencyMs)}) must be at least --assume-p50 (${formatLatency(figures.p50LatencyMs)}): the 95th percentile is never faster than the median.`,
    );
  return figures;
}

/** For `--requests`: a whole number from 1 to 10,000,000. */
export function parseRequestCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 10_000_000) {
    throw new AppError('validation', '--requests must be a whole number from 1 to 10,000,000.');
  }
  return count;
}
