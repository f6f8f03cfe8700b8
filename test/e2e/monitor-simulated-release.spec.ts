/// <reference lib="dom" />
import { expect, test } from '@playwright/test';
import { NO_VENDOR_KEYS, newDataDir, startConsole, type ConsoleServer } from './console-server';

let server: ConsoleServer | undefined;
test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

test('keyless: built-in lists are labelled unchecked, and a simulated sandbox release reaches the inbox and the board', async ({
  page,
}) => {
  test.setTimeout(120_000);
  server = await startConsole(newDataDir(), NO_VENDOR_KEYS);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(server.url);
  await expect(page.locator('body[data-app-state="ready"]')).toBeVisible();
  await page.getByTestId('nav-models').click();

  // Honest labels: a built-in table is not a check.
  for (const provider of ['runway', 'fal', 'luma']) {
    const result = page.getByTestId(`monitor-result-${provider}`);
    await expect(result).toContainText('Built-in list', { timeout: 20_000 });
    await expect(result).toContainText('not checked');
    await expect(page.getByTestId('monitor-built-in-note')).toContainText(
      'Runway, fal and Luma publish no model list',
    );
    await expect(result).not.toContainText('OK');
  }
  for (const provider of ['together', 'gemini', 'replicate'])
    await expect(page.getByTestId(`monitor-result-${provider}`)).toContainText('No key');
  await expect(page.getByTestId('monitor-result-sandbox')).toContainText('3 video models');
  await expect(page.getByTestId('nav-unread')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/ui-items/monitor-keyless-1440-light.png' });

  // A simulated release: the sandbox catalogue lists a new model.
  await page.getByTestId('monitor-simulate-release').click();
  await expect(
    page.locator('.toast-title', { hasText: 'Simulated release: Sandbox Next' }),
  ).toBeVisible();
  await expect(page.getByTestId('monitor-result-sandbox')).toContainText('4 video models');
  await expect(page.getByTestId('nav-unread')).toHaveText('1');
  // The released model is in the catalogue at once, so it can be benchmarked next.
  await expect(page.getByTestId('tab-catalogue')).toBeVisible();
  await expect(page.getByRole('tabpanel')).toContainText('Sandbox Next');

  await page.getByTestId('tab-inbox').click();
  const item = page.getByTestId('inbox-item');
  await expect(item).toHaveCount(1);
  await expect(item).toHaveAttribute('data-kind', 'added');
  await expect(item).toContainText('Sandbox Next');
  await page.screenshot({ path: 'test-results/ui-items/monitor-release-inbox-1440-light.png' });
  await item.getByTestId('inbox-open').click();
  const card = page.locator('[data-testid="board-card"][data-focused="true"]');
  await expect(card).toBeVisible();
  await expect(card).toHaveAttribute('data-model', 'sandbox/sandbox-next');
  await expect(card).toHaveAttribute('data-stage', 'detected');
  await page.screenshot({ path: 'test-results/ui-items/monitor-release-board-1440-light.png' });
  // Every stage's column fits the window at the usual widths: none is cut off at the board's
  // edge (at 1440 px the last one, "Rolled back", was, with nothing showing it scrolled), and
  // nothing on the card sticks out of it.
  for (const [width, height] of [
    [1440, 900],
    [1280, 720],
    [1920, 1080],
  ] as const) {
    await page.setViewportSize({ width, height });
    const cut = await page.getByTestId('board').evaluate((board) => {
      const edge = Math.min(board.getBoundingClientRect().right, window.innerWidth);
      const out: string[] = [];
      for (const column of board.querySelectorAll('.board-column')) {
        const right = column.getBoundingClientRect().right;
        if (right > edge + 0.5)
          out.push(`${column.getAttribute('aria-label')} ends at ${right}, the board at ${edge}`);
      }
      for (const card of board.querySelectorAll('[data-testid="board-card"]')) {
        const cardRight = card.getBoundingClientRect().right;
        for (const part of card.querySelectorAll('*')) {
          const right = part.getBoundingClientRect().right;
          if (right > cardRight + 0.5)
            out.push(`"${(part.textContent ?? '').trim().slice(0, 30)}" sticks out of its card`);
        }
      }
      return out;
    });
    expect(cut, `${width}x${height}`).toEqual([]);
    await expect(page.locator('.board-column')).toHaveCount(7);
  }
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.screenshot({ path: 'test-results/ui-items/monitor-release-board-1280-dark.png' });

  // Released once: a second release is refused with a reason, and nothing new is announced.
  await page.getByTestId('monitor-simulate-release').click();
  await expect(page.locator('.toast', { hasText: 'already released Sandbox Next' })).toBeVisible();
  await expect(page.getByTestId('nav-unread')).toHaveCount(0);
});
