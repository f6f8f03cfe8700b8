/**
 * Rollout is one long page (config → simulate → publish → watch). This bar jumps to each part
 * and marks the one in view; Alt+1…6 do the same from the keyboard.
 */
import { useEffect, useState, type ReactElement } from 'react';

export interface SectionLink {
  /** data-testid of the section element. */
  testId: string;
  label: string;
}

export const ROLLOUT_SECTIONS: readonly SectionLink[] = [
  { testId: 'rollout-editor', label: 'Config' },
  { testId: 'routing-simulator', label: 'Simulator' },
  { testId: 'flag-preview', label: 'Flag preview' },
  { testId: 'routing-recommendations', label: 'Recommendations' },
  { testId: 'publishing-section', label: 'Publishing' },
  { testId: 'watch-section', label: 'Production watch' },
];

const find = (testId: string): HTMLElement | null =>
  document.querySelector<HTMLElement>(`[data-testid="${testId}"]`);

function jump(testId: string): void {
  const element = find(testId);
  if (!element) return;
  // Smooth only for those who have not asked for less motion.
  const still = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
  element.scrollIntoView({ behavior: still ? 'auto' : 'smooth', block: 'start' });
  // Move focus so the keyboard continues from there (without a second scroll).
  if (!element.hasAttribute('tabindex')) element.setAttribute('tabindex', '-1');
  element.focus({ preventScroll: true });
}

export function SectionNav({ sections }: { sections: readonly SectionLink[] }): ReactElement {
  const [current, setCurrent] = useState<string | null>(null);

  // Scroll-spy: the current section is the last one whose top has passed just under the bar.
  useEffect(() => {
    let frame = 0;
    const update = (): void => {
      frame = 0;
      const line = 96;
      let found: string | null = null;
      for (const section of sections) {
        const element = find(section.testId);
        if (element && element.getBoundingClientRect().top <= line) found = section.testId;
      }
      // At the bottom of the page the last sections can never reach the line: the last one
      // that is on screen is then the one in view.
      const scroller = document.getElementById('main');
      if (scroller && scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 4) {
        for (const section of sections) {
          const element = find(section.testId);
          if (element && element.getBoundingClientRect().top < window.innerHeight) {
            found = section.testId;
          }
        }
      }
      setCurrent(found ?? sections[0]?.testId ?? null);
    };
    const onScroll = (): void => {
      if (frame === 0) frame = requestAnimationFrame(update);
    };
    update();
    // Capture: the page scrolls inside the app's main element, not the window.
    window.addEventListener('scroll', onScroll, true);
    window.addEventListener('resize', onScroll);
    return () => {
      if (frame !== 0) cancelAnimationFrame(frame);
      window.removeEventListener('scroll', onScroll, true);
      window.removeEventListener('resize', onScroll);
    };
  }, [sections]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (!event.altKey || event.ctrlKey || event.metaKey) return;
      const index = Number(event.key) - 1;
      const section = sections[index];
      if (!Number.isInteger(index) || !section) return;
      event.preventDefault();
      jump(section.testId);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [sections]);

  return (
    <nav className="rt-section-nav" aria-label="Rollout sections" data-testid="rollout-nav">
      {sections.map((section, index) => (
        <button
          key={section.testId}
          type="button"
          className={`rt-section-link ${current === section.testId ? 'is-current' : ''}`}
          aria-current={current === section.testId ? 'true' : undefined}
          title={`Alt+${index + 1}`}
          data-testid={`rollout-nav-${section.testId}`}
          onClick={() => jump(section.testId)}
        >
          {section.label}
        </button>
      ))}
    </nav>
  );
}
