/// <reference lib="dom" />
/**
 * A team review server: `aideon serve` on 0.0.0.0 with a self-signed certificate (made here
 * with openssl), three reviewers with their own invites voting at once in Chromium, and a
 * reviewer token refused on every channel of the contract but the review allow-list.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { INVOKE_CHANNEL_NAMES } from '../../src/shared/ipc/channel-names';
import { selfSignedCertificate } from '../helpers/self-signed-certificate';
import { benchmarkWithCli, newDataDir } from './console-server';

// app:bootstrap answers a reviewer with the session only (what review:get-session says).
const REVIEW_CHANNELS = [
  'app:bootstrap',
  'review:get-session',
  'review:next-pair',
  'review:cast-vote',
];

function aideon(dataDir: string, args: string[]): string {
  return execFileSync(process.execPath, ['bin/aideon.mjs', ...args, '--data-dir', dataDir], {
    encoding: 'utf8',
    timeout: 60_000,
  });
}

let child: ChildProcess | undefined;
test.afterEach(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  child = undefined;
});

async function serveTls(dataDir: string, tls: { cert: string; key: string }): Promise<string> {
  child = spawn(
    process.execPath,
    [
      'bin/aideon.mjs',
      'serve',
      '--port',
      '0',
      '--host',
      '0.0.0.0',
      '--public-name',
      'localhost',
      '--tls-cert',
      tls.cert,
      '--tls-key',
      tls.key,
      '--data-dir',
      dataDir,
    ],
    { env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`no URL in 30 s: ${stderr}`)), 30_000);
    child!.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /^AIDEON_URL=(\S+)$/m.exec(stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child!.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
}

async function reviewerPage(browser: Browser, invite: string): Promise<Page> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await page.goto(invite);
  await expect(page.locator('body[data-app-state="ready"][data-role="reviewer"]')).toBeVisible();
  return page;
}

async function voteTimes(page: Page, count: number, key: string): Promise<void> {
  for (let k = 0; k < count; k += 1) {
    await expect(page.getByTestId('vote-a')).toBeEnabled();
    await page.waitForFunction(() =>
      [...document.querySelectorAll('video')].every((video) => video.readyState >= 2),
    );
    await page.keyboard.press(key);
    await expect(page.getByTestId('reveal')).toBeVisible();
    await expect(page.getByTestId('reveal')).toBeHidden({ timeout: 10_000 });
  }
}

test('refuses to listen beyond loopback without TLS', () => {
  const result = spawnSync(
    process.execPath,
    ['bin/aideon.mjs', 'serve', '--host', '0.0.0.0', '--data-dir', newDataDir()],
    { encoding: 'utf8', timeout: 30_000 },
  );
  expect(result.status).toBe(2); // bad usage
  expect(result.stderr).toContain('Refusing to listen on 0.0.0.0 without TLS');
  expect(result.stderr).toContain('--tls-cert FILE --tls-key FILE');
});

test('three reviewers vote at once over HTTPS and each vote is theirs; a reviewer token reaches nothing else', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const dataDir = newDataDir();
  benchmarkWithCli(dataDir);
  const tls = selfSignedCertificate(dataDir);
  const adminUrl = await serveTls(dataDir, tls);
  expect(adminUrl).toMatch(/^https:\/\/localhost:\d+\/#token=/);
  // serve prints its URL as soon as it listens; invites point at it once the console answers.
  const admin = await browser.newContext({ ignoreHTTPSErrors: true });
  const info = await admin.request.post(`${new URL(adminUrl).origin}/api/app:get-info`, {
    headers: {
      authorization: `Bearer ${adminUrl.split('#token=')[1]!}`,
      'content-type': 'application/json',
    },
    data: {},
  });
  expect(info.status()).toBe(200);
  await admin.close();
  const invites: Record<string, string> = {};
  for (const name of ['Ann', 'Bob', 'Cyd']) {
    const printed = JSON.parse(aideon(dataDir, ['reviewers', 'add', name, '--json'])) as {
      invite: string;
      token: string;
    };
    // The invite points at the running server (recorded by serve).
    expect(printed.invite.startsWith(adminUrl.split('#')[0]!)).toBe(true);
    invites[name] = printed.invite;
  }
  const listed = aideon(dataDir, ['reviewers', 'list', '--json']);
  for (const invite of Object.values(invites)) {
    // The list never shows a token.
    expect(listed).not.toContain(invite.split('#token=')[1]!);
  }

  const pages = await Promise.all(
    Object.values(invites).map((invite) => reviewerPage(browser, invite)),
  );
  // Reviewer mode shows the blind vote and nothing of the rest of the console.
  for (const [index, page] of pages.entries()) {
    await expect(page.getByTestId('reviewer-shell')).toContainText(
      `Signed in as ${['Ann', 'Bob', 'Cyd'][index]}`,
    );
    await expect(page.getByTestId('nav-benchmarks')).toHaveCount(0);
    await expect(page.getByTestId('nav-settings')).toHaveCount(0);
    await expect(page.getByTestId('blind-vote')).toBeVisible();
  }
  await pages[0]!.screenshot({ path: 'test-results/screenshots/team-review-reviewer.png' });
  const counts = [3, 2, 4];
  await Promise.all(
    pages.map((page, index) => voteTimes(page, counts[index]!, ['1', '2', 't'][index]!)),
  );

  const report = JSON.parse(aideon(dataDir, ['review', 'ratings', '--by-reviewer', '--json'])) as {
    agreement: { reviewers: { reviewer: string; votes: number }[] };
    byReviewer: Record<string, unknown[]>;
  };
  expect(report.agreement.reviewers.map((entry) => [entry.reviewer, entry.votes])).toEqual([
    ['Ann', 3],
    ['Bob', 2],
    ['Cyd', 4],
  ]);
  expect(Object.keys(report.byReviewer).sort()).toEqual(['Ann', 'Bob', 'Cyd']);

  // Every channel of the contract, called with Ann's token: only the review ones answer.
  const annToken = invites.Ann!.split('#token=')[1]!;
  const api = pages[0]!.context().request;
  const origin = new URL(adminUrl).origin;
  const allowed: string[] = [];
  for (const channel of INVOKE_CHANNEL_NAMES) {
    const response = await api.post(`${origin}/api/${channel}`, {
      headers: { authorization: `Bearer ${annToken}`, 'content-type': 'application/json' },
      data: {},
    });
    if (response.status() === 403) {
      expect((await response.json()) as unknown).toMatchObject({
        ok: false,
        error: { code: 'forbidden' },
      });
    } else allowed.push(channel);
  }
  expect(allowed.sort()).toEqual([...REVIEW_CHANNELS].sort());
  const events = await api.get(`${origin}/events?token=${annToken}`);
  expect(events.status()).toBe(403);

  // Revoking ends the invite on the running server.
  aideon(dataDir, ['reviewers', 'revoke', 'Ann']);
  const after = await api.post(`${origin}/api/review:get-session`, {
    headers: { authorization: `Bearer ${annToken}`, 'content-type': 'application/json' },
    data: {},
  });
  expect(after.status()).toBe(401);
  await Promise.all(pages.map((page) => page.context().close()));
});
