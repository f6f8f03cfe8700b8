/**
 * What the command palette does: go to a screen or a part of one, or start a main action. An
 * action that changes something (publish, kill switch) only opens that action's own dialog,
 * which still shows the plan and asks for confirmation.
 */
import { loadRun } from '../store/actions';
import { useAppStore } from '../store/store';

/** Calls `found` with the element once it is on the page (screens load lazily), or `missing`. */
export function whenPresent(
  selector: string,
  found: (element: HTMLElement) => void,
  missing: () => void = () => undefined,
  timeoutMs = 8000,
): void {
  const started = performance.now();
  const look = (): void => {
    const element = document.querySelector<HTMLElement>(selector);
    if (element) return found(element);
    if (performance.now() - started > timeoutMs) return missing();
    requestAnimationFrame(look);
  };
  look();
}

function reveal(element: HTMLElement): void {
  element.scrollIntoView({ behavior: 'smooth', block: 'start' });
  if (!element.hasAttribute('tabindex')) element.setAttribute('tabindex', '-1');
  element.focus({ preventScroll: true });
}

/** Opens Rollout and scrolls to one of its sections (by its data-testid). */
export function goToRolloutSection(testId: string): void {
  useAppStore.getState().navigate({ screen: 'rollout' });
  whenPresent(`[data-testid="${testId}"]`, reveal);
}

/**
 * Opens Rollout → Publishing and presses one of its buttons (publish draft, kill switch), which
 * opens that action's plan-and-confirm dialog. When the button is not there or disabled, the
 * section is shown with the reason.
 */
export function pressPublishingButton(testId: string, what: string): void {
  const state = useAppStore.getState();
  state.navigate({ screen: 'rollout' });
  const explain = (reason: string): void => {
    whenPresent('[data-testid="publishing-section"]', reveal);
    useAppStore
      .getState()
      .pushToast({ tone: 'info', title: `${what}: not available yet`, description: reason });
  };
  whenPresent(
    `[data-testid="${testId}"]`,
    (button) => {
      if (button instanceof HTMLButtonElement && button.disabled) {
        explain(button.title || 'See the Publishing section for what is missing.');
        return;
      }
      button.scrollIntoView({ behavior: 'smooth', block: 'center' });
      button.click();
    },
    () =>
      explain(
        testId === 'kill-switch'
          ? 'No flag is live in any environment, or signing is not set up.'
          : 'Set up signing first (Publishing → Set up signing).',
      ),
    6000,
  );
}

/** Opens Review on one of its tabs. */
export function goToReview(tab: 'vote' | 'ratings' | 'library'): void {
  useAppStore.getState().navigate({ screen: 'review', tab });
}

/** Opens Compare on the newest run's first prompt that has a finished video. */
export async function openLatestCompare(): Promise<void> {
  const state = useAppStore.getState();
  const run = state.runs.find((candidate) => candidate.succeeded > 0);
  if (!run) {
    state.pushToast({
      tone: 'info',
      title: 'Nothing to compare yet',
      description: 'Run a benchmark first: Compare plays the videos of one prompt side by side.',
    });
    return;
  }
  if (!useAppStore.getState().runDetails[run.id]) await loadRun(run.id);
  const generations = useAppStore.getState().runDetails[run.id]?.generations ?? [];
  const first = generations.find(
    (generation) => generation.state === 'succeeded' && generation.media,
  );
  if (!first) {
    state.pushToast({
      tone: 'info',
      title: 'Nothing to compare yet',
      description: `“${run.name}” has no finished video.`,
    });
    return;
  }
  useAppStore.getState().navigate({ screen: 'compare', runId: run.id, promptId: first.promptId });
}
