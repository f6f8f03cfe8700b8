import { defineConfig } from 'vitest/config';
import { PREACT_ALIASES } from './scripts/preact-aliases.ts';

/**
 * What Vite loads for the renderer tests instead of Node (Node would resolve their `react` to
 * React itself, past the aliases): the libraries that import react (Radix and its helpers,
 * cmdk, recharts, TanStack Virtual, zustand), @testing-library/preact, Preact itself (one copy
 * for all of them) and the optimizer's output (.vite, see below).
 */
const VITE_LOADED =
  /node_modules\/(@radix-ui|cmdk|recharts|react-redux|@tanstack\/react-virtual|zustand|react-remove-scroll|react-remove-scroll-bar|react-style-singleton|use-callback-ref|use-sidecar|@floating-ui\/react-dom|@testing-library\/preact|preact|\.vite)\//;

// Two projects: main/shared code in Node, renderer code in happy-dom. Playwright specs
// (test/e2e) and benchmarks (test/bench) are run separately.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          include: [
            'test/main/**/*.test.ts',
            'test/shared/**/*.test.ts',
            'test/lint/**/*.test.ts',
            'test/emulators/**/*.test.ts',
          ],
          testTimeout: 30000,
          hookTimeout: 30000,
          pool: 'forks',
        },
      },
      {
        // The renderer's tests run on Preact, as the console ships (scripts/preact-aliases.ts).
        // recharts' ES build (its `module`), not its CommonJS one, which Node would load itself.
        resolve: { alias: PREACT_ALIASES, mainFields: ['module', 'jsnext:main', 'jsnext', 'main'] },
        test: {
          name: 'renderer',
          environment: 'happy-dom',
          include: ['test/renderer/**/*.test.{ts,tsx}'],
          setupFiles: ['test/renderer/setup.ts'],
          server: { deps: { inline: [VITE_LOADED] } },
          // The one CommonJS library among them (recharts' selector hook) is bundled to ES by
          // Vite's dependency optimizer, which applies the aliases to its `require('react')`;
          // Preact is left out of that bundle, so there is one copy of it for everything.
          deps: {
            optimizer: {
              client: {
                enabled: true,
                include: ['use-sync-external-store/shim/with-selector'],
                exclude: [
                  'preact',
                  'preact/compat',
                  'preact/compat/client',
                  'preact/compat/jsx-runtime',
                  'preact/compat/jsx-dev-runtime',
                  'preact/hooks',
                  'preact/jsx-runtime',
                  'preact/test-utils',
                ],
              },
            },
          },
          // As the node project: the default 5 s cut a chart test short under load (its lazy
          // recharts import took 7 s with the cores busy), before its own 15 s wait was up.
          testTimeout: 30000,
        },
      },
    ],
  },
});
