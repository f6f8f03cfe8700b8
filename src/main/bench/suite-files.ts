/**
 * Reading suite files (JSON or YAML). Errors name the file, the line and the field.
 */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { isMap, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { suiteDefinitionSchema, type SuiteDefinition } from '../../shared/domain';
import { ValidationError, type ValidationIssue } from '../../shared/errors';

export interface ParsedSuiteFile {
  id: string;
  definition: SuiteDefinition;
}

export function parseSuiteText(text: string, fileName: string): ParsedSuiteFile {
  const lineCounter = new LineCounter();
  // YAML is a superset of JSON, so one parser serves both and gives line numbers for both.
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    const issues = document.errors.map((error) => {
      const line = error.linePos?.[0]?.line;
      return {
        path: line ? `line ${line}` : '',
        message: error.message.split('\n')[0] ?? error.message,
      };
    });
    throw new ValidationError(`suite file ${fileName}`, issues);
  }
  const raw = document.toJS() as unknown;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ValidationError(`suite file ${fileName}`, [
      { path: '', message: 'expected an object with name and prompts' },
    ]);
  }
  const parsed = suiteDefinitionSchema.safeParse(raw);
  if (!parsed.success) {
    const issues: ValidationIssue[] = parsed.error.issues.map((issue) => {
      const path = issue.path.map(String);
      const node = document.getIn(issue.path as (string | number)[], true) as YamlNode | undefined;
      const parentNode = document.getIn(issue.path.slice(0, -1) as (string | number)[], true) as
        YamlNode | undefined;
      const where = node?.range ?? (isMap(parentNode) ? parentNode.range : undefined);
      const line = where ? lineCounter.linePos(where[0]).line : undefined;
      return { path: `${line ? `line ${line}: ` : ''}${path.join('.')}`, message: issue.message };
    });
    throw new ValidationError(`suite file ${fileName}`, issues);
  }
  const declaredId = (raw as { id?: unknown }).id;
  const id =
    typeof declaredId === 'string' && /^[a-z0-9][a-z0-9-_]{0,63}$/i.test(declaredId)
      ? declaredId
      : basename(fileName, extname(fileName))
          .toLowerCase()
          .replace(/[^a-z0-9-_]+/g, '-');
  return { id, definition: parsed.data };
}

export function readSuiteFile(path: string): ParsedSuiteFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ValidationError('suite file', [
      { path, message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})` },
    ]);
  }
  return parseSuiteText(text, basename(path));
}
