/** The category-pool filter (text-to-video, image-to-video; with and without audio). */
import type { ReactElement } from 'react';
import { POOLS, poolLabel, type Pool } from '../../../shared/review/review-schemas';

export function PoolSelect({
  value,
  onChange,
  allLabel,
  testId,
  disabled = false,
}: {
  value: Pool | '';
  onChange: (pool: Pool | '') => void;
  /** What "no filter" means here, e.g. "All pools (combined)". */
  allLabel: string;
  testId: string;
  disabled?: boolean;
}): ReactElement {
  return (
    <label className="inline-field">
      <span className="muted small">Pool</span>
      <select
        value={value}
        onChange={(event) => onChange(event.target.value as Pool | '')}
        data-testid={testId}
        disabled={disabled}
      >
        <option value="">{allLabel}</option>
        {POOLS.map((pool) => (
          <option key={pool} value={pool}>
            {poolLabel(pool)}
          </option>
        ))}
      </select>
    </label>
  );
}
