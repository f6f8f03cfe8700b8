import type { ModelInfo } from '../../../shared/providers/video-provider-spec';
import { modelKey } from '../lib/models';

/** Display name for a `provider:model` key, falling back to the key itself. */
export function modelNameFromKey(models: readonly ModelInfo[], key: string): string {
  return models.find((model) => modelKey(model) === key)?.displayName ?? key;
}
