import * as Tooltip from '@radix-ui/react-tooltip';
import { useState, type ReactElement, type ReactNode } from 'react';

/**
 * Radix's Tooltip.Root with its open state held here (controlled): every tooltip of the console
 * uses it instead of Tooltip.Root.
 *
 * Why: left to itself, Radix keeps the state and announces an opening (an event on the
 * document, which closes any other open tooltip) from an effect; the content, mounted a render
 * later by its portal, listens for that event. React runs the first render's effects before
 * the second render; Preact (the renderer's React, scripts/preact-aliases.ts) ran the
 * content's first, so each tooltip heard its own opening and closed at once (the scorecard's
 * measures tooltip). Controlled, Radix announces the opening as the trigger asks for it, before
 * the content exists.
 */
export function TooltipRoot({ children }: { children: ReactNode }): ReactElement {
  const [open, setOpen] = useState(false);
  return (
    // eslint-disable-next-line no-restricted-syntax -- the one place that uses it, controlled
    <Tooltip.Root open={open} onOpenChange={setOpen}>
      {children}
    </Tooltip.Root>
  );
}
