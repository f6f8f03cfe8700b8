/**
 * Routing config files for the CLI: `aideon config validate FILE [--json]` and
 * `aideon config simulate FILE --requests N --json`.
 *
 * A file is JSON (`.json`) or YAML (`.yaml`/`.yml`; anything else is read as YAML, which also
 * accepts JSON). Parse errors come back as `schema` problems with the line and column; every
 * other problem gets the line of the field it names when the field is in the file (else the line
 * of its nearest parent that is).
 */
import { plural } from '../../../shared/format';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import {
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node as YamlNode,
} from 'yaml';
import { AppError, ValidationError } from '../../../shared/errors';
import type { RoutingConfig } from '../../../shared/routing/routing-config-schema';
import type { ModelObservationInput } from '../../../shared/routing/routing-evidence';
import { fromPointer, problem, type RoutingProblem } from '../../../shared/routing/routing-problem';
import { checkRoutingConfig, schemaProblems, type RoutingCheckContext } from './routing-checks';
import { simulateRouting, type SimulationResult } from './routing-simulator';

export interface ParsedConfigText {
  /** The parsed value, when the text parsed. */
  value?: unknown;
  problems: RoutingProblem[];
  /** Line/column of a JSON Pointer, when the file has that field or a parent of it. */
  locate: (pointer: string) => { line: number; column: number } | undefined;
}

function lineColumnOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let column = 1;
  for (let i = 0; i < offset && i < text.length; i += 1) {
    if (text[i] === '\n') {
      line += 1;
      column = 1;
    } else column += 1;
  }
  return { line, column };
}

/** Parses JSON or YAML text; `format` 'json' uses JSON rules (and JSON's error positions). */
export function parseConfigText(text: string, format: 'json' | 'yaml'): ParsedConfigText {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  const locate = (pointer: string): { line: number; column: number } | undefined =>
    locateInDocument(doc, lineCounter, pointer);
  if (format === 'json') {
    try {
      const value: unknown = JSON.parse(text);
      const duplicates = doc.errors.filter((error) => error.code === 'DUPLICATE_KEY');
      const problems = duplicates.map((error) => ({
        ...problem('error', 'schema', [], `Duplicate key: ${firstLine(error.message)}`),
        ...positionOf(error.linePos?.[0]),
      }));
      return { value, problems, locate };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const position = /position (\d+)/.exec(message);
      const offset = position ? Number(position[1]) : jsonErrorOffset(text);
      const at = offset === undefined ? undefined : lineColumnOf(text, offset);
      return {
        problems: [
          {
            ...problem('error', 'schema', [], `The file is not valid JSON: ${message}`),
            ...(at ?? {}),
          },
        ],
        locate: () => undefined,
      };
    }
  }
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((error) => ({
        ...problem(
          'error',
          'schema',
          [],
          `The file is not valid YAML: ${firstLine(error.message)}`,
        ),
        ...positionOf(error.linePos?.[0]),
      })),
      locate: () => undefined,
    };
  }
  return { value: doc.toJS({ maxAliasCount: 100 }) as unknown, problems: [], locate };
}

/**
 * Offset of the first JSON syntax error (Node 20's JSON.parse does not always say where).
 * A small recursive-descent scan; undefined when the scan finds nothing wrong.
 */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  class Stop {
    constructor(readonly at: number) {}
  }
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i += 1;
  };
  const fail = (): never => {
    throw new Stop(i);
  };
  const literal = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length;
    else fail();
  };
  const string = (): void => {
    if (text[i] !== '"') fail();
    i += 1;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail();
      i += text[i] === '\\' ? 2 : 1;
    }
    if (i >= text.length) fail();
    i += 1;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i += 1;
      ws();
      if (text[i] === '}') {
        i += 1;
        return;
      }
      for (;;) {
        ws();
        string();
        ws();
        if (text[i] !== ':') fail();
        i += 1;
        value();
        ws();
        if (text[i] === ',') i += 1;
        else if (text[i] === '}') {
          i += 1;
          return;
        } else fail();
      }
    } else if (c === '[') {
      i += 1;
      ws();
      if (text[i] === ']') {
        i += 1;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i += 1;
        else if (text[i] === ']') {
          i += 1;
          return;
        } else fail();
      }
    } else if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else {
      const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
      if (!match) fail();
      i += match![0].length;
    }
  };
  try {
    value();
    ws();
    return i < text.length ? i : undefined;
  } catch (error) {
    if (error instanceof Stop) return Math.min(error.at, text.length);
    throw error;
  }
}

function positionOf(pos: { line: number; col: number } | undefined): {
  line?: number;
  column?: number;
} {
  return pos ? { line: pos.line, column: pos.col } : {};
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

function locateInDocument(
  doc: Document,
  lineCounter: LineCounter,
  pointer: string,
): { line: number; column: number } | undefined {
  let node: unknown = doc.contents;
  let best: YamlNode | undefined =
    isMap(node) || isSeq(node) || isScalar(node) ? (node as YamlNode) : undefined;
  for (const segment of fromPointer(pointer)) {
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === segment,
      );
      if (pair && isScalar(pair.key) && pair.key.range) best = pair.key as YamlNode;
      next = pair?.value;
    } else if (isSeq(node)) {
      next = /^\d+$/.test(segment) ? node.items[Number(segment)] : undefined;
      if (next && (isMap(next) || isSeq(next) || isScalar(next))) best = next as YamlNode;
    } else break;
    if (next === undefined || next === null) break;
    node = next;
  }
  const range = best?.range;
  if (!range) return undefined;
  const pos = lineCounter.linePos(range[0]);
  return { line: pos.line, column: pos.col };
}

