/**
 * Suites: versioned prompt lists. Every save makes a new version (a run records the exact
 * version it used); built-in suites are never changed: saving one makes a copy.
 */
import { stringify } from 'yaml';
import { AppError } from '../../shared/errors';
import type { SuiteDefinition, SuiteSummary } from '../../shared/domain';
import type { ReadableDb, WritableDb } from '../store/db';
import { getSuite, listSuites, saveSuiteVersion } from './bench-repository';
import { parseSuiteText } from './suite-files';

export function slugify(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
  return slug || 'suite';
}

function freeId(db: WritableDb, base: string): string {
  if (!getSuite(db, base)) return base;
  for (let n = 2; ; n += 1) if (!getSuite(db, `${base}-${n}`)) return `${base}-${n}`;
}

function summaryOf(db: WritableDb, id: string): SuiteSummary {
  const summary = listSuites(db).find((suite) => suite.id === id);
  if (!summary) throw new AppError('internal', `Suite ${id} was saved but cannot be read back.`);
  return summary;
}

export function suiteVersions(db: WritableDb, id: string): number[] {
  return (
    db.prepare('SELECT version FROM suites WHERE id = ? ORDER BY version').all(id) as {
      version: number;
    }[]
  ).map((row) => row.version);
}

/** A suite id nobody has: the error names the suites there are, so the next try can be right. */
export function noSuchSuite(db: ReadableDb, id: string): AppError {
  const ids = listSuites(db).map((suite) => suite.id);
  const known =
    ids.length === 0
      ? 'there are no suites in this data folder'
      : `suites in this data folder: ${ids.slice(0, 12).join(', ')}${ids.length > 12 ? `, and ${ids.length - 12} more` : ''}`;
  return new AppError('not_found', `There is no suite "${id}" (${known}).`);
}

export function getSuiteOrThrow(db: WritableDb, id: string, version?: number) {
  const suite = getSuite(db, id, version);
  if (suite) return suite;
  if (version === undefined || !getSuite(db, id)) throw noSuchSuite(db, id);
  throw new AppError('not_found', `Suite "${id}" has no version ${version}.`);
}

function checkUniquePromptIds(definition: SuiteDefinition): void {
  const ids = new Set<string>();
  for (const [index, prompt] of definition.prompts.entries()) {
    if (ids.has(prompt.id))
      throw new AppError(
        'validation',
        `prompts.${index}.id: "${prompt.id}" is used twice; prompt ids must be unique.`,
      );
    ids.add(prompt.id);
  }
}

export function saveSuite(
  db: WritableDb,
  suiteId: string | undefined,
  definition: SuiteDefinition,
  now: number,
): SuiteSummary {
  checkUniquePromptIds(definition);
  const existing = suiteId === undefined ? undefined : getSuite(db, suiteId);
  if (suiteId !== undefined && !existing) throw noSuchSuite(db, suiteId);
  const id =
    existing && !existing.builtIn
      ? existing.id
      : freeId(db, slugify(existing ? `${definition.name} copy` : definition.name));
  saveSuiteVersion(db, { id, builtIn: false, definition }, now);
  return summaryOf(db, id);
}

/** A suite file (YAML or JSON) becomes a new suite, or a new version of the user suite with its id. */
export function importSuite(
  db: WritableDb,
  fileName: string,
  text: string,
  now: number,
): SuiteSummary {
  const parsed = parseSuiteText(text, fileName);
  checkUniquePromptIds(parsed.definition);
  const existing = getSuite(db, parsed.id);
  const id =
    existing && !existing.builtIn
      ? existing.id
      : freeId(db, existing ? `${parsed.id}-imported` : parsed.id);
  saveSuiteVersion(db, { id, builtIn: false, definition: parsed.definition }, now);
  return summaryOf(db, id);
}

export function exportSuite(
  db: WritableDb,
  id: string,
  version: number | undefined,
  format: 'yaml' | 'json',
) {
  const suite = getSuiteOrThrow(db, id, version);
  const body = { id: suite.id, version: suite.version, ...suite.definition };
  const content =
    format === 'json' ? `${JSON.stringify(body, null, 2)}\n` : stringify(body, { lineWidth: 100 });
  return {
    fileName: `${suite.id}-v${suite.version}.${format === 'json' ? 'json' : 'yaml'}`,
    mimeType: format === 'json' ? 'application/json' : 'application/yaml',
    content,
  };
}
