/**
 * An open console notices prices another process set or cleared (`aideon models price set` on
 * the same data folder) and tells its windows (`models:prices-changed`), so the Models screen
 * shows them without a reload; a price set in the console itself is told once, and other
 * processes' writes that leave the prices as they were are not told at all.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resourcesDir } from '../../../src/main/paths';
import { createServices, sleep, type Services } from '../../../src/main/services';
import { cliIn } from '../../helpers/cli-in-process';
import { tempDir } from '../../helpers/temp-dir';

const KEY = 'r8_prices_follow_00000000001';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function console_(dataDir: string): { services: Services; told: number[] } {
  const services = createServices({
    dataDir,
    resourcesDir: resourcesDir(),
    env: { REPLICATE_API_TOKEN: KEY, AIDEON_ACTOR: 'alice' },
    mode: 'browser',
    version: 'test',
    analyseVideos: false,
    publishTickMs: 3_600_000,
  });
  const told: number[] = [];
  services.bus.on('models:prices-changed', ({ at }) => told.push(at));
  const stop = services.prices.followOtherProcesses(40);
  cleanups.push(async () => {
    stop();
    await services.close();
  });
  return { services, told };
}

/** The CLI in this process: its own database connection, as another process would have. */
async function cli(dataDir: string, args: string[]): Promise<void> {
  const { code, stderr } = await cliIn(dataDir, args, {
    REPLICATE_API_TOKEN: KEY,
    AIDEON_ACTOR: 'bob',
  });
  expect(stderr).toBe('');
  expect(code).toBe(0);
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

const MINIMAX = { provider: 'replicate' as const, modelId: 'minimax/video-01' };

describe('entered prices changed by another process', () => {
  it('are told to the open console, and show in its model list', async () => {
    const { dir, cleanup } = tempDir('aideon-prices-follow-');
    cleanups.push(cleanup);
    const { services, told } = console_(dir);
    const price = () =>
      services.registry.allModels().find((m) => m.modelId === MINIMAX.modelId)?.pricing.entered;
    expect(price()).toBeUndefined();

    await cli(dir, [
      'models',
      'price',
      'set',
      'replicate:minimax/video-01',
      '--per-second',
      '0.12',
    ]);
    await until(() => told.length === 1, 'the change set by the CLI');
    expect(price()).toMatchObject({ usd: 0.12, by: 'bob' });

    // Another process writing something else is not a price change.
    const other = new Database(join(dir, 'aideon.sqlite'));
    other.exec(
      'CREATE TABLE other_process_scratch (x INTEGER); INSERT INTO other_process_scratch VALUES (1)',
    );
    other.close();
    await sleep(200);
    expect(told).toHaveLength(1);

    await cli(dir, ['models', 'price', 'clear', 'replicate:minimax/video-01']);
    await until(() => told.length === 2, 'the clear made by the CLI');
    expect(price()).toBeUndefined();
  });

  it('a price set in the console itself is told once', async () => {
    const { dir, cleanup } = tempDir('aideon-prices-follow-');
    cleanups.push(cleanup);
    const { services, told } = console_(dir);
    services.prices.set(MINIMAX, { unit: 'second', usd: 0.2 });
    expect(told).toHaveLength(1);
    await sleep(200);
    expect(told).toHaveLength(1);
    // Clearing a model with no entered price changes nothing and tells nothing.
    services.prices.clear({ provider: 'replicate', modelId: 'google/veo-3' });
    await sleep(200);
    expect(told).toHaveLength(1);
  });
});
