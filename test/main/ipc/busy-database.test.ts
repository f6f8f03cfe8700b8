/**
 * Another process holding the database's write lock past the busy timeout (a second console, a
 * CLI command, the rollout controller) is not a fault inside the console: an action that meets it
 * is answered with a retryable `conflict` that says what happened and that nothing changed,
 * instead of "Something went wrong inside the console", and works once the lock is released.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAppDispatcher } from '../../../src/main/ipc/index';
import { cliIn } from '../../helpers/cli-in-process';
import { testServices } from '../../helpers/services';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A second connection that holds the write lock until released. */
function holdWriteLock(dataDir: string): () => void {
  const other = new Database(join(dataDir, 'aideon.sqlite'));
  other.exec('BEGIN IMMEDIATE');
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    other.exec('ROLLBACK');
    other.close();
  };
  cleanups.push(release);
  return release;
}

const suite = {
  definition: {
    name: 'Locked',
    settings: {},
    prompts: [{ id: 'p1', text: 'a paper boat on a pond' }],
  },
};

describe('an action that meets a database locked by another process', () => {
  it('over IPC: a retryable conflict naming the cause, nothing saved; the same action works after', async () => {
    const services = testServices({ analyseVideos: false });
    cleanups.push(services.cleanup);
    const dispatcher = createAppDispatcher(services, { checkOutputs: true });
    const before = (await dispatcher.dispatch('suites:list', {}, {})) as {
      ok: true;
      value: unknown[];
    };
    const release = holdWriteLock(services.dataDir);
    const answer = await dispatcher.dispatch('suites:save', suite, {});
    expect(answer).toMatchObject({
      ok: false,
      error: { code: 'conflict', retryable: true },
    });
    const message = (answer as { error: { message: string } }).error.message;
    expect(message).toMatch(/database is busy/);
    expect(message).toMatch(/Nothing was changed; try again/);
    expect(message).not.toMatch(/inside the console/);
    release();
    const after = (await dispatcher.dispatch('suites:list', {}, {})) as {
      ok: true;
      value: unknown[];
    };
    expect(after.value).toHaveLength(before.value.length);
    expect(await dispatcher.dispatch('suites:save', suite, {})).toMatchObject({ ok: true });
  });

  it('on the command line: the same words and exit 1, nothing added; the command works after', async () => {
    const services = testServices({ analyseVideos: false });
    cleanups.push(services.cleanup);
    await services.close();
    const cli = (args: string[]) => cliIn(services.dataDir, args);
    const release = holdWriteLock(services.dataDir);
    const locked = await cli(['reviewers', 'add', 'rita']);
    expect(locked.code).toBe(1);
    expect(locked.stderr).toMatch(/^aideon: The database is busy: .* try again in a moment\.\n$/);
    expect(locked.stdout).not.toMatch(/token=/);
    release();
    expect((await cli(['reviewers', 'list'])).stdout).not.toMatch(/rita/);
    const added = await cli(['reviewers', 'add', 'rita']);
    expect(added.code).toBe(0);
    expect((await cli(['reviewers', 'list'])).stdout).toMatch(/rita/);
  });
});
