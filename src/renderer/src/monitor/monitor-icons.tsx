/** Icons used only by the release monitor (same 24-unit grid and stroke as components/icons). */
import type { ReactElement, SVGProps } from 'react';

type IconProps = SVGProps<SVGSVGElement>;

const base = {
  width: 20,
  height: 20,
  viewBox: '0 0 24 24',
  fill: 'none',
  stroke: 'currentColor',
  strokeWidth: 1.8,
  strokeLinecap: 'round',
  strokeLinejoin: 'round',
  'aria-hidden': true,
  focusable: false,
} as const;

export const BellIcon = (props: IconProps): ReactElement => (
  <svg {...base} {...props}>
    <path d="M6 16V11a6 6 0 0 1 12 0v5l1.5 2h-15z" />
    <path d="M10 20.5a2 2 0 0 0 4 0" />
  </svg>
);

export const BoardIcon = (props: IconProps): ReactElement => (
  <svg {...base} {...props}>
    <rect x="3" y="4" width="5" height="16" rx="1" />
    <rect x="9.5" y="4" width="5" height="10" rx="1" />
    <rect x="16" y="4" width="5" height="13" rx="1" />
  </svg>
);
