/**
 * `aideon --help` (and every command before its action runs) loads only what the CLI's entry
 * imports statically; each command imports the rest when it runs. That set must stay small:
 * zod with its locales alone added ~60 ms to a 0.1 s start (issue 15's goal is < 0.2 s), and it
 * came back once through a constant imported from a module that builds zod schemas. This walks
 * the static imports (not `import type`, not `await import()`) from src/main/cli/index.ts and
 * names the chain to any heavy package it reaches.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../../..');
/** Packages a command may load when it runs, never at start-up. */
const HEAVY = ['zod', 'better-sqlite3', 'undici', 'yaml', 'jose', 'fast-check', 'd3'];

/** Static value imports of a TypeScript source: `import x from`, `import {…} from`, `export … from`. */
function staticImports(source: string): string[] {
  const specifiers: string[] = [];
  // Whole statements, across lines, up to their module string.
  const statement = /^(?:import|export)\s+(?!type\s)([^;'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gms;
  for (const match of source.matchAll(statement)) {
    const clause = match[1] ?? '';
    // `import { type A, type B } from` brings no value in.
    const names = /\{([^}]*)\}/.exec(clause)?.[1];
    if (
      names !== undefined &&
      !/^\s*[\w$]+\s*,/.test(clause.replace(/^(import|export)\s+/, '')) &&
      names
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean)
        .every((name) => name.startsWith('type '))
    )
      continue;
    specifiers.push(match[2] as string);
  }
  return specifiers;
}

function resolveSource(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  for (const candidate of [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')])
    if (existsSync(candidate)) return candidate;
  return undefined;
}

/** Every package reached at start-up, each with the chain of sources that imports it. */
function startupPackages(entry: string): Map<string, string[]> {
  const packages = new Map<string, string[]>();
  const seen = new Set<string>([entry]);
  const queue: { file: string; chain: string[] }[] = [{ file: entry, chain: [] }];
  while (queue.length > 0) {
    const { file, chain } = queue.shift() as { file: string; chain: string[] };
    const here = [...chain, relative(ROOT, file)];
    for (const specifier of staticImports(readFileSync(file, 'utf8'))) {
      if (specifier.startsWith('.')) {
        const next = resolveSource(file, specifier);
        if (next && !seen.has(next)) {
          seen.add(next);
          queue.push({ file: next, chain: here });
        }
      } else if (!specifier.startsWith('node:')) {
        const name = specifier.startsWith('@')
          ? specifier.split('/').slice(0, 2).join('/')
          : (specifier.split('/')[0] as string);
        if (!packages.has(name)) packages.set(name, here);
      }
    }
  }
  return packages;
}

describe('what aideon loads before any command runs', () => {
  it('reads static imports and skips type-only ones', () => {
    expect(
      staticImports(
        [
          "import { a, type B } from './a';",
          "import type { C } from './c';",
          "import { type D, type E } from './d';",
          "export { f } from './f';",
          "import {\n  g,\n  h,\n} from 'pkg/deep';",
          "const later = await import('./lazy');",
        ].join('\n'),
      ),
    ).toEqual(['./a', './f', 'pkg/deep']);
  });

  it('reaches no heavy package from src/main/cli/index.ts (commander only)', () => {
    const packages = startupPackages(join(ROOT, 'src/main/cli/index.ts'));
    const heavy = HEAVY.filter((name) => packages.has(name)).map(
      (name) => `${name} via ${(packages.get(name) as string[]).join(' → ')}`,
    );
    expect(heavy).toEqual([]);
    expect(packages.has('commander')).toBe(true);
  });
});
