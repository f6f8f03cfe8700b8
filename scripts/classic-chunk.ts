/**
 * Turns one ES module chunk of the renderer build into a classic script plus a small ES module
 * under the chunk's own name (used by electron.vite.config.ts for the start chunk).
 *
 * Why: Chromium (seen in 156, Debian's) fetches and compiles scripts on a background thread
 * (its BackgroundResourceFetch), and on that path a module script never takes its compiled code
 * from V8's code cache ("ModuleScript doesn't support off-thread cache consumption"): every
 * launch parses and compiles the start chunk again, while a classic script's cached code is
 * used from the third load on. So the start chunk's code goes into a classic script, which only
 * defines a function (the chunk's body) in a registry on `globalThis`; the module under the
 * chunk's name imports what the chunk imported, waits for that script (index.html loads it,
 * async), runs the function once
 * and exports what the chunk exported, so the other chunks import from it as before.
 *
 * What the chunk may contain is checked, not assumed: static imports, one `export { … }` list,
 * `import.meta.url` (becomes the classic script's own URL), dynamic `import()` (resolved from
 * the classic script's URL, the same folder); a top-level `await`, any other `import.meta`, an
 * export with a declaration or a source, or a default export make the build fail.
 */
import { createHash } from 'node:crypto';

/** The ESTree nodes this module looks at (the parser's AST, as far as it is used here). */
interface AstNode {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

export type ParseModule = (code: string) => { body: unknown[] };

/** Where the classic scripts put their chunk functions, and where modules wait for them. */
export const CHUNK_REGISTRY = '__aideonChunks';
export const CHUNK_WAITERS = '__aideonChunkWaiters';

export interface ClassicChunk {
  /** The classic script's file name (next to the chunk), named by a hash of its content. */
  classicFileName: string;
  classic: string;
  /** The ES module that replaces the chunk's code under its own name. */
  module: string;
}

export interface ClassicChunkOptions {
  /** The chunk's file name in the bundle (assets/start-….js): names the classic script. */
  fileName: string;
  /** Registry key, unique per chunk. */
  key: string;
  /** Text put first in the classic script (V8's compile hint comment goes there). */
  prologue?: string;
}

function isNode(value: unknown): value is AstNode {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { type?: unknown }).type === 'string' &&
    typeof (value as { start?: unknown }).start === 'number'
  );
}

function nameOf(node: unknown): string {
  if (!isNode(node)) throw new Error('classic chunk: an import or export without a name');
  if (node.type === 'Identifier') return node.name as string;
  if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
  throw new Error(`classic chunk: an unexpected name node ${node.type}`);
}

const FUNCTION_TYPES = new Set([
  'FunctionDeclaration',
  'FunctionExpression',
  'ArrowFunctionExpression',
]);

/**
 * Visits every node under `root`; `inFunction` tells whether it is inside a function (a top-level
 * `await` is not). A class's static block runs at the top level too, but `await` is not
 * allowed there, so no special case.
 */
function walk(root: unknown, visit: (node: AstNode, inFunction: boolean) => void): void {
  const stack: [unknown, boolean][] = [[root, false]];
  while (stack.length > 0) {
    const [value, inFunction] = stack.pop()!;
    if (Array.isArray(value)) {
      for (const item of value) stack.push([item, inFunction]);
      continue;
    }
    if (!isNode(value)) continue;
    visit(value, inFunction);
    const inside = inFunction || FUNCTION_TYPES.has(value.type);
    for (const [key, child] of Object.entries(value)) {
      if (key === 'type' || key === 'start' || key === 'end') continue;
      if (typeof child === 'object' && child !== null) stack.push([child, inside]);
    }
  }
}

/** A JavaScript string literal (JSON's is one). */
const quote = (text: string): string => JSON.stringify(text);

