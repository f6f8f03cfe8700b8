import type { ModelInfo, ModelRef } from '../../../shared/providers/video-provider-spec';

export function modelKey(ref: ModelRef): string {
  return `${ref.provider}:${ref.modelId}`;
}

/** Display name for a model reference, falling back to its id when the model is not listed. */
export function modelName(models: readonly ModelInfo[], ref: ModelRef): string {
  return (
    models.find((model) => model.provider === ref.provider && model.modelId === ref.modelId)
      ?.displayName ?? ref.modelId
  );
}

export function isSimulated(models: readonly ModelInfo[], ref: ModelRef): boolean {
  return (
    ref.provider === 'sandbox' ||
    Boolean(models.find((model) => modelKey(model) === modelKey(ref))?.simulated)
  );
}
