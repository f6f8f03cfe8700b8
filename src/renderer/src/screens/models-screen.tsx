import { plural } from '../../../shared/format';
import { modelPriceOrigin, modelPriceText } from '../../../shared/providers/model-price';
import { ModelPriceDialog } from './model-price-dialog';
import { matchModel } from '../components/model-picker';
import { useEffect, useMemo, useRef, useState, type ReactElement } from 'react';
import {
  PROVIDER_IDS,
  PROVIDER_LABELS,
  type ModelInfo,
  type ProviderId,
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
import { ModelsMonitorTabs } from '../monitor/monitor-section';
import { loadModels } from '../store/actions';
import { providerReady } from '../store/providers-slice';
import { isFocused } from '../store/monitor-slice';
import { useAppStore } from '../store/store';

/** Sandbox first, then Together (the provider this console exists for), then the rest. */
const PROVIDER_ORDER: readonly ProviderId[] = ['sandbox', 'together'];

export function groupModels(models: readonly ModelInfo[]): [ProviderId, ModelInfo[]][] {
  const groups = new Map<ProviderId, ModelInfo[]>();
  for (const model of models) {
    const list = groups.get(model.provider) ?? [];
    list.push(model);
    groups.set(model.provider, list);
  }
  const rank = (provider: ProviderId): number => {
    const pinned = PROVIDER_ORDER.indexOf(provider);
    return pinned !== -1 ? pinned : PROVIDER_ORDER.length + PROVIDER_IDS.indexOf(provider);
  };
  return [...groups.entries()].sort(([a], [b]) => rank(a) - rank(b));
}

function LifecycleBadge({ lifecycle }: { lifecycle: ModelInfo['lifecycle'] }): ReactElement | null {
  switch (lifecycle) {
    case 'active':
      return null;
    case 'preview':
      return <Badge tone="info">Preview</Badge>;
    case 'deprecated':
      return (
        <Badge tone="warning" title="The provider plans to retire this model.">
          Deprecated
        </Badge>
      );
    case 'retired':
      return (
        <Badge tone="danger" title="The provider no longer serves this model.">
          Retired
        </Badge>
      );
  }
}

function ModelRow({ model }: { model: ModelInfo }): ReactElement {
  const { capabilities, pricing } = model;
  const focused = useAppStore((state) =>
    isFocused(state.focusedModel, model.provider, model.modelId),
  );
  const element = useRef<HTMLTableRowElement>(null);
  const [editing, setEditing] = useState(false);
  useEffect(() => {
    if (focused) element.current?.scrollIntoView({ block: 'center', behavior: 'smooth' });
  }, [focused]);
  const classes = [model.lifecycle === 'retired' ? 'is-retired' : '', focused ? 'is-focused' : '']
    .filter(Boolean)
    .join(' ');
  return (
    <tr
      ref={element}
      className={classes || undefined}
      data-testid="model-row"
      data-provider={model.provider}
      data-focused={focused}
    >
      <td>
        <div className="cell-stack">
          <span className="strong model-title">
            {model.displayName} {model.simulated ? <SimulatedBadge /> : null}
            <LifecycleBadge lifecycle={model.lifecycle} />
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
        <div className="cell-stack price-cell">
          <span
            className={`tabular strong${pricing.entered ? ' price-entered' : ''}`}
            data-testid="model-price"
          >
            {modelPriceText(model)}
          </span>
          {/* Where the price comes from is a note for maintainers: a tooltip, not a line. */}
          <span
            className="muted small"
            title={`Source: ${pricing.source}`}
            data-testid="model-price-origin"
          >
            {modelPriceOrigin(pricing)}
          </span>
          {model.simulated ? null : (
            <button
              type="button"
              className="link-button small price-edit"
              onClick={() => setEditing(true)}
              // The name starts with the words shown, so a speech-input user can say what they
              // see ("Edit price") and a screen reader still hears which model it is for.
              aria-label={`${pricing.entered ? 'Edit price' : 'Set price'} of ${model.displayName}`}
              data-testid="model-price-edit"
            >
              {pricing.entered ? 'Edit price' : 'Set price'}
            </button>
          )}
        </div>
        {editing ? <ModelPriceDialog model={model} onClose={() => setEditing(false)} /> : null}
      </td>
    </tr>
  );
}

const COLUMNS = 6;

function ProviderGroup({
  provider,
  models,
  ready,
}: {
  provider: ProviderId;
  models: ModelInfo[];
  ready: boolean;
}): ReactElement {
  const navigate = useAppStore((state) => state.navigate);
  return (
    <tbody className="provider-group" data-testid={`model-group-${provider}`}>
      <tr className="provider-row">
        <th scope="colgroup" colSpan={COLUMNS}>
          <div className="provider-row-inner">
            <span className="strong">{PROVIDER_LABELS[provider]}</span>
            <span className="muted small">
              {models.length === 1 ? '1 model' : `${models.length} models`}
            </span>
            {ready ? null : (
              <button
                type="button"
                className="link-button muted-link small"
                onClick={() => navigate({ screen: 'settings' })}
                data-testid={`add-key-link-${provider}`}
              >
                Add a key in Settings to benchmark these
              </button>
            )}
          </div>
        </th>
      </tr>
      {models.map((model) => (
        <ModelRow key={`${model.provider}:${model.modelId}`} model={model} />
      ))}
    </tbody>
  );
}

export function ModelsScreen(): ReactElement {
  const models = useAppStore((state) => state.models);
  const status = useAppStore((state) => state.modelsStatus);
  const providers = useAppStore((state) => state.providers);
  const providersWithKeys = useAppStore((state) => state.appInfo?.providersWithKeys);
  const [search, setSearch] = useState('');
  const shown = useMemo(
    () =>
      search.trim() === ''
        ? models
        : models.filter(
            (model) =>
              matchModel(`${model.displayName} ${model.provider}:${model.modelId}`, search, [
                PROVIDER_LABELS[model.provider],
              ]) > 0,
          ),
    [models, search],
  );
  const groups = useMemo(() => groupModels(shown), [shown]);
  return (
    <div className="page">
      <PageHeader
        title="Models"
        subtitle="Every model the console can call, with what it can do and what it costs. Prices are estimates; each shows where it comes from."
      />
      <ModelsMonitorTabs
        catalogue={
          status.kind === 'error' ? (
            <InlineError message={status.message} onRetry={() => void loadModels()} />
          ) : status.kind !== 'loaded' ? (
            <Loading label="Loading models…" skeleton="rows" />
          ) : models.length === 0 ? (
            <EmptyState icon={<ModelsIcon />} title="No models available">
              No provider is set up. The sandbox should always be here; restart the console if it is
              missing.
            </EmptyState>
          ) : (
            <div className="table-wrap">
              <div className="catalogue-search">
                <input
                  type="search"
                  placeholder="Search models by name, provider or id…"
                  aria-label="Search the catalogue"
                  value={search}
                  onChange={(event) => setSearch(event.target.value)}
                  data-testid="catalogue-search"
                />
                <span className="muted small" data-testid="catalogue-count">
                  {shown.length === models.length
                    ? plural(models.length, 'model')
                    : `${shown.length} of ${plural(models.length, 'model')}`}
                </span>
              </div>
              <table className="table models-table">
                <thead>
                  <tr>
                    <th scope="col">Model</th>
                    <th scope="col">Modes</th>
                    <th scope="col">Durations</th>
                    <th scope="col">Resolutions</th>
                    <th scope="col">Audio</th>
                    <th scope="col">Price</th>
                  </tr>
                </thead>
                {groups.map(([provider, list]) => (
                  <ProviderGroup
                    key={provider}
                    provider={provider}
                    models={list}
                    ready={providerReady(providers, providersWithKeys, provider)}
                  />
                ))}
              </table>
            </div>
          )
        }
      />
    </div>
  );
}
