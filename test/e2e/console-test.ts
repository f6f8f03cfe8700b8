/**
 * Playwright's `test` with a `startConsole` fixture: the consoles a test starts with it are
 * stopped when the test ends (passed or failed), so a spec needs no module-level server and
 * afterEach of its own. Also `shot`, the full-page screenshot the specs leave for review.
 */
import { test as base, type Page } from '@playwright/test';
import { startConsole, type ConsoleServer } from './console-server';

export { expect } from '@playwright/test';

export const test = base.extend<{ startConsole: typeof startConsole }>({
  // Playwright reads a fixture's dependencies from its first parameter's pattern; this one has
  // none.
  // eslint-disable-next-line no-empty-pattern
  startConsole: async ({}, use) => {
    const started: ConsoleServer[] = [];
    await use(async (...args) => {
      const server = await startConsole(...args);
      started.push(server);
      return server;
    });
    for (const server of started) await server.stop();
  },
});

/** A full-page screenshot in test-results/screenshots/<name>.png. */
export function shot(page: Page, name: string): Promise<Buffer> {
  return page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
}
