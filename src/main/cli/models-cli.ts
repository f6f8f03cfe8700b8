/**
 * `aideon models list`: every model the console knows, by provider, with its id as the command
 * line writes it, what it makes, its price and whether the provider has a key.
 *
 * `aideon models price list|set|clear|history`: the prices an admin enters for models from the vendors'
 * pricing pages, the same as the Models screen's price form (one service, one check). A model
 * is named `provider:model` as everywhere on the command line (`bench plan --models`).
 */
import { InvalidArgumentError, type Command } from 'commander';
import { ValidationError } from '../../shared/errors';
import { parseDollars } from '../../shared/money-input';
// The zod-free home of the provider ids: the spec module loads zod, which `aideon --help`
// must not wait for (~60 ms with its locales).
import {
  PROVIDER_IDS,
  PROVIDER_LABELS,
  type ProviderId,
} from '../../shared/providers/provider-ids';
import type { ModelCapabilities, ModelRef } from '../../shared/providers/video-provider-spec';
import { KEY_ENV_VARS } from '../secrets';
import { alignColumns } from './columns';
import type { Services } from '../services';

export interface ModelsCommandDeps {
  stdout: (text: string) => void;
  openServices: () => Promise<Services>;
}

/** What a model makes from what: "text, image → video" (+ audio). */
function makesText(capabilities: ModelCapabilities): string {
  const from = [
    ...(capabilities.textToVideo ? ['text'] : []),
    ...(capabilities.imageToVideo ? ['image'] : []),
  ];
  return `${from.join(', ')} → video${capabilities.audio ? ' + audio' : ''}`;
}

/** Clip lengths with runs of whole seconds shortened: [2, 3, …, 10] → "2–10", [5, 10] → "5, 10". */
function secondsText(values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let start = 0; start < sorted.length;) {
    let end = start;
    while (end + 1 < sorted.length && sorted[end + 1] === (sorted[end] ?? 0) + 1) end += 1;
    parts.push(
      end - start >= 2
        ? `${sorted[start]}–${sorted[end]}`
        : sorted.slice(start, end + 1).join(', '),
    );
    start = end + 1;
  }
  return parts.join(', ');
}

/** `1080p=0.20,4k=0.40`, repeatable. */
function parseResolutionPrices(
  value: string,
  previous: Record<string, number> = {},
): Record<string, number> {
  const out = { ...previous };
  for (const part of value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const index = part.indexOf('=');
    if (index <= 0) throw new InvalidArgumentError(`"${part}" should look like 1080p=0.20.`);
    out[part.slice(0, index).trim()] = parseDollars(part.slice(index + 1));
  }
  return out;
}

/** The entry's field names as the options that set them, in a refusal. */
const OPTION_OF: Record<string, string> = {
  usd: '--per-second/--per-clip',
  audioUsdPerSecond: '--audio',
  model: 'model',
};

function asOptions(error: ValidationError, ref: string): ValidationError {
  return new ValidationError(
    `price for ${ref}`,
    error.issues.map((issue) => ({
      ...issue,
      path: issue.path.startsWith('resolutionPrices.')
        ? `--resolution ${issue.path.slice('resolutionPrices.'.length)}`
        : (OPTION_OF[issue.path] ?? issue.path),
    })),
  );
}

