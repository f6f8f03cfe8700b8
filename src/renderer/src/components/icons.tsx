/** Inline SVG icons (the CSP allows no remote images). 20×20, stroke = currentColor. */
import type { ReactElement, SVGProps } from 'react';

type IconProps = SVGProps<SVGSVGElement>;

function Icon({ children, ...props }: IconProps): ReactElement {
  return (
    <svg
      width="20"
      height="20"
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.8"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
      {...props}
    >
      {children}
    </svg>
  );
}

export const ModelsIcon = (props: IconProps): ReactElement => (
  <Icon {...props}>
    <rect x="3" y="4" width="18" height="12" rx="2" />
    <path d="M10 8.5v3l3-1.5z" fill="currentColor" />
    <path d="M8 20h8M12 16v4" />
  </Icon>
);
export const BenchIcon = (props: IconProps): ReactElement => (
  <Icon {...props}>
    <path d="M4 20V10M10 20V4M16 20v-7M22 20H2" />
  </Icon>
);
export const ReviewIcon = (props: IconProps): ReactElement => (
  <Icon {...props}>
    <rect x="2" y="5" width="9" height="14" rx="1.5" />
    <rect x="13" y="5" width="9" height="14" rx="1.5" />
  </Icon>
);
export const RolloutIcon = (props: IconProps): ReactElement => (
  <Icon {...props}>
    <path d="M5 19c4-1 6-4 7-8M12 11l3-6 4 4-6 3" />
    <path d="M5 19l-1 1" />
  </Icon>
);
export const SettingsIcon = (props: IconProps): ReactElement => (
  <Icon {...props}>
    <circle cx="12" cy="12" r="3" />
    <path d="M12 2v3M12 19v3M2 12h3M19 12h3M4.9 4.9l2.1 2.1M17 17l2.1 2.1M4.9 19.1 7 17M17 7l2.1-2.1" />
  </Icon>
);
export const PlusIcon = (props: IconProps): ReactElement => (
  <Icon {...props}>
    <path d="M12 5v14M5 12h14" />
  </Icon>
);
export const PlayIcon = (props: IconProps): ReactElement => (
  <Icon {...props}>
    <path d="M7 4.5v15l12-7.5z" fill="currentColor" />
  </Icon>
);
export const PauseIcon = (props: IconProps): ReactElement => (
  <Icon {...props}>
    <path d="M7 4h3.5v16H7zM13.5 4H17v16h-3.5z" fill="currentColor" stroke="none" />
  </Icon>
);
export const FrameBackIcon = (props: IconProps): ReactElement => (
  <Icon {...props}>
    <path d="M6 5v14M18 6l-8 6 8 6z" />
  </Icon>
);
export const FrameForwardIcon = (props: IconProps): ReactElement => (
  <Icon {...props}>
    <path d="M18 5v14M6 6l8 6-8 6z" />
  </Icon>
);
export const CloseIcon = (props: IconProps): ReactElement => (
  <Icon {...props}>
    <path d="M6 6l12 12M18 6 6 18" />
  </Icon>
);
export const BackIcon = (props: IconProps): ReactElement => (
  <Icon {...props}>
    <path d="M15 5l-7 7 7 7" />
  </Icon>
);
export const CompareIcon = (props: IconProps): ReactElement => (
  <Icon {...props}>
    <rect x="3" y="5" width="7" height="14" rx="1" />
    <rect x="14" y="5" width="7" height="14" rx="1" />
  </Icon>
);
export const SparkIcon = (props: IconProps): ReactElement => (
  <Icon {...props}>
    <path d="M12 3v4M12 17v4M3 12h4M17 12h4M6 6l2.5 2.5M15.5 15.5 18 18M6 18l2.5-2.5M15.5 8.5 18 6" />
  </Icon>
);
export const KeyIcon = (props: IconProps): ReactElement => (
  <Icon {...props}>
    <circle cx="8" cy="15" r="4" />
    <path d="M11 12l9-9M17 6l3 3M15 8l2 2" />
  </Icon>
);
export const AlertIcon = (props: IconProps): ReactElement => (
  <Icon {...props}>
    <path d="M12 3 2 20h20z" />
    <path d="M12 10v4M12 17v.5" />
  </Icon>
);
export const InfoIcon = (props: IconProps): ReactElement => (
  <Icon {...props}>
    <circle cx="12" cy="12" r="9" />
    <path d="M12 11v5M12 7.5v.5" />
  </Icon>
);
export const DownloadIcon = (props: IconProps): ReactElement => (
  <Icon {...props}>
    <path d="M12 4v11M7 10l5 5 5-5M5 20h14" />
  </Icon>
);
export const UploadIcon = (props: IconProps): ReactElement => (
  <Icon {...props}>
    <path d="M12 16V5M7 10l5-5 5 5M5 20h14" />
  </Icon>
);
export const TrashIcon = (props: IconProps): ReactElement => (
  <Icon {...props}>
    <path d="M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3" />
  </Icon>
);
