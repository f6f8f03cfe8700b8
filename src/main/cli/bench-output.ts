import cliProgress from 'cli-progress';
import type { RunDetail } from '../../shared/domain';
import type { Scorecard } from '../bench/scorecard';
import { runSpendText } from '../../shared/bench/run-spend';
import { scorecardSections } from '../../shared/bench/scorecard-table';
import { formatLatency, formatMoney } from '../../shared/format';
import { getRunSummary, listGenerationRows, toGenerationRecord } from '../bench/bench-repository';
import type { Services } from '../services';
import { alignColumns } from './columns';

/** Per-model progress from the stored generations: done / total and spend. */
export function modelProgress(
  services: Services,
  runId: string,
): Map<string, { done: number; total: number; spent: number }> {
  const progress = new Map<string, { done: number; total: number; spent: number }>();
  for (const row of listGenerationRows(services.db, runId)) {
    const key = `${row.provider}:${row.model_id}`;
    const entry = progress.get(key) ?? { done: 0, total: 0, spent: 0 };
    entry.total += 1;
    if (row.outcome !== null) entry.done += 1;
    entry.spent += row.cost_usd ?? 0;
    progress.set(key, entry);
  }
  return progress;
}

/** Waits for a run; on a terminal, one bar for the run and one per model, with spend and time left. */
export async function runWithProgress(
  services: Services,
  runId: string,
  options: { isTTY: boolean; stderr: (text: string) => void },
): Promise<RunDetail> {
  let bars: cliProgress.MultiBar | undefined;
  let off = (): void => undefined;
  if (options.isTTY) {
    const summary = getRunSummary(services.db, runId);
    bars = new cliProgress.MultiBar(
      {
        format: ' {bar} {value}/{total} {label} | billed {spent} | {eta_formatted} left',
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    const overall = bars.create(summary?.total ?? 0, summary?.done ?? 0, {
      label: 'generations',
      spent: formatMoney(summary?.spentUsd ?? 0),
    });
    const perModel = new Map<string, cliProgress.SingleBar>();
    for (const [model, entry] of modelProgress(services, runId)) {
      perModel.set(
        model,
        bars.create(entry.total, entry.done, { label: model, spent: formatMoney(entry.spent) }),
      );
    }
    off = services.bus.on('bench:run-updated', (run) => {
      if (run.id !== runId) return;
      overall.update(run.done, { spent: formatMoney(run.spentUsd) });
      for (const [model, entry] of modelProgress(services, runId)) {
        perModel.get(model)?.update(entry.done, { spent: formatMoney(entry.spent) });
      }
    });
  }
  const run = await services.bench.waitForRun(runId);
  off();
  bars?.stop();
  return { run, generations: listGenerationRows(services.db, runId).map(toGenerationRecord) };
}

/** "p1", "p1 and p2", "p1, p2, p3 and 45 more". */
function promptList(prompts: readonly string[]): string {
  if (prompts.length === 1) return prompts[0] ?? '';
  if (prompts.length <= 3)
    return `${prompts.slice(0, -1).join(', ')} and ${prompts[prompts.length - 1]}`;
  return `${prompts.slice(0, 3).join(', ')} and ${prompts.length - 3} more`;
}

/**
 * One line per generation. Times and dollars are written by the shared formatters, as on the
 * run screen: "320 ms", "2.57 s"; "$0.125"; "—" for what was not measured or billed.
 */
export function renderRunTable(detail: RunDetail): string {
  const header = ['prompt', 'model', 'outcome', 'queue', 'generate', 'download', 'total', 'cost'];
  const rows = detail.generations.map((generation) => [
    generation.promptId,
    `${generation.provider}:${generation.modelId}${generation.cached ? ' (cached)' : ''}`,
    generation.outcome ?? generation.state,
    formatLatency(generation.queueMs),
    formatLatency(generation.generationMs),
    formatLatency(generation.downloadMs),
    formatLatency(generation.totalMs),
    formatMoney(generation.costUsd),
  ]);
  const run = detail.run;
  // A submission whose outcome is unknown may have been billed: say so, and what to check.
  const unknown = detail.generations.filter(
    (generation) => generation.outcome === 'submit_unknown',
  );
  const notes = unknown.map(
    (generation) =>
      `! ${generation.promptId} on ${generation.provider}:${generation.modelId}: ${generation.errorMessage ?? 'the submission has an unknown outcome'}`,
  );
  // Every other generation that did not succeed: the vendor's answer and what to do.
  const failed = detail.generations.filter(
    (generation) =>
      generation.outcome !== null &&
      generation.outcome !== 'success' &&
      generation.outcome !== 'submit_unknown' &&
      generation.errorMessage,
  );
  // Generations of one model that ended the same way with the same message are one line (a
  // refused key, a vendor down: 48 prompts, one reason), naming the prompts.
  const groups = new Map<string, { prompts: string[]; line: (prompts: string) => string }>();
  for (const generation of failed) {
    const key = `${generation.provider}:${generation.modelId}\u0000${generation.outcome}\u0000${generation.errorMessage}`;
    const group = groups.get(key);
    if (group) group.prompts.push(generation.promptId);
    else
      groups.set(key, {
        prompts: [generation.promptId],
        line: (prompts) =>
          `- ${prompts} on ${generation.provider}:${generation.modelId} (${generation.outcome}): ${generation.errorMessage ?? ''}`,
      });
  }
  const reasons = [...groups.values()].map((group) => group.line(promptList(group.prompts)));
  return [
    ...alignColumns(header, rows),
    ...(notes.length > 0
      ? [
          '',
          `${notes.length} submission(s) may have been accepted and billed without an answer:`,
          ...notes,
        ]
      : []),
    ...(reasons.length > 0 ? ['', `${failed.length} did not succeed:`, ...reasons] : []),
    '',
    `Run ${run.id} ${run.state}: ${run.succeeded} succeeded, ${run.failed} failed of ${run.total}; ${runSpendText(run)}.`,
    '',
  ].join('\n');
}

/**
 * The scorecard as the console's Scorecard tab shows it (shared/bench/scorecard-table.ts): one
 * column per model, the same rows in the same groups, each value with its unit ("67%", "2.57 s",
 * "$0.125", "4.8 px", "1 cut"; "—" where nothing was measured). Overall figures, all categories.
 */
export function renderScorecard(scorecard: Scorecard): string {
  const lines = scorecard.models.map((model) => model.overall);
  const header = ['measure', ...lines.map((line) => `${line.provider}:${line.modelId}`)];
  const rows = scorecardSections(lines).flatMap((section) => [
    [section.title],
    ...section.rows.map((row) => [`  ${row.label}`, ...row.values]),
  ]);
  return ['Scorecard', ...alignColumns(header, rows), ''].join('\n');
}
