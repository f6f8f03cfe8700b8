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
