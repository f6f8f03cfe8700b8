/**
 * A data folder that looks used, shared by the specs that walk every screen (the screenshot
 * sweep, the axe sweep, the keyboard and zoom checks), so no screen is judged on an empty state:
 * a sandbox run made by the CLI, a second run rated by 240 blind votes between four models (the
 * ratings, charts and scorecard), four models on one prompt, a signed publish history with a
 * stopped rollout (publishing, production watch; its key's passphrase is SEEDED_KEY_PASSPHRASE)
 * and a model release waiting in the inbox.
 */
import { benchmarkWithCli, newDataDir } from './console-server';
import { addModelsToFirstPrompt, seedRatedRun } from './seed-database';
import { SEEDED_KEY_PASSPHRASE, seedPublishHistory } from './seed-publish-history';
import { resourcesDir } from '../../src/main/paths';
import { createServices } from '../../src/main/services';

export { SEEDED_KEY_PASSPHRASE };

/** Makes the folder (a fresh one in the temp folder) before any console starts on it. */
export async function seedUsedDataDir(): Promise<string> {
  const dataDir = newDataDir();
  benchmarkWithCli(dataDir);
  addModelsToFirstPrompt(dataDir);
  seedRatedRun(dataDir);
  await seedPublishHistory(dataDir);
  const services = createServices({
    dataDir,
    resourcesDir: resourcesDir(),
    env: {},
    mode: 'cli',
    version: 'e2e',
  });
  try {
    await services.monitor.simulateRelease();
  } finally {
    await services.close();
  }
  return dataDir;
}
