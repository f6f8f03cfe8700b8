import { defineConfig } from 'vitest/config';

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
        test: {
          name: 'renderer',
          environment: 'happy-dom',
          include: ['test/renderer/**/*.test.{ts,tsx}'],
          setupFiles: ['test/renderer/setup.ts'],
          // As the node project: the default 5 s cut a chart test short under load (its lazy
          // recharts import took 7 s with the cores busy), before its own 15 s wait was up.
          testTimeout: 30000,
        },
      },
    ],
  },
});
