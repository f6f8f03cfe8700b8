/**
 * The one model picker: a searchable combobox grouped by provider, showing display names (the
 * raw `provider:model` id is shown small and is searchable too). Type to filter, ↑/↓ and Enter
 * to choose, Esc to close. The list opens in a layer over the page, so a narrow table cell never
 * truncates it.
 */
import { Command } from 'cmdk';
import { useEffect, useId, useLayoutEffect, useRef, useState, type ReactElement } from 'react';
import { createPortal } from 'react-dom';
import {
  PROVIDER_IDS,
  PROVIDER_LABELS,
  type ModelInfo,
  type ModelRef,
  type ProviderId,
} from '../../../shared/providers/video-provider-spec';
import { providerLabel } from '../../../shared/providers/provider-ids';
import { modelKey } from '../lib/models';
import { focusOnMount } from '../lib/focus-on-mount';
import { filterAndRank, firstRanked } from '../lib/filter-rank';

/** Models grouped by provider, in the providers' usual order, each group sorted by name. */
export function groupModels(
  models: readonly ModelInfo[],
): { provider: ProviderId; label: string; models: ModelInfo[] }[] {
  return PROVIDER_IDS.map((provider) => ({
    provider,
    label: PROVIDER_LABELS[provider],
    models: models
      .filter((model) => model.provider === provider)
      .sort((a, b) => a.displayName.localeCompare(b.displayName, 'en')),
  })).filter((group) => group.models.length > 0);
}

function splitKey(key: string): ModelRef | null {
  const cut = key.indexOf(':');
  if (cut <= 0) return null;
  return { provider: key.slice(0, cut) as ProviderId, modelId: key.slice(cut + 1) };
}

interface Place {
  left: number;
  top: number;
  width: number;
  maxHeight: number;
  above: boolean;
}

