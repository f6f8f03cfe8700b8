import { relative, resolve, sep } from 'node:path';
import { defineConfig } from 'electron-vite';
import { parseAst, type Plugin } from 'vite';
import type { ChunkingContext } from 'rolldown';
import react from '@vitejs/plugin-react';
import { toClassicChunk } from './scripts/classic-chunk';
import { PREACT_ALIASES } from './scripts/preact-aliases';

/**
 * Writes out/main/cli-sources.json: the source files the `aideon` command is built from (the cli
 * entry and every chunk it imports, statically or on demand, and the workers it starts). bin/aideon.mjs compares their
 * modification times with the build's, instead of walking src/ at every start.
 */
function cliSourceList(): Plugin {
  return {
    name: 'aideon-cli-source-list',
    generateBundle(_options, bundle) {
      // The command, and the workers it starts (ratings, SHA-256 of downloads).
      const entries = Object.values(bundle).filter(
        (item) =>
          item.type === 'chunk' &&
          item.isEntry &&
          (item.name === 'cli' ||
            item.name === 'ratings-worker-entry' ||
            item.name === 'sha256-worker-entry'),
      );
      if (entries.length === 0) return;
      const seen = new Set<string>();
      const files = new Set<string>();
      const visit = (fileName: string): void => {
        if (seen.has(fileName)) return;
        seen.add(fileName);
        const chunk = bundle[fileName];
        if (!chunk || chunk.type !== 'chunk') return;
        for (const id of chunk.moduleIds) {
          const path = relative(process.cwd(), id.split('?')[0] ?? id);
          if (path.startsWith(`src${sep}`)) files.add(path.split(sep).join('/'));
        }
        for (const next of [...chunk.imports, ...chunk.dynamicImports]) visit(next);
      };
      for (const entry of entries) visit(entry.fileName);
      this.emitFile({
        type: 'asset',
        fileName: 'cli-sources.json',
        source: `${JSON.stringify({ sources: [...files].sort() })}\n`,
      });
    },
  };
}

/** The renderer's entry (sends the start-up call) and the first screen it loads at once. */
const RENDERER_ENTRY = resolve('src/renderer/src/main.tsx');
const RENDERER_START = resolve('src/renderer/src/start.tsx');

/** Module ids statically reachable from `from` (itself included), through the chunking graph. */
function staticClosure(from: string, ctx: ChunkingContext): Set<string> {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(ctx.getModuleInfo(id)?.importedIds ?? []));
  }
  return seen;
}

/**
 * Chunk names for the first screen: what the entry itself imports (the IPC client; it sends the
 * start-up call) stays in the entry chunk, so the call goes out after one file, not two;
 * everything else the first screen needs (React, the shell, the Benchmarks screen, the store)
 * goes into one `start` chunk instead of a dozen small shared ones, so the browser makes one
 * request for it, and the entry does not wait for it. (The group does not pull in its modules'
 * dependencies, includeDependenciesRecursively: false below, or it would take the IPC client
 * out of the entry: start imports it from the entry chunk.)
 */
function firstScreenChunkName(): (id: string, ctx: ChunkingContext) => string | null {
  let start: Set<string> | null = null;
  return (id, ctx) => {
    if (!start) {
      const fromEntry = staticClosure(RENDERER_ENTRY, ctx);
      start = new Set(
        [...staticClosure(RENDERER_START, ctx)].filter((item) => !fromEntry.has(item)),
      );
    }
    return start.has(id) ? 'start' : null;
  };
}

/**
 * index.html loads only the small entry; the entry imports the start chunk on its own (after
 * sending the start-up call). A modulepreload link for that chunk (and what it imports) lets
 * the browser fetch it together with the entry instead of after it.
 */
function preloadStartChunk(): Plugin {
  return {
    name: 'aideon-preload-start-chunk',
    enforce: 'post',
    transformIndexHtml: {
      order: 'post',
      handler(html, context) {
        const bundle = context.bundle;
        if (!bundle) return html;
        const chunks = Object.values(bundle).filter((item) => item.type === 'chunk');
        const entry = chunks.find((chunk) => chunk.isEntry);
        const start = chunks.find((chunk) => chunk.moduleIds.includes(RENDERER_START));
        if (!entry || !start) throw new Error('the renderer build has no entry or start chunk');
        const already = new Set([entry.fileName, ...entry.imports]);
        const files: string[] = [];
        const visit = (fileName: string): void => {
          if (already.has(fileName) || files.includes(fileName)) return;
          files.push(fileName);
          const chunk = bundle[fileName];
          if (chunk?.type === 'chunk') for (const next of chunk.imports) visit(next);
        };
        visit(start.fileName);
        // Its styles too, as stylesheets: the first screen then never renders unstyled.
        const styles = files.flatMap((file) => {
          const chunk = bundle[file];
          return chunk?.type === 'chunk' ? [...(chunk.viteMetadata?.importedCss ?? [])] : [];
        });
        // The UI font's Latin file (the console's own text): fetched with the scripts, it is
        // there when the first screen is laid out, which then needs no fallback font and no
        // second layout when the font arrives.
        const font = Object.values(bundle).find(
          (item) =>
            item.type === 'asset' &&
            /^assets\/inter-latin-wght-normal-.*\.woff2$/.test(item.fileName),
        );
        if (!font) throw new Error('the renderer build has no Latin Inter font file');
        const link = (rel: string, file: string, extra: Record<string, string> = {}) => ({
          tag: 'link',
          attrs: { rel, crossorigin: true, href: `./${file}`, ...extra },
          injectTo: 'head' as const,
        });
        // The entry runs as soon as it arrived: an `async` module script waits neither for the
        // style sheets nor for the end of parsing, as a plain module script does, so the
        // start-up call goes out while the CSS still loads (start.tsx waits for the document
        // before it renders; the first frame still waits for the CSS).
        const entryTag = `<script type="module" crossorigin src="./${entry.fileName}"></script>`;
        if (!html.includes(entryTag)) throw new Error(`index.html has no ${entryTag}`);
        return {
          html: html.replace(
            entryTag,
            `<script type="module" async crossorigin src="./${entry.fileName}"></script>`,
          ),
          tags: [
            ...files.map((file) => link('modulepreload', file)),
            ...styles.map((file) => link('stylesheet', file)),
            link('preload', font.fileName, { as: 'font', type: 'font/woff2' }),
          ],
        };
      },
    },
  };
}

