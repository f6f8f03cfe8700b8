/**
 * "Price" on a model in the Models screen: the admin enters the model's price from the vendor's
 * pricing page (per second of video or per clip, optionally a different amount per resolution,
 * and an audio extra), or clears it. Checked here with the same schema main checks with, so a
 * bad field is named before anything is sent; main's answer (e.g. a resolution the model does
 * not offer) is shown the same way. Saved prices replace the built-in one in every estimate.
 *
 * Clearing an entered price asks first, as every destructive action in the console does (discard
 * routing changes, remove a key, cancel a run): the entry cannot be brought back but by typing it
 * again from the vendor's page, and from then on every estimate, budget check and new run uses
 * the built-in price, or none.
 */
import * as Dialog from '@radix-ui/react-dialog';
import { useEffect, useId, useState, type ReactElement } from 'react';
import {
  MAX_USD_PER_CLIP,
  MAX_USD_PER_SECOND,
  modelPriceOrigin,
  priceEntryIssues,
  modelPriceText,
  hasPrice,
  priceEntryText,
  type EndedModelPrice,
  type ModelPriceEntry,
  type PriceUnit,
} from '../../../shared/providers/model-price';
import { PROVIDER_LABELS, type ModelInfo } from '../../../shared/providers/video-provider-spec';
import { formatDate, formatMoney } from '../../../shared/format';
import { parseDollars } from '../../../shared/money-input';
import { ConfirmButton } from '../components/confirm';
import { getClient } from '../ipc';
import { describeError } from '../ipc/client';
import { loadModels, notify } from '../store/actions';
import { focusOnMount } from '../lib/focus-on-mount';
import { DialogHeader } from '../components/dialog-header';
import { returnFocusOnClose } from '../lib/keep-focus';

type Errors = Partial<Record<string, string>>;

/** The form's text as an entry, or the errors by field (keys as the entry's paths). */
export function readPriceForm(form: {
  unit: PriceUnit;
  usd: string;
  resolutions: Record<string, string>;
  audio: string;
}): { entry: ModelPriceEntry } | { errors: Errors } {
  const resolutionPrices: Record<string, number> = {};
  for (const [resolution, text] of Object.entries(form.resolutions))
    if (text.trim() !== '') resolutionPrices[resolution] = parseDollars(text);
  const entry: ModelPriceEntry = {
    unit: form.unit,
    usd: parseDollars(form.usd),
    ...(Object.keys(resolutionPrices).length > 0 ? { resolutionPrices } : {}),
    ...(form.audio.trim() === '' ? {} : { audioUsdPerSecond: parseDollars(form.audio) }),
  };
  const issues = priceEntryIssues(entry);
  if (issues.length === 0) return { entry };
  const errors: Errors = {};
  for (const issue of issues) errors[issue.path] ??= issue.message;
  return { errors };
}

/** The field an error is about, in the form's words: "Price", "1080p price", "Audio extra". */
function fieldName(path: string): string {
  if (path === 'usd') return 'Price';
  if (path === 'audioUsdPerSecond') return 'Audio extra';
  if (path.startsWith('resolutionPrices.'))
    return `${path.slice('resolutionPrices.'.length)} price`;
  return path;
}

const UNIT_LABEL: Record<PriceUnit, string> = {
  second: 'per second of video',
  clip: 'per clip',
};

