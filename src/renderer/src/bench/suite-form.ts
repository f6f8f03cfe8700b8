/**
 * The suite editor's form: a draft of text fields, checked here with messages that name the
 * field before anything is sent. Main validates again (`suiteDefinitionSchema`); the limits
 * below mirror that schema.
 */
import type { PromptCategory, SuiteDefinition } from '../../../shared/domain';

/** Every prompt category, with the words the editor shows. Keep in step with `promptCategorySchema`. */
export const CATEGORY_LABELS: Readonly<Record<PromptCategory, string>> = {
  people: 'People and faces',
  animals: 'Animals',
  physics: 'Physics and fluids',
  camera: 'Camera motion',
  text: 'Text in the scene',
  'multi-object': 'Multi-object scenes',
  stylised: 'Stylised',
  'image-to-video': 'Image to video',
  general: 'General',
};
export const CATEGORIES = Object.keys(CATEGORY_LABELS) as PromptCategory[];

export const ASPECT_RATIOS = ['16:9', '9:16', '1:1', '4:3', '3:4', '21:9'] as const;
export const RESOLUTIONS = ['480p', '540p', '720p', '1080p', '4k'] as const;

export const LIMITS = {
  name: 120,
  description: 2000,
  promptText: 4000,
  prompts: 1000,
  durationSeconds: 120,
} as const;

export interface PromptDraft {
  /** Stable id inside the suite (kept across versions, so results stay comparable). */
  id: string;
  text: string;
  category: PromptCategory;
  imageUrl: string;
}

export interface SuiteDraft {
  name: string;
  description: string;
  durationText: string;
  aspectRatio: string;
  resolution: string;
  seedText: string;
  audio: 'default' | 'on' | 'off';
  prompts: PromptDraft[];
}

export interface FieldError {
  /** `name`, `settings.durationSeconds`, `prompts.2.text`, … */
  field: string;
  message: string;
}

export type DraftCheck =
  { ok: true; definition: SuiteDefinition } | { ok: false; errors: FieldError[] };

export function emptyDraft(): SuiteDraft {
  return {
    name: '',
    description: '',
    durationText: '',
    aspectRatio: '',
    resolution: '',
    seedText: '',
    audio: 'default',
    prompts: [{ id: 'p01', text: '', category: 'general', imageUrl: '' }],
  };
}

export function draftFromDefinition(definition: SuiteDefinition): SuiteDraft {
  const { settings } = definition;
  return {
    name: definition.name,
    description: definition.description,
    durationText: settings.durationSeconds === undefined ? '' : String(settings.durationSeconds),
    aspectRatio: settings.aspectRatio ?? '',
    resolution: settings.resolution ?? '',
    seedText: settings.seed === undefined ? '' : String(settings.seed),
    audio: settings.audio === undefined ? 'default' : settings.audio ? 'on' : 'off',
    prompts: definition.prompts.map((prompt) => ({
      id: prompt.id,
      text: prompt.text,
      category: prompt.category,
      imageUrl: prompt.imageUrl ?? '',
    })),
  };
}

/** The first free id of the form p01, p02, … */
export function nextPromptId(prompts: readonly { id: string }[]): string {
  const used = new Set(prompts.map((prompt) => prompt.id));
  for (let n = prompts.length + 1; ; n += 1) {
    const id = `p${String(n).padStart(2, '0')}`;
    if (!used.has(id)) return id;
  }
}

function numberField(text: string): number | undefined | null {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : null;
}

/** Checks the draft; on success returns the definition to save. */
export function checkDraft(draft: SuiteDraft): DraftCheck {
  const errors: FieldError[] = [];
  const add = (field: string, message: string): void => {
    errors.push({ field, message });
  };

  const name = draft.name.trim();
  if (!name) add('name', 'Give the suite a name.');
  else if (name.length > LIMITS.name)
    add('name', `The name is too long: at most ${LIMITS.name} characters.`);
  if (draft.description.length > LIMITS.description)
    add('description', `The description is too long: at most ${LIMITS.description} characters.`);

  const settings: SuiteDefinition['settings'] = {};
  const duration = numberField(draft.durationText);
  if (
    duration === null ||
    (duration !== undefined && (duration <= 0 || duration > LIMITS.durationSeconds))
  )
    add(
      'settings.durationSeconds',
      `Duration must be a number of seconds above 0 and at most ${LIMITS.durationSeconds}, or empty for each model's default.`,
    );
  else if (duration !== undefined) settings.durationSeconds = duration;

  if (draft.aspectRatio) {
    if (/^\d+:\d+$/.test(draft.aspectRatio)) settings.aspectRatio = draft.aspectRatio;
    else add('settings.aspectRatio', 'Aspect ratio must look like 16:9.');
  }
  if (draft.resolution) {
    if (/^\d+p$|^4k$/i.test(draft.resolution)) settings.resolution = draft.resolution;
    else add('settings.resolution', 'Resolution must look like 720p.');
  }
  const seed = numberField(draft.seedText);
  if (seed === null || (seed !== undefined && (!Number.isInteger(seed) || seed < 0)))
    add('settings.seed', 'Seed must be a whole number of 0 or more, or empty for a random seed.');
  else if (seed !== undefined) settings.seed = seed;
  if (draft.audio !== 'default') settings.audio = draft.audio === 'on';

  if (draft.prompts.length === 0) add('prompts', 'Add at least one prompt.');
  if (draft.prompts.length > LIMITS.prompts)
    add('prompts', `A suite can have at most ${LIMITS.prompts} prompts.`);
  const prompts: SuiteDefinition['prompts'] = [];
  draft.prompts.forEach((prompt, index) => {
    const text = prompt.text.trim();
    const where = `Prompt ${index + 1}`;
    if (!text) add(`prompts.${index}.text`, `${where} has no text.`);
    else if (text.length > LIMITS.promptText)
      add(
        `prompts.${index}.text`,
        `${where} is too long: at most ${LIMITS.promptText} characters.`,
      );
    const imageUrl = prompt.imageUrl.trim();
    if (
      imageUrl &&
      !/^https:\/\/\S+$/i.test(imageUrl) &&
      !/^data:image\/[a-z+.-]+;base64,/i.test(imageUrl)
    )
      add(
        `prompts.${index}.imageUrl`,
        `${where}: the image must be an https:// address or a data:image/… URI.`,
      );
    if (prompt.category === 'image-to-video' && !imageUrl)
      add(`prompts.${index}.imageUrl`, `${where} is image-to-video: add the reference image URL.`);
    prompts.push({
      id: prompt.id,
      text,
      category: prompt.category,
      ...(imageUrl ? { imageUrl } : {}),
    });
  });

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    definition: { name, description: draft.description.trim(), settings, prompts },
  };
}

/** The first error for a field, for showing it next to the input. */
export function errorFor(errors: readonly FieldError[], field: string): string | undefined {
  return errors.find((error) => error.field === field)?.message;
}
