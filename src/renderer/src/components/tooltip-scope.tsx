import * as Tooltip from '@radix-ui/react-tooltip';
import type { ReactElement, ReactNode } from 'react';

/**
 * The tooltips' provider, for the screens loaded on demand (app.tsx wraps each of them): the
 * first screen has no tooltip, so Radix's tooltip and its positioning code stay out of the
 * start-up chunk.
 */
export function TooltipScope({ children }: { children: ReactNode }): ReactElement {
  return <Tooltip.Provider delayDuration={300}>{children}</Tooltip.Provider>;
}
