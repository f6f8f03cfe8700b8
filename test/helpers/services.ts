import { saveSuiteVersion } from '../../src/main/bench/bench-repository';
import { resourcesDir } from '../../src/main/paths';
import { createServices, type ServiceOptions, type Services } from '../../src/main/services';
import { tempDir } from './temp-dir';

/** Services on a fresh data folder with a fast sandbox. */
export function testServices(
  overrides: Partial<ServiceOptions> = {},
): Services & { dataDir: string; cleanup: () => Promise<void> } {
  const { dir, cleanup } = overrides.dataDir
    ? { dir: overrides.dataDir, cleanup: () => undefined }
    : tempDir();
  const services = createServices({
    dataDir: dir,
    resourcesDir: resourcesDir(),
    env: {},
    mode: 'cli',
    version: 'test',
    sandboxTimeScale: 0.02,
    ...overrides,
  });
  return Object.assign(services, {
    dataDir: dir,
    cleanup: async () => {
      await services.close().catch(() => undefined);
      cleanup();
    },
  });
}

/** Runs the smoke suite on sandbox-fast and sandbox-pro (budget $5) to the end: its run id. */
export async function finishedSandboxRun(services: Services): Promise<string> {
  const { runId } = services.bench.startRun({
    suiteId: 'smoke',
    models: [
      { provider: 'sandbox', modelId: 'sandbox-fast' },
      { provider: 'sandbox', modelId: 'sandbox-pro' },
    ],
    budgetUsd: 5,
  });
  await services.bench.waitForRun(runId);
  return runId;
}

/**
 * Saves a suite of plain text prompts (ids p0, p1, …, category "general"), named after its id,
 * with no settings: what most runner tests start from.
 */
export function saveTextSuite(
  services: Pick<Services, 'db'>,
  id: string,
  prompts: readonly string[],
): void {
  saveSuiteVersion(
    services.db,
    {
      id,
      builtIn: false,
      definition: {
        name: id,
        description: '',
        settings: {},
        prompts: prompts.map((text, index) => ({ id: `p${index}`, text, category: 'general' })),
      },
    },
    Date.now(),
  );
}
