import { expect, type Page } from '@playwright/test';

/**
 * Replaces the whole text of a CodeMirror JSON editor the way a person does: click into it,
 * Ctrl+A (CodeMirror's select-all, which selects the whole document), then type the text in one
 * input. Playwright's `fill` is not used: on a contenteditable it selects the element's DOM
 * contents, and CodeMirror renders only the lines near the visible part of the page, so when the
 * editor was scrolled (or partly off screen) `fill` replaced only those lines and left the rest
 * of the old text around the new one (a parse error at line 118 of an 86-line config, and a
 * disabled Save; cosign.spec.ts hung on that in CI).
 *
 * When the text is valid JSON, waits until the editor reports no parse error, so the caller
 * knows the editor holds exactly that text.
 */
export async function replaceEditorText(page: Page, testId: string, text: string): Promise<void> {
  const editor = page.getByTestId(testId);
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.insertText(text);
  let valid = true;
  try {
    JSON.parse(text);
  } catch {
    valid = false;
  }
  if (valid) await expect(editor).toHaveAttribute('aria-invalid', 'false');
}
