/**
 * scripts/classic-chunk.ts: the start chunk as a classic script plus a small module under the
 * chunk's name (electron.vite.config.ts). The classic script is run here in a V8 context with
 * the two globals it uses (document.currentScript, globalThis), and the module is parsed as a
 * module: its imports and exports must be the chunk's own.
 */
import { runInNewContext, Script } from 'node:vm';
import { parseAst } from 'vite';
import { describe, expect, it } from 'vitest';
import { CHUNK_REGISTRY, CHUNK_WAITERS, toClassicChunk } from '../../scripts/classic-chunk';

const parse = (code: string) => parseAst(code);
const CHUNK_URL = 'http://127.0.0.1:1/assets/start-AbCd1234.classic-x.js';

/** A chunk shaped as rolldown writes one (minified), with every form the transform handles. */
const CHUNK = [
  `const __vite__mapDeps=(i,m=__vite__mapDeps,d=(m.f||(m.f=["./lazy-1.js"])))=>i.map(i=>d[i]);`,
  `import{n as e,t}from"./runtime-1.js";import d from"./default-1.js";import*as ns from"./ns-1.js";`,
  `let count=0;function bump(){count+=1;return count}`,
  `const here=import.meta.url;`,
  `function lazy(){return import(\`./lazy-1.js\`)}`,
  `async function later(){await Promise.resolve();return e(t)+d+ns.k+__vite__mapDeps([0])[0]}`,
  `export{count as c,bump as b,here as h,lazy as l,later as "la ter",e as re};`,
].join('');

/** Runs the classic script; answers its chunk function and whether it woke a waiter. */
function runClassic(classic: string, waiting: boolean) {
  const context: Record<string, unknown> = {
    document: { currentScript: { src: CHUNK_URL } },
  };
  context.globalThis = context;
  let woken = false;
  if (waiting) context[CHUNK_WAITERS] = { start: () => (woken = true) };
  runInNewContext(classic, context);
  const registry = context[CHUNK_REGISTRY] as Record<string, (imports: unknown[]) => unknown>;
  return { chunk: registry.start!, woken };
}

describe('the start chunk as a classic script', () => {
  const made = toClassicChunk(CHUNK, parse, {
    fileName: 'assets/start-AbCd1234.js',
    key: 'start',
    prologue: '//# allFunctionsCalledOnLoad\n',
  });

  it('is a classic script (no import or export left) that starts with the prologue', () => {
    expect(() => new Script(made.classic)).not.toThrow();
    expect(made.classic.startsWith('//# allFunctionsCalledOnLoad\n')).toBe(true);
    expect(made.classicFileName).toMatch(/^assets\/start-AbCd1234\.classic-[A-Za-z0-9]{8}\.js$/);
  });

  it('runs the chunk body with the imports it is given and exports live bindings', async () => {
    const { chunk, woken } = runClassic(made.classic, true);
    expect(woken).toBe(true);
    const exports = chunk([
      { n: (x: number) => x * 2, t: 5 },
      { default: 100 },
      { k: 1000 },
    ]) as Record<string, unknown>;
    expect(Object.keys(exports).sort()).toEqual(['b', 'c', 'h', 'l', 'la ter', 're']);
    // import.meta.url is the classic script's own URL.
    expect(exports.h).toBe(CHUNK_URL);
    // A getter per export: the value after a change, as an ES module binding would show it.
    expect(exports.c).toBe(0);
    expect((exports.b as () => number)()).toBe(1);
    expect(exports.c).toBe(1);
    expect(await (exports['la ter'] as () => Promise<unknown>)()).toBe(
      10 + 100 + 1000 + './lazy-1.js',
    );
    expect((exports.re as (x: number) => number)(4)).toBe(8);
  });

  it('does not wake anyone when no module waits yet', () => {
    expect(runClassic(made.classic, false).woken).toBe(false);
  });

  it('leaves a module that imports the same files in order and exports the same names', () => {
    const program = parse(made.module) as unknown as {
      body: {
        type: string;
        source?: { value: string };
        specifiers?: { exported: { name?: string; value?: string } }[];
      }[];
    };
    const imports = program.body
      .filter((node) => node.type === 'ImportDeclaration')
      .map((node) => node.source!.value);
    expect(imports).toEqual(['./runtime-1.js', './default-1.js', './ns-1.js']);
    const exported = program.body
      .filter((node) => node.type === 'ExportNamedDeclaration')
      .flatMap((node) => node.specifiers!.map((item) => item.exported.name ?? item.exported.value));
    expect(exported.sort()).toEqual(['b', 'c', 'h', 'l', 'la ter', 're']);
    expect(made.module).toContain(`"./${made.classicFileName.split('/').pop()}"`);
  });

  it('names the classic script by its content', () => {
    const other = toClassicChunk(CHUNK.replace('count+=1', 'count+=2'), parse, {
      fileName: 'assets/start-AbCd1234.js',
      key: 'start',
    });
    expect(other.classicFileName).not.toBe(made.classicFileName);
  });
});

describe('what a classic chunk cannot hold fails the build', () => {
  const make = (code: string) => () =>
    toClassicChunk(code, parse, { fileName: 'assets/x.js', key: 'x' });

  it('a top-level await', () => {
    expect(make('const a=await Promise.resolve(1);export{a};')).toThrow(/top-level await/);
  });

  it('import.meta other than its url', () => {
    expect(make('const a=import.meta.env;export{a};')).toThrow(/import\.meta/);
    expect(make('const a=import.meta;export{a};')).toThrow(/import\.meta/);
  });

  it('an export with a declaration, a re-export or a default export', () => {
    expect(make('export const a=1;')).toThrow(/declaration or a source/);
    expect(make('export{a}from"./y.js";')).toThrow(/declaration or a source/);
    expect(make('export default 1;')).toThrow(/ExportDefaultDeclaration/);
    expect(make('export*from"./y.js";')).toThrow(/ExportAllDeclaration/);
  });

  it('but an await inside a function and new.target are fine', () => {
    expect(
      make('async function f(){await 1}function g(){return new.target}export{f,g};'),
    ).not.toThrow();
  });
});
