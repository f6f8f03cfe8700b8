/**
 * Options whose parser lives in a module the CLI should not load at start-up (zod schemas,
 * provider lists). Commander runs option parsers synchronously while it reads the command line,
 * so these options keep the text as given, and a `preAction` hook on the program parses them
 * just before the chosen command's action runs, loading the parser's module then. A bad value
 * fails exactly as a commander parser would: `error: option '--x <v>' argument 'bad' is
 * invalid. <reason>`, exit 2.
 */
import { Option, type Command } from 'commander';

type LazyParse = (value: string) => Promise<unknown>;

const lazyParsers = new WeakMap<Option, LazyParse>();

/** An option whose value is parsed by `parse` (which may import its module) before the action. */
export function lazyOption(
  flags: string,
  description: string,
  parse: LazyParse,
  options: { required?: boolean; defaultValue?: unknown } = {},
): Option {
  const option = new Option(flags, description);
  if (options.required) option.makeOptionMandatory();
  if (options.defaultValue !== undefined) option.default(options.defaultValue);
  lazyParsers.set(option, parse);
  return option;
}

/** Parses the lazy options given to `command` (a preAction hook on the root program). */
export async function parseLazyOptions(command: Command): Promise<void> {
  for (const option of command.options) {
    const parse = lazyParsers.get(option);
    if (!parse) continue;
    const key = option.attributeName();
    const source = command.getOptionValueSource(key);
    const value: unknown = command.getOptionValue(key);
    if (source !== 'cli' || typeof value !== 'string') continue;
    let parsed: unknown;
    try {
      parsed = await parse(value);
    } catch (error) {
      command.error(
        `error: option '${option.flags}' argument '${value}' is invalid. ${error instanceof Error ? error.message : String(error)}`,
        { exitCode: 2, code: 'commander.invalidArgument' },
      );
    }
    command.setOptionValueWithSource(key, parsed, source);
  }
}