/**
 * The start chunk as a classic script (scripts/classic-chunk.ts says why: Chromium never takes a
 * module script's compiled code from V8's code cache when it fetches on a background thread, as
 * it does by default now). The chunk's name keeps a small module that runs the classic script's
 * code once and exports what the chunk exported; index.html loads the classic script (async) where it
 * preloaded the chunk. The classic script starts with V8's explicit compile hint
 * (`//# allFunctionsCalledOnLoad`): nearly all its functions run before the first screen shows,
 * so V8 compiles them while the file streams in (off the main thread) instead of one at a time
 * during the first render, and they all go into its code cache for later launches. Done after
 * minifying, so the comment stays.
 */
function classicStartChunk(): Plugin {
  return {
    name: 'aideon-classic-start-chunk',
    enforce: 'post',
    // After Vite's own last edits of the chunks (its preload lists) and its index.html.
    generateBundle: {
      order: 'post',
      handler(_options, bundle) {
        const start = Object.values(bundle).find(
          (item) => item.type === 'chunk' && item.moduleIds.includes(RENDERER_START),
        );
        if (!start || start.type !== 'chunk') return;
        // The chunk's imports are destructured when its code runs: none of them may import it
        // back (it would not have run yet).
        for (const name of start.imports) {
          const imported = bundle[name];
          if (imported?.type === 'chunk' && imported.imports.includes(start.fileName)) {
            throw new Error(`${name} imports the start chunk back: it cannot be a classic script`);
          }
        }
        const made = toClassicChunk(start.code, (code) => parseAst(code), {
          fileName: start.fileName,
          key: 'start',
          prologue: '//# allFunctionsCalledOnLoad\n',
        });
        this.emitFile({ type: 'asset', fileName: made.classicFileName, source: made.classic });
        start.code = made.module;
        const page = bundle['index.html'];
        if (page?.type !== 'asset' || typeof page.source !== 'string') {
          throw new Error('the renderer build has no index.html');
        }
        const preload = `<link rel="modulepreload" crossorigin href="./${start.fileName}">`;
        if (!page.source.includes(preload)) throw new Error(`index.html has no ${preload}`);
        // The classic script, async: it runs (defines the chunk's function) as soon as it has
        // arrived, whatever the modules do; then the small module, which the entry imports.
        // (No crossorigin: a plain classic script.) fetchpriority="high": Chromium fetches an
        // async script at Low priority, behind the stylesheets, the font and the entry module;
        // traced on a first launch, its bytes arrived 40 ms after theirs, and its compile, which
        // runs as they stream in, was the last thing the first screen waited for.
        page.source = page.source.replace(
          preload,
          `<script async fetchpriority="high" src="./${made.classicFileName}"></script>\n    ${preload}`,
        );
      },
    },
  };
}

// Main and preload keep their `dependencies` external (better-sqlite3 is native); the renderer
// bundles everything it uses. The preload is one CommonJS file, as Electron's sandbox requires.
export default defineConfig({
  main: {
    plugins: [cliSourceList()],
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve('src/main/electron/main.ts'),
          'ratings-worker-entry': resolve('src/main/review/ratings-worker-entry.ts'),
          // The SHA-256 of downloads, off the main thread (src/main/media/sha256-worker.ts).
          'sha256-worker-entry': resolve('src/main/media/sha256-worker-entry.ts'),
          // The `aideon` command, run by bin/aideon.mjs as plain JavaScript (no tsx at start-up).
          cli: resolve('src/main/cli/index.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    plugins: [react(), preloadStartChunk(), classicStartChunk()],
    // React's API, served by Preact (scripts/preact-aliases.ts says why).
    resolve: { alias: PREACT_ALIASES },
    base: './',
    build: {
      outDir: 'out/renderer',
      minify: true,
      rollupOptions: {
        input: { index: resolve('src/renderer/index.html') },
        output: {
          codeSplitting: {
            groups: [{ name: firstScreenChunkName(), includeDependenciesRecursively: false }],
          },
        },
      },
    },
  },
});
