import type { ReactElement } from 'react';
import {
  PROVIDER_LABELS,
  type ModelInfo,
  type Pricing,
} from '../../../shared/providers/video-provider-spec';
import { ModelsIcon } from '../components/icons';
import {
  Badge,
  EmptyState,
  InlineError,
  Loading,
  PageHeader,
  SimulatedBadge,
} from '../components/ui';
import { loadModels } from '../store/actions';
import { useAppStore } from '../store/store';

function priceText(pricing: Pricing): string {
  if (pricing.usdPerSecond !== undefined) return `$${pricing.usdPerSecond.toFixed(3)} / s`;
  if (pricing.usdPerClip !== undefined) return `$${pricing.usdPerClip.toFixed(2)} / clip`;
  return 'not published';
}

const LIFECYCLE_TONE = {
  active: 'success',
  preview: 'info',
  deprecated: 'warning',
  retired: 'danger',
} as const;

function ModelRow({ model, hasKey }: { model: ModelInfo; hasKey: boolean }): ReactElement {
  const { capabilities, pricing } = model;
  return (
    <tr>
      <td>
        <div className="cell-stack">
          <span>{PROVIDER_LABELS[model.provider]}</span>
          {!model.simulated && !hasKey ? <span className="muted small">No API key yet</span> : null}
        </div>
      </td>
      <td>
        <div className="cell-stack">
          <span className="strong">
            {model.displayName} {model.simulated ? <SimulatedBadge /> : null}
          </span>
          <code className="muted small">{model.modelId}</code>
        </div>
      </td>
      <td>
        <div className="chip-row">
          {capabilities.textToVideo ? <Badge>T2V</Badge> : null}
          {capabilities.imageToVideo ? <Badge>I2V</Badge> : null}
        </div>
      </td>
      <td className="tabular">
        {capabilities.durationsSeconds.map((seconds) => `${seconds}`).join(', ')} s
      </td>
      <td>{capabilities.resolutions.join(', ')}</td>
      <td>{capabilities.audio ? 'Yes' : 'No'}</td>
      <td>
        <div className="cell-stack">
          <span className="tabular strong">{priceText(pricing)}</span>
          <span className="muted small" title={pricing.source}>
            {pricing.source} · {pricing.asOf}
          </span>
        </div>
      </td>
      <td>
        <Badge tone={LIFECYCLE_TONE[model.lifecycle]}>{model.lifecycle}</Badge>
      </td>
    </tr>
  );
}

export function ModelsScreen(): ReactElement {
  const models = useAppStore((state) => state.models);
  const status = useAppStore((state) => state.modelsStatus);
  const providersWithKeys = useAppStore((state) => state.appInfo?.providersWithKeys);
  return (
    <div className="page">
      <PageHeader
        title="Models"
        subtitle="Every model the console can call, with what it can do and what it costs. Prices are estimates; each shows where it comes from."
      />
      {status.kind === 'error' ? (
        <InlineError message={status.message} onRetry={() => void loadModels()} />
      ) : status.kind !== 'loaded' ? (
        <Loading label="Loading models…" />
      ) : models.length === 0 ? (
        <EmptyState icon={<ModelsIcon />} title="No models available">
          No provider is set up. The sandbox should always be here; restart the console if it is
          missing.
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Provider</th>
                <th scope="col">Model</th>
                <th scope="col">Modes</th>
                <th scope="col">Durations</th>
                <th scope="col">Resolutions</th>
                <th scope="col">Audio</th>
                <th scope="col">Price</th>
                <th scope="col">Lifecycle</th>
              </tr>
            </thead>
            <tbody>
              {models.map((model) => (
                <ModelRow
                  key={`${model.provider}:${model.modelId}`}
                  model={model}
                  hasKey={providersWithKeys?.includes(model.provider) ?? false}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