export function toClassicChunk(
  code: string,
  parse: ParseModule,
  options: ClassicChunkOptions,
): ClassicChunk {
  const program = parse(code);
  const cuts: { start: number; end: number; text: string }[] = [];
  const imports: { source: string; destructure: string }[] = [];
  const exported: { local: string; name: string }[] = [];
  for (const statement of program.body) {
    if (!isNode(statement)) continue;
    if (statement.type === 'ImportDeclaration') {
      const source = (statement.source as { value: string }).value;
      const specifiers = (statement.specifiers as AstNode[]) ?? [];
      const namespace = specifiers.find((item) => item.type === 'ImportNamespaceSpecifier');
      const named = specifiers
        .filter((item) => item.type !== 'ImportNamespaceSpecifier')
        .map((item) => {
          const local = nameOf(item.local);
          const imported =
            item.type === 'ImportDefaultSpecifier' ? 'default' : nameOf(item.imported);
          return `${quote(imported)}:${local}`;
        });
      const parts: string[] = [];
      if (namespace)
        parts.push(`const ${nameOf(namespace.local)}=__aideonImports[${imports.length}];`);
      if (named.length > 0)
        parts.push(`const{${named.join(',')}}=__aideonImports[${imports.length}];`);
      imports.push({ source, destructure: parts.join('') });
      cuts.push({ start: statement.start, end: statement.end, text: '' });
      continue;
    }
    if (statement.type === 'ExportNamedDeclaration') {
      if (statement.declaration || statement.source) {
        throw new Error(
          `classic chunk ${options.fileName}: an export with a declaration or a source (only export { … } is handled)`,
        );
      }
      for (const specifier of (statement.specifiers as AstNode[]) ?? []) {
        exported.push({ local: nameOf(specifier.local), name: nameOf(specifier.exported) });
      }
      cuts.push({ start: statement.start, end: statement.end, text: '' });
      continue;
    }
    if (
      statement.type === 'ExportDefaultDeclaration' ||
      statement.type === 'ExportAllDeclaration'
    ) {
      throw new Error(`classic chunk ${options.fileName}: ${statement.type} is not handled`);
    }
  }
  walk(program.body, (node, inFunction) => {
    if (node.type === 'AwaitExpression' && !inFunction) {
      throw new Error(`classic chunk ${options.fileName}: a top-level await`);
    }
    if (node.type === 'ForOfStatement' && node.await === true && !inFunction) {
      throw new Error(`classic chunk ${options.fileName}: a top-level for await`);
    }
    if (
      node.type === 'MemberExpression' &&
      isNode(node.object) &&
      node.object.type === 'MetaProperty'
    ) {
      if (node.computed || nameOf(node.property) !== 'url') {
        throw new Error(
          `classic chunk ${options.fileName}: import.meta other than import.meta.url`,
        );
      }
      cuts.push({ start: node.start, end: node.end, text: '__aideonChunkUrl' });
    }
  });
  // A bare import.meta (not .url) is left over if any MetaProperty was not cut above.
  let metaCount = 0;
  walk(program.body, (node) => {
    if (node.type === 'MetaProperty' && nameOf(node.meta) === 'import') metaCount += 1;
  });
  if (metaCount !== cuts.filter((cut) => cut.text === '__aideonChunkUrl').length) {
    throw new Error(`classic chunk ${options.fileName}: import.meta other than import.meta.url`);
  }
  cuts.sort((a, b) => a.start - b.start);
  let body = '';
  let at = 0;
  for (const cut of cuts) {
    if (cut.start < at) throw new Error(`classic chunk ${options.fileName}: overlapping edits`);
    body += code.slice(at, cut.start) + cut.text;
    at = cut.end;
  }
  body += code.slice(at);

  const key = quote(options.key);
  const getters = exported.map(({ local, name }) => `get ${quote(name)}(){return ${local}}`);
  const classic =
    `${options.prologue ?? ''}(function(){"use strict";` +
    `var __aideonChunkUrl=document.currentScript.src;` +
    `(globalThis.${CHUNK_REGISTRY}??={})[${key}]=function(__aideonImports){` +
    `${imports.map((item) => item.destructure).join('')}\n${body}\n` +
    `return{${getters.join(',')}};};` +
    `var w=globalThis.${CHUNK_WAITERS}?.[${key}];if(w)w();})();\n`;
  const hash = createHash('sha256')
    .update(classic)
    .digest('base64url')
    .slice(0, 8)
    .replace(/[-_]/g, 'x');
  const classicFileName = options.fileName.replace(/\.js$/, `.classic-${hash}.js`);
  const classicBaseName = classicFileName.split('/').pop()!;

  const lines = imports.map((item, index) => `import*as i${index} from${quote(item.source)};`);
  lines.push(
    `const g=globalThis,k=${key};`,
    // index.html loads the classic script (async): it has run, is still coming, or failed.
    // An async script holds the window's load event until it has run, so a chunk still
    // missing once the page has loaded means the script failed.
    `const f=g.${CHUNK_REGISTRY}?.[k]??await new Promise((resolve,reject)=>{` +
      `(g.${CHUNK_WAITERS}??={})[k]=()=>resolve(g.${CHUNK_REGISTRY}[k]);` +
      `const failed=()=>reject(new Error("could not load "+new URL(${quote(`./${classicBaseName}`)},import.meta.url).href));` +
      `if(document.readyState==="complete")failed();` +
      `else addEventListener("load",()=>{if(!g.${CHUNK_REGISTRY}?.[k])failed()},{once:true});});`,
    `const m=f([${imports.map((_, index) => `i${index}`).join(',')}]);`,
  );
  if (exported.length > 0) {
    lines.push(
      `const ${exported.map(({ name }, index) => `x${index}=m[${quote(name)}]`).join(',')};`,
      `export{${exported.map(({ name }, index) => `x${index} as ${/^[A-Za-z_$][\w$]*$/.test(name) ? name : quote(name)}`).join(',')}};`,
    );
  }
  return { classicFileName, classic, module: `${lines.join('\n')}\n` };
}
