/** Small shared pieces: badges, progress bars, empty states, inline errors, spinners. */
import type { ReactElement, ReactNode } from 'react';
import { percent } from '../lib/format';
import { AlertIcon } from './icons';

export type Tone = 'neutral' | 'info' | 'success' | 'warning' | 'danger' | 'sim';

export function Badge({
  tone = 'neutral',
  children,
  title,
}: {
  tone?: Tone;
  children: ReactNode;
  title?: string;
}): ReactElement {
  return (
    <span className={`badge badge-${tone}`} title={title}>
      {children}
    </span>
  );
}

export function SimulatedBadge(): ReactElement {
  return (
    <Badge
      tone="sim"
      title="Sandbox model: runs offline and its results are simulated, not real generations."
    >
      Simulated
    </Badge>
  );
}

export function ProgressBar({
  value,
  max,
  label,
  tone = 'info',
  size = 'md',
  testId,
}: {
  value: number;
  max: number;
  label: string;
  tone?: 'info' | 'success' | 'danger' | 'neutral';
  size?: 'sm' | 'md';
  testId?: string;
}): ReactElement {
  const width = percent(value, max);
  return (
    <div
      className={`progress progress-${size}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={max}
      aria-valuenow={value}
      data-testid={testId}
    >
      <div className={`progress-fill progress-${tone}`} style={{ width: `${width}%` }} />
    </div>
  );
}

export function EmptyState({
  icon,
  title,
  children,
  action,
}: {
  icon?: ReactNode;
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}): ReactElement {
  return (
    <div className="empty-state">
      {icon ? <div className="empty-icon">{icon}</div> : null}
      <h2 className="empty-title">{title}</h2>
      {children ? <div className="empty-body">{children}</div> : null}
      {action ? <div className="empty-action">{action}</div> : null}
    </div>
  );
}

export function InlineError({
  message,
  onRetry,
}: {
  message: string;
  onRetry?: () => void;
}): ReactElement {
  return (
    <div className="inline-error" role="alert">
      <AlertIcon />
      <p>{message}</p>
      {onRetry ? (
        <button type="button" className="button button-secondary button-small" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

/** The shape a skeleton takes while a screen's data loads. */
export type SkeletonShape = 'rows' | 'cards' | 'table';

/**
 * A waiting state. Without `skeleton` it is a spinner with its label; with one it draws the
 * shape of what is coming (rows, cards or a table) and keeps the label for screen readers.
 */
export function Loading({
  label,
  skeleton,
  count = 4,
}: {
  label: string;
  skeleton?: SkeletonShape;
  count?: number;
}): ReactElement {
  if (skeleton) {
    const items = Array.from({ length: count }, (_, index) => index);
    return (
      <div
        className={`skeleton skeleton-${skeleton}`}
        role="status"
        aria-busy="true"
        data-testid="skeleton"
      >
        <span className="visually-hidden">{label}</span>
        {items.map((index) => (
          <div key={index} className="skeleton-item" aria-hidden="true">
            <span className="skeleton-line skeleton-line-title" />
            <span className="skeleton-line" />
            {skeleton === 'cards' ? <span className="skeleton-line skeleton-line-short" /> : null}
          </div>
        ))}
      </div>
    );
  }
  return (
    <div className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function PageHeader({
  title,
  subtitle,
  actions,
  leading,
}: {
  title: ReactNode;
  subtitle?: ReactNode;
  actions?: ReactNode;
  leading?: ReactNode;
}): ReactElement {
  return (
    <header className="page-header">
      {leading}
      <div className="page-heading">
        <h1>{title}</h1>
        {subtitle ? <p className="page-subtitle">{subtitle}</p> : null}
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </header>
  );
}