export function ModelPicker({
  models,
  value,
  label,
  onChange,
  testId,
}: {
  models: readonly ModelInfo[];
  /** `provider:modelId`; one not in `models` is shown as "not in the model list". */
  value: string;
  /** The accessible name, e.g. "Model of target 1 in premium". */
  label: string;
  onChange: (model: ModelRef) => void;
  testId?: string;
}): ReactElement {
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState('');
  const [place, setPlace] = useState<Place | null>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const layer = useRef<HTMLDivElement>(null);
  const listId = useId();
  const current = models.find((model) => modelKey(model) === value);
  const ref = splitKey(value);
  const groups = groupModels(models);
  // What the list shows for the text typed (cmdk does not filter it: lib/filter-rank.ts says why).
  const rank = (text: string) =>
    filterAndRank(
      groups,
      (group) => group.models,
      text,
      (model, group) => matchModel(itemValue(model), text, [model.modelId, group.label]),
    );
  const shown = rank(query);

  const close = (refocus: boolean): void => {
    setOpen(false);
    setQuery('');
    if (refocus) trigger.current?.focus();
  };
  const openWith = (text: string): void => {
    setQuery(text);
    setActive(current ? itemValue(current) : '');
    setOpen(true);
  };

  // Where the list goes: under the button, or above it when there is more room there.
  useLayoutEffect(() => {
    if (!open || !trigger.current) return;
    const box = trigger.current.getBoundingClientRect();
    const below = window.innerHeight - box.bottom - 8;
    const aboveRoom = box.top - 8;
    const above = below < 260 && aboveRoom > below;
    setPlace({
      left: Math.min(box.left, window.innerWidth - Math.max(box.width, 340) - 8),
      top: above ? box.top - 4 : box.bottom + 4,
      width: Math.max(box.width, 340),
      maxHeight: Math.min(380, above ? aboveRoom : below),
      above,
    });
  }, [open]);

  // A click elsewhere, a scroll of the page or a resize closes it.
  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent): void => {
      const target = event.target as Node;
      if (layer.current?.contains(target) || trigger.current?.contains(target)) return;
      close(false);
    };
    // Only a scroll that moves the button closes it (the list keeps its place otherwise).
    const anchor = trigger.current?.getBoundingClientRect().top ?? 0;
    const onScroll = (event: Event): void => {
      if (layer.current?.contains(event.target as Node)) return;
      const top = trigger.current?.getBoundingClientRect().top ?? anchor;
      if (Math.abs(top - anchor) > 2) close(false);
    };
    const onResize = (): void => close(false);
    document.addEventListener('pointerdown', onPointer, true);
    window.addEventListener('scroll', onScroll, true);
    window.addEventListener('resize', onResize);
    return () => {
      document.removeEventListener('pointerdown', onPointer, true);
      window.removeEventListener('scroll', onScroll, true);
      window.removeEventListener('resize', onResize);
    };
  });

  return (
    <>
      <button
        ref={trigger}
        type="button"
        role="combobox"
        className="model-combo"
        aria-label={label}
        aria-expanded={open}
        aria-haspopup="listbox"
        aria-controls={open ? listId : undefined}
        data-value={value}
        data-testid={testId}
        title={value}
        onClick={() => (open ? close(false) : openWith(''))}
        onKeyDown={(event) => {
          if (event.altKey || event.ctrlKey || event.metaKey) return;
          if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
            event.preventDefault();
            openWith('');
          } else if (event.key.length === 1 && event.key !== ' ') {
            // Typing on the closed picker starts a search with that letter.
            event.preventDefault();
            openWith(event.key);
          }
        }}
      >
        <span className="model-combo-name">
          {current ? current.displayName : (ref?.modelId ?? 'Choose a model')}
        </span>
        <span className="model-combo-provider">
          {current
            ? PROVIDER_LABELS[current.provider]
            : ref
              ? `${providerLabel(ref.provider)} · not in the model list`
              : ''}
        </span>
        <span className="model-combo-chevron" aria-hidden="true">
          ▾
        </span>
      </button>
      {open && place
        ? createPortal(
            <div
              ref={layer}
              className={`model-combo-layer ${place.above ? 'is-above' : ''}`}
              style={{
                left: place.left,
                width: place.width,
                ...(place.above ? { bottom: window.innerHeight - place.top } : { top: place.top }),
              }}
              data-testid={testId ? `${testId}-list` : 'model-picker-list'}
              onKeyDown={(event) => {
                if (event.key === 'Escape') {
                  event.preventDefault();
                  event.stopPropagation();
                  close(true);
                } else if (event.key === 'Tab') {
                  close(true);
                }
              }}
            >
              <Command
                label={label}
                loop
                value={active}
                onValueChange={setActive}
                shouldFilter={false}
              >
                <Command.Input
                  className="model-combo-search"
                  placeholder="Search by name, provider or id…"
                  value={query}
                  onValueChange={(text) => {
                    setQuery(text);
                    // The best match is highlighted, as cmdk's own filter does: Enter takes it.
                    const first = firstRanked(rank(text));
                    setActive(first ? itemValue(first) : '');
                  }}
                  ref={focusOnMount}
                  aria-label={`Search models for ${label}`}
                />
                <Command.List id={listId} style={{ maxHeight: place.maxHeight - 48 }}>
                  <Command.Empty className="model-combo-empty">No model matches.</Command.Empty>
                  {shown.map(({ group, items }) => (
                    <Command.Group
                      key={group.provider}
                      heading={group.label}
                      className="model-combo-group"
                      data-testid={`model-group-option-${group.provider}`}
                    >
                      {items.map((model) => (
                        <Command.Item
                          key={modelKey(model)}
                          value={itemValue(model)}
                          className="model-combo-item"
                          data-testid={`model-option-${modelKey(model)}`}
                          data-current={modelKey(model) === value ? 'true' : undefined}
                          onSelect={() => {
                            onChange({ provider: model.provider, modelId: model.modelId });
                            close(true);
                          }}
                        >
                          <span className="model-combo-item-name">
                            {model.displayName}
                            {model.lifecycle !== 'active' ? (
                              <span className="model-combo-lifecycle">{model.lifecycle}</span>
                            ) : null}
                          </span>
                          <code className="model-combo-id">{model.modelId}</code>
                        </Command.Item>
                      ))}
                    </Command.Group>
                  ))}
                </Command.List>
              </Command>
            </div>,
            document.body,
          )
        : null}
    </>
  );
}

/**
 * Every word typed must appear in the name, the provider or the id ("veo 3" finds Veo 3 and
 * Veo 3.1, not every id with a v, an e and an o in it, as a fuzzy match would).
 */
export function matchModel(value: string, search: string, keywords?: string[]): number {
  const haystack = [value, ...(keywords ?? [])].join(' ').toLowerCase();
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  return words.every((word) => haystack.includes(word)) ? 1 : 0;
}

/** cmdk's value for an item: unique, and what the search matches besides the keywords. */
function itemValue(model: ModelInfo): string {
  return `${model.displayName} ${modelKey(model)}`;
}