export function registerModelsCommands(
  program: Command,
  deps: ModelsCommandDeps,
  parseModel: (value: string) => Promise<ModelRef>,
): void {
  const models = program
    .command('models')
    .description('the models each provider offers, and their prices');

  const withServices = async (body: (services: Services) => Promise<void> | void) => {
    const services = await deps.openServices();
    try {
      await body(services);
    } finally {
      await services.close();
    }
  };

  models
    .command('list')
    .description(
      'every model this console knows, by provider: its id for --models and routing configs, what it can make, its price, and whether its provider has a key',
    )
    .option('--provider <id>', `only one provider: ${PROVIDER_IDS.join(', ')}`, (value) => {
      const id = value.trim().toLowerCase();
      if (!(PROVIDER_IDS as readonly string[]).includes(id))
        throw new InvalidArgumentError(
          `"${value}" is not a provider; one of ${PROVIDER_IDS.join(', ')}.`,
        );
      return id as ProviderId;
    })
    .option('--json', 'print JSON')
    .action((options: { provider?: ProviderId; json?: boolean }) =>
      withServices(async (services) => {
        const { modelPriceText } = await import('../../shared/providers/model-price');
        const all = services.registry
          .allModels()
          .filter((model) => options.provider === undefined || model.provider === options.provider);
        if (options.json) {
          deps.stdout(
            `${JSON.stringify(
              all.map((model) => ({ ...model, keySet: services.registry.has(model.provider) })),
              null,
              2,
            )}\n`,
          );
          return;
        }
        const lines: string[] = [];
        for (const provider of PROVIDER_IDS) {
          const list = all.filter((model) => model.provider === provider);
          if (list.length === 0) continue;
          const key =
            provider === 'sandbox'
              ? 'no key needed'
              : services.registry.has(provider)
                ? 'key set'
                : `no key: add it in Settings, or set ${KEY_ENV_VARS[provider]}`;
          lines.push(`${PROVIDER_LABELS[provider]} (${key})`);
          const rows = list.map((model) => [
            `${provider}:${model.modelId}`,
            model.lifecycle === 'active' ||
            model.displayName.toLowerCase().includes(model.lifecycle)
              ? model.displayName
              : `${model.displayName} (${model.lifecycle})`,
            makesText(model.capabilities),
            `${secondsText(model.capabilities.durationsSeconds)} s`,
            model.capabilities.resolutions.join(', '),
            modelPriceText(model),
          ]);
          lines.push(
            ...alignColumns(
              ['model', 'name', 'makes', 'lengths', 'resolutions', 'price'],
              rows,
            ).map((line) => `  ${line}`),
            '',
          );
        }
        deps.stdout(
          lines.length === 0
            ? 'No models known for that provider.\n'
            : `${lines.join('\n')}Prices are estimates from the vendors' pages unless an admin entered one (aideon models price list).\n`,
        );
      }),
    );

  const price = models
    .command('price')
    .description(
      "prices entered from the vendors' pricing pages; they replace the built-in table's (shown beside them) in every estimate and budget check",
    );

  price
    .command('list')
    .description('the prices admins entered, who entered each and when')
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }) =>
      withServices(async (services) => {
        const { formatDate } = await import('../../shared/format');
        const { priceEntryText } = await import('../../shared/providers/model-price');
        const list = services.prices.list();
        if (options.json) {
          deps.stdout(`${JSON.stringify(list, null, 2)}\n`);
          return;
        }
        if (list.length === 0) {
          deps.stdout(
            'No prices entered. Enter one: aideon models price set provider:model --per-second USD\n',
          );
          return;
        }
        for (const item of list)
          deps.stdout(
            `${item.provider}:${item.modelId}  ${priceEntryText(item.entry)}  (admin-entered by ${item.entry.enteredBy}, as of ${formatDate(item.entry.enteredAt)})${item.displayName === null ? '  (model unknown to this console)' : ''}\n`,
          );
      }),
    );

  price
    .command('set')
    .description("enter a model's price from the vendor's pricing page")
    .argument('<model>', 'provider:model, e.g. replicate:google/veo-3')
    .option('--per-second <usd>', 'dollars per second of video')
    .option('--per-clip <usd>', 'dollars per clip, whatever its length')
    .option(
      '--resolution <res=usd,...>',
      'a different amount at a resolution, in the same unit, e.g. 1080p=0.20 (repeatable)',
      parseResolutionPrices,
    )
    .option('--audio <usd>', 'extra dollars per second of video when audio is generated')
    .option('--json', 'print JSON')
    .action(
      async (
        model: string,
        options: {
          perSecond?: string;
          perClip?: string;
          resolution?: Record<string, number>;
          audio?: string;
          json?: boolean;
        },
      ) => {
        const ref = await parseModel(model);
        const name = `${ref.provider}:${ref.modelId}`;
        if ((options.perSecond === undefined) === (options.perClip === undefined))
          throw new ValidationError(`price for ${name}`, [
            {
              path: '--per-second/--per-clip',
              message: 'give exactly one: --per-second USD or --per-clip USD',
            },
          ]);
        const entry = {
          unit: options.perSecond !== undefined ? 'second' : 'clip',
          usd: parseDollars(options.perSecond ?? options.perClip ?? ''),
          ...(options.resolution ? { resolutionPrices: options.resolution } : {}),
          ...(options.audio === undefined
            ? {}
            : { audioUsdPerSecond: parseDollars(options.audio) }),
        };
        await withServices(async (services) => {
          let saved;
          try {
            saved = services.prices.set(ref, entry);
          } catch (error) {
            throw error instanceof ValidationError ? asOptions(error, name) : error;
          }
          if (options.json) {
            deps.stdout(`${JSON.stringify(saved, null, 2)}\n`);
            return;
          }
          const { modelPriceOrigin, modelPriceText } =
            await import('../../shared/providers/model-price');
          deps.stdout(
            `Price of ${saved.displayName} (${name}): ${modelPriceText(saved)} (${modelPriceOrigin(saved.pricing)}). Plans and budget checks use it from now on.\n`,
          );
        });
      },
    );

  price
    .command('clear')
    .description("remove a model's entered price (its built-in price, or none, applies again)")
    .argument('<model>', 'provider:model')
    .action(async (model: string) => {
      const ref = await parseModel(model);
      const name = `${ref.provider}:${ref.modelId}`;
      await withServices(async (services) => {
        const { cleared, model: info } = services.prices.clear(ref);
        const { modelPriceText } = await import('../../shared/providers/model-price');
        deps.stdout(
          cleared
            ? `Cleared the entered price of ${name}.${info ? ` Its price is now: ${modelPriceText(info)}.` : ''}\n`
            : `${name} had no entered price; nothing changed.\n`,
        );
      });
    });

  price
    .command('history')
    .description(
      "a model's earlier entered prices: who entered each, and who replaced or cleared it when",
    )
    .argument('<model>', 'provider:model')
    .option('--json', 'print JSON')
    .action(async (model: string, options: { json?: boolean }) => {
      const ref = await parseModel(model);
      const name = `${ref.provider}:${ref.modelId}`;
      await withServices(async (services) => {
        const history = services.prices.history(ref);
        if (options.json) {
          deps.stdout(`${JSON.stringify(history, null, 2)}\n`);
          return;
        }
        const { formatDate } = await import('../../shared/format');
        const { priceEntryText } = await import('../../shared/providers/model-price');
        if (history.length === 0) {
          deps.stdout(`${name} has no earlier entered prices.\n`);
          return;
        }
        for (const entry of history)
          deps.stdout(
            `${priceEntryText(entry)}  entered by ${entry.enteredBy} on ${formatDate(entry.enteredAt)}, ${entry.endedHow} by ${entry.endedBy} on ${formatDate(entry.endedAt)}\n`,
          );
      });
    });
}