export function formatOf(path: string): 'json' | 'yaml' {
  return extname(path).toLowerCase() === '.json' ? 'json' : 'yaml';
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new AppError(
      'not_found',
      code === 'ENOENT'
        ? `There is no file "${path}".`
        : `Cannot read "${path}" (${code ?? 'unknown error'}).`,
    );
  }
}

/**
 * A routing config file (JSON, or YAML for any other extension) as the object it holds, as
 * written (no defaults filled in: what is signed is what the file says). A file that does not
 * parse, or holds something other than an object, is a validation error naming the file, and
 * the line of each problem.
 */
export function readConfigObjectFile(path: string): Record<string, unknown> {
  const parsed = parseConfigText(readText(path), formatOf(path));
  if (parsed.value === undefined || parsed.problems.length > 0)
    throw new AppError('validation', formatProblems(path, parsed.problems).trimEnd());
  const value = parsed.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new AppError(
      'validation',
      `${path} must hold a routing config object (schemaVersion, tiers, flags), not ${Array.isArray(value) ? 'a list' : value === null ? 'null' : `a ${typeof value}`}.`,
    );
  return value as Record<string, unknown>;
}

export interface ValidateFileResult {
  /** No errors (warnings allowed). */
  ok: boolean;
  problems: RoutingProblem[];
}

/** Reads, parses and checks a routing config file. Every problem is listed, each with its line. */
export function validateConfigFile(path: string, context: RoutingCheckContext): ValidateFileResult {
  const text = readText(path);
  return validateConfigText(text, formatOf(path), context);
}

export function validateConfigText(
  text: string,
  format: 'json' | 'yaml',
  context: RoutingCheckContext,
): ValidateFileResult {
  const parsed = parseConfigText(text, format);
  if (parsed.value === undefined) return { ok: false, problems: parsed.problems };
  const result = checkRoutingConfig(parsed.value, context);
  const problems = [...parsed.problems, ...result.problems].map((p) =>
    p.line === undefined ? { ...p, ...(parsed.locate(p.pointer) ?? {}) } : p,
  );
  return { ok: problems.every((p) => p.severity !== 'error'), problems };
}

/** One line per problem, e.g. `error  line 12  tiers.free.targets.1.model  no-evidence: …`. */
export function formatProblems(path: string, problems: readonly RoutingProblem[]): string {
  if (problems.length === 0) return `${path}: no problems found.\n`;
  const errors = problems.filter((p) => p.severity === 'error').length;
  const lines = problems.map((p) => {
    const where = p.line === undefined ? path : `${path}:${p.line}:${p.column ?? 1}`;
    const also = p.alsoAt?.length ? ` (also ${p.alsoAt.join(', ')})` : '';
    return `${where}  ${p.severity}  ${p.path || '(document)'}${also}  [${p.code}] ${p.message}`;
  });
  const summary = `${plural(errors, 'error')}, ${plural(problems.length - errors, 'warning')}${errors > 0 ? ': the config cannot be signed.' : '.'}`;
  return `${lines.join('\n')}\n${summary}\n`;
}

export interface SimulateFileOptions {
  requests: number;
  seed: number;
  /**
   * Per-model observations (`provider:model` → …), e.g. from `observationsFromEvidence`; or made
   * from the parsed config (assumed figures for the models it names).
   */
  observed:
    | Record<string, ModelObservationInput>
    | ((config: RoutingConfig) => Record<string, ModelObservationInput>);
  flagSampleSize?: number;
}

/** Parses a config file (refusing one that does not match the schema) and simulates it. */
export function simulateConfigFile(path: string, options: SimulateFileOptions): SimulationResult {
  const parsed = parseConfigText(readText(path), formatOf(path));
  const config = parseOrThrow(parsed);
  const observed =
    typeof options.observed === 'function' ? options.observed(config) : options.observed;
  return simulateRouting(config, observed, {
    requests: options.requests,
    seed: options.seed,
    ...(options.flagSampleSize === undefined ? {} : { flagSampleSize: options.flagSampleSize }),
  });
}

function parseOrThrow(parsed: ParsedConfigText): RoutingConfig {
  const checked = parsed.value === undefined ? undefined : schemaProblems(parsed.value);
  if (checked?.config) return checked.config;
  const problems = (checked?.problems ?? parsed.problems).map((p) =>
    p.line === undefined ? { ...p, ...(parsed.locate(p.pointer) ?? {}) } : p,
  );
  throw new ValidationError(
    'routing config',
    problems.map((p) => ({
      path: p.path + (p.line === undefined ? '' : ` (line ${p.line})`),
      message: p.message,
    })),
  );
}