export function ModelPriceDialog({
  model,
  onClose,
}: {
  model: ModelInfo;
  onClose: () => void;
}): ReactElement {
  const id = useId();
  const entered = model.pricing.entered;
  const builtIn = entered ? entered.replaces : hasPrice(model.pricing) ? model.pricing : null;
  const [unit, setUnit] = useState<PriceUnit>(
    entered?.unit ?? (builtIn?.usdPerClip !== undefined ? 'clip' : 'second'),
  );
  const [usd, setUsd] = useState(entered ? String(entered.usd) : '');
  const [resolutions, setResolutions] = useState<Record<string, string>>(() =>
    Object.fromEntries(
      model.capabilities.resolutions.map((resolution) => [
        resolution,
        entered?.resolutionPrices?.[resolution] === undefined
          ? ''
          : String(entered.resolutionPrices[resolution]),
      ]),
    ),
  );
  const [audio, setAudio] = useState(
    entered?.audioUsdPerSecond === undefined ? '' : String(entered.audioUsdPerSecond),
  );
  const [errors, setErrors] = useState<Errors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const name = `${model.provider}:${model.modelId}`;
  const perResolution = model.capabilities.resolutions.length > 1;

  const save = async (): Promise<void> => {
    const read = readPriceForm({ unit, usd, resolutions, audio });
    if ('errors' in read) {
      setErrors(read.errors);
      setFailure(null);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const saved = await getClient().invoke('models:set-price', {
        provider: model.provider,
        modelId: model.modelId,
        price: read.entry,
      });
      await loadModels();
      notify(`Price saved for ${model.displayName}`, modelPriceText(saved), 'success');
      onClose();
    } catch (error) {
      // Main names the field too (e.g. a resolution the model no longer offers).
      setFailure(describeError(error));
    } finally {
      setBusy(false);
    }
  };

  const clear = async (): Promise<void> => {
    setBusy(true);
    try {
      const { model: after } = await getClient().invoke('models:clear-price', {
        provider: model.provider,
        modelId: model.modelId,
      });
      await loadModels();
      notify(
        `Entered price cleared for ${model.displayName}`,
        after ? `Now: ${modelPriceText(after)}` : undefined,
      );
      onClose();
    } catch (error) {
      setFailure(describeError(error));
    } finally {
      setBusy(false);
    }
  };

  const fieldError = (path: string, testId: string): ReactElement | null =>
    errors[path] ? (
      <p key={path} className="field-error" role="alert" data-testid={testId}>
        {fieldName(path)} {errors[path]}
      </p>
    ) : null;
  /** A field's error goes once the admin changes it. */
  const edited = (path: string): void =>
    setErrors((current) => {
      if (current[path] === undefined) return current;
      const { [path]: _gone, ...rest } = current;
      return rest;
    });
  const max = unit === 'second' ? MAX_USD_PER_SECOND : MAX_USD_PER_CLIP;

  return (
    <Dialog.Root open onOpenChange={(open) => (open ? undefined : onClose())}>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content
          className="dialog"
          aria-describedby={`${id}-what`}
          onCloseAutoFocus={returnFocusOnClose}
        >
          <form
            onSubmit={(event) => {
              event.preventDefault();
              void save();
            }}
            data-testid="price-form"
            noValidate
          >
            <DialogHeader closable>Price of {model.displayName}</DialogHeader>
            <div className="dialog-body dialog-stack">
              <p className="muted small" id={`${id}-what`}>
                <code>{name}</code> · {PROVIDER_LABELS[model.provider]}. Enter the price from the
                vendor&apos;s pricing page. Estimates, budget checks and new runs use it
                {builtIn ? ' in place of the built-in price' : ''}; what the vendor bills still
                replaces the estimate.
              </p>
              <p className="small" data-testid="price-current">
                {entered ? (
                  <>
                    Entered: <span className="strong">{modelPriceText(model)}</span> (
                    {modelPriceOrigin(model.pricing)}, by {entered.by})
                  </>
                ) : builtIn ? (
                  <>
                    Built-in: <span className="strong">{modelPriceText(model)}</span> (
                    {modelPriceOrigin(model.pricing)})
                  </>
                ) : (
                  'No price is known for this model yet: plans count it at the dearest known price, or refuse it.'
                )}
              </p>
              <div className="field-row">
                <div className="field">
                  <label htmlFor={`${id}-usd`}>Price (USD)</label>
                  <div className="input-prefix">
                    <span aria-hidden="true">$</span>
                    <input
                      id={`${id}-usd`}
                      inputMode="decimal"
                      value={usd}
                      placeholder={unit === 'second' ? 'e.g. 0.12' : 'e.g. 0.50'}
                      onChange={(event) => {
                        setUsd(event.target.value);
                        edited('usd');
                      }}
                      aria-invalid={errors.usd !== undefined}
                      data-testid="price-usd"
                      ref={focusOnMount}
                    />
                  </div>
                  {fieldError('usd', 'price-usd-error')}
                </div>
                <div className="field">
                  <label htmlFor={`${id}-unit`}>Unit</label>
                  <select
                    id={`${id}-unit`}
                    value={unit}
                    onChange={(event) => {
                      setUnit(event.target.value as PriceUnit);
                      edited('usd');
                    }}
                    data-testid="price-unit"
                  >
                    <option value="second">{UNIT_LABEL.second}</option>
                    <option value="clip">{UNIT_LABEL.clip}</option>
                  </select>
                </div>
              </div>
              <p className="field-hint">
                A positive amount up to {formatMoney(max)} {UNIT_LABEL[unit]}.
              </p>
              {perResolution ? (
                <fieldset className="field">
                  <legend>Different price at a resolution (optional)</legend>
                  <div className="price-resolutions">
                    {model.capabilities.resolutions.map((resolution) => (
                      <div key={resolution} className="field">
                        <label htmlFor={`${id}-res-${resolution}`} className="small">
                          {resolution}
                        </label>
                        <input
                          id={`${id}-res-${resolution}`}
                          inputMode="decimal"
                          value={resolutions[resolution] ?? ''}
                          placeholder="same"
                          onChange={(event) => {
                            setResolutions((current) => ({
                              ...current,
                              [resolution]: event.target.value,
                            }));
                            edited(`resolutionPrices.${resolution}`);
                          }}
                          aria-invalid={errors[`resolutionPrices.${resolution}`] !== undefined}
                          data-testid={`price-res-${resolution}`}
                        />
                      </div>
                    ))}
                  </div>
                  {/* Under the row, full width: a cell is too narrow for a sentence. */}
                  {model.capabilities.resolutions.map((resolution) =>
                    fieldError(`resolutionPrices.${resolution}`, `price-res-${resolution}-error`),
                  )}
                  <p className="field-hint">
                    Same unit. A clip whose resolution the suite leaves to the vendor is counted at
                    the dearest amount, so the budget holds.
                  </p>
                </fieldset>
              ) : null}
              {model.capabilities.audio ? (
                <div className="field">
                  <label htmlFor={`${id}-audio`}>Audio extra, per second (optional)</label>
                  <div className="input-prefix">
                    <span aria-hidden="true">$</span>
                    <input
                      id={`${id}-audio`}
                      inputMode="decimal"
                      value={audio}
                      placeholder="none"
                      onChange={(event) => {
                        setAudio(event.target.value);
                        edited('audioUsdPerSecond');
                      }}
                      aria-invalid={errors.audioUsdPerSecond !== undefined}
                      data-testid="price-audio"
                    />
                  </div>
                  {fieldError('audioUsdPerSecond', 'price-audio-error')}
                </div>
              ) : null}
              <PriceHistory model={model} />
              {failure ? (
                <p className="field-error" role="alert" data-testid="price-failure">
                  {failure}
                </p>
              ) : null}
            </div>
            <div className="dialog-footer">
              {entered ? (
                <ConfirmButton
                  label="Clear entered price"
                  title={`Clear the price entered for ${model.displayName}?`}
                  body={<ClearPriceBody model={model} />}
                  confirmLabel="Clear price"
                  busyLabel="Clearing…"
                  keepLabel="Keep the price"
                  className="button button-secondary price-clear"
                  testId="price-clear"
                  disabled={busy}
                  onConfirm={clear}
                />
              ) : null}
              <Dialog.Close className="button button-secondary" type="button">
                Cancel
              </Dialog.Close>
              <button
                type="submit"
                className="button button-primary"
                disabled={busy}
                data-testid="price-save"
              >
                {busy ? 'Saving…' : 'Save price'}
              </button>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

/**
 * What clearing removes and what estimates use after it: "The entered price of MiniMax Video-01
 * (minimax/video-01 on Replicate), $0.10 per second of video, entered by alice, is removed.
 * Estimates, budget checks and new runs then use the built-in price, $0.12/s" (or, with none:
 * "price unknown").
 */
export function ClearPriceBody({ model }: { model: ModelInfo }): ReactElement | null {
  const entered = model.pricing.entered;
  if (!entered) return null;
  const replaces = entered.replaces;
  return (
    <span className="dialog-stack" data-testid="price-clear-what">
      <span>
        The entered price of <span className="strong">{model.displayName}</span> (
        <code>{model.modelId}</code> on {PROVIDER_LABELS[model.provider]}),{' '}
        <span className="strong">{priceEntryText(entered)}</span>, entered by {entered.by}, is
        removed. It stays listed under Earlier prices; typing it in again is the only way back.
      </span>
      <span>
        {replaces ? (
          <>
            Estimates, budget checks and new runs then use the built-in price,{' '}
            <span className="strong">
              {modelPriceText({ pricing: replaces, simulated: model.simulated })}
            </span>
            .
          </>
        ) : (
          <>
            The console has no built-in price for it: it shows{' '}
            <span className="strong">price unknown</span>, and plans count it at the dearest known
            price, or refuse it.
          </>
        )}
      </span>
    </span>
  );
}

/**
 * The model's earlier entered prices (replaced or cleared), read when the form opens: what an
 * estimate made before a change was counted at, and who changed it. Nothing is shown while
 * there are none, or when the read fails (the form works without it).
 */
export function PriceHistory({ model }: { model: ModelInfo }): ReactElement | null {
  const [history, setHistory] = useState<EndedModelPrice[] | null>(null);
  useEffect(() => {
    let live = true;
    getClient()
      .invoke('models:price-history', { provider: model.provider, modelId: model.modelId })
      .then(
        (entries) => {
          if (live) setHistory(entries);
        },
        () => undefined,
      );
    return () => {
      live = false;
    };
  }, [model.provider, model.modelId]);
  if (!history || history.length === 0) return null;
  return (
    <details className="price-history" data-testid="price-history">
      <summary>
        Earlier prices <span className="muted">({history.length})</span>
      </summary>
      <ol className="price-history-list">
        {history.map((entry) => (
          <li key={`${entry.enteredAt}-${entry.endedAt}`} data-testid="price-history-entry">
            <span className="strong">{priceEntryText(entry)}</span>
            <span className="muted small">
              {' '}
              entered by {entry.enteredBy} on {formatDate(entry.enteredAt)};{' '}
              {entry.endedHow === 'replaced' ? 'replaced' : 'cleared'} by {entry.endedBy} on{' '}
              {formatDate(entry.endedAt)}
            </span>
          </li>
        ))}
      </ol>
    </details>
  );
}
