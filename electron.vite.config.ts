import { relative, resolve, sep } from 'node:path';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * Writes out/main/cli-sources.json: the source files the `aideon` command is built from (the cli
 * entry and every chunk it imports, statically or on demand, and the ratings worker it starts). bin/aideon.mjs compares their
 * modification times with the build's, instead of walking src/ at every start.
 */
function cliSourceList(): Plugin {
  return {
    name: 'aideon-cli-source-list',
    generateBundle(_options, bundle) {
      // The command, and the ratings worker it starts.
      const entries = Object.values(bundle).filter(
        (item) =>
          item.type === 'chunk' &&
          item.isEntry &&
          (item.name === 'cli' || item.name === 'ratings-worker-entry'),
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
    plugins: [react()],
    base: './',
    build: {
      outDir: 'out/renderer',
      minify: true,
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
  },
});
