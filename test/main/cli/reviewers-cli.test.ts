/**
 * `aideon reviewers add|list|revoke` from a shell: the list is a table like the CLI's others,
 * with each token's state, votes and dates written as the screens write them; revoking an
 * unknown name names the active ones.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliIn } from '../../helpers/cli-in-process';
import { tempDir } from '../../helpers/temp-dir';

let dir: string;
let cleanup: () => void;
const cli = (...args: string[]) => cliIn(join(dir, 'data'), args, {});

beforeAll(() => {
  ({ dir, cleanup } = tempDir('aideon-reviewers-cli-'));
});
afterAll(() => cleanup());

describe('reviewers from the CLI', () => {
  it('adds, lists as a table, revokes', async () => {
    expect((await cli('reviewers', 'list')).stdout).toBe(
      'No reviewers yet. Add one: aideon reviewers add NAME\n',
    );
    const added = await cli('reviewers', 'add', 'ann');
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/^Token for ann \(shown once\): \S{20,}\n/);
    expect((await cli('reviewers', 'add', 'bob')).code).toBe(0);
    expect((await cli('reviewers', 'revoke', 'bob')).code).toBe(0);

    const listed = (await cli('reviewers', 'list')).stdout.split('\n');
    expect(listed[0]).toMatch(/^reviewer +token +votes +added$/);
    expect(listed[1]).toMatch(/^-+ +-+ +-+ +-+$/);
    const date = String.raw`\d{1,2} \w{3} \d{4}, \d\d:\d\d`;
    expect(listed).toContainEqual(
      expect.stringMatching(new RegExp(`^ann +active +0 votes +${date}$`)),
    );
    expect(listed).toContainEqual(
      expect.stringMatching(new RegExp(`^bob +revoked ${date} +0 votes +${date}$`)),
    );

    const unknown = await cli('reviewers', 'revoke', 'nobody');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No active reviewer "nobody". Active reviewers: ann.');
  });
});
