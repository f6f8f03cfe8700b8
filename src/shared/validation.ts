import type { z } from 'zod';
import type { ValidationIssue } from './errors';

/** zod issues as `{path, message}` with dotted paths. */
export function zodIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

/** An identifier in lower-case words: `dailyQuota` → "daily quota", `key_fields` → "key fields". */
export function identifierWords(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
}

/**
 * The words for a field path: `settings.smokeBudgetUsd` → "Smoke budget", `intervalMinutes` →
 * "Interval", `tiers.0.targets.1.timeoutS` → "Timeout".
 */
export function fieldLabel(path: string): string {
  const last =
    path
      // A file's issue path starts with its line ("line 3: name"): the field is what follows.
      .replace(/^line \d+(: *|$)/, '')
      .split('.')
      .filter((part) => !/^\d+$/.test(part))
      .at(-1) ?? '';
  const words = identifierWords(last.replace(/(Usd|Ms|Minutes|Seconds|S)$/, ''));
  if (!words) return 'This value';
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** zod's type names as a sentence says them. */
const KIND_WORDS: Record<string, string> = {
  record: 'an object (names and values)',
  object: 'an object',
  array: 'a list',
  string: 'text',
  boolean: 'true or false',
  number: 'a number',
  null: 'null',
};

/**
 * A zod message in the admin's words, naming the field: "Too small: expected number to be >=0"
 * on `budgetUsd` → "Budget must be 0 or more". Messages it does not know pass through.
 */
export function humanIssue(path: string, message: string): string {
  const label = fieldLabel(path);
  let match: RegExpExecArray | null;
  if ((match = /^Too small: expected number to be >=(-?[\d.]+)/.exec(message)))
    return `${label} must be ${match[1]} or more`;
  if ((match = /^Too small: expected number to be >(-?[\d.]+)/.exec(message)))
    return `${label} must be more than ${match[1]}`;
  if ((match = /^Too big: expected number to be <=(-?[\d.]+)/.exec(message)))
    return `${label} must be ${match[1]} or less`;
  if ((match = /^Too big: expected number to be <(-?[\d.]+)/.exec(message)))
    return `${label} must be less than ${match[1]}`;
  if (/^Too small: expected string to have >=1 characters?/.test(message))
    return `${label} cannot be empty`;
  if ((match = /^Too small: expected string to have >=(\d+) characters/.exec(message)))
    return `${label} needs at least ${match[1]} characters`;
  if ((match = /^Too big: expected string to have <=(\d+) characters/.exec(message)))
    return `${label} can have at most ${match[1]} characters`;
  if (/^Invalid input: expected \w+, received undefined/.test(message))
    return `${label} is required`;
  if (/^Invalid input: expected (number|int), received (NaN|string)/.test(message))
    return `${label} must be a number`;
  if (/^Invalid input: expected int, received number/.test(message))
    return `${label} must be a whole number`;
  if (/^Invalid URL/i.test(message)) return `${label} must be a URL, e.g. http://host:9090`;
  if ((match = /^Invalid input: expected (-?[\d.]+|"[^"]*"|true|false)$/.exec(message)))
    return `${label} must be ${match[1]}`;
  if ((match = /^Invalid option: expected one of (.+)$/.exec(message)))
    return `${label} must be one of ${(match[1] ?? '').split('|').join(', ')}`;
  if (
    (match = /^Invalid input: expected (record|object|array|string|boolean), received (\w+)$/.exec(
      message,
    ))
  )
    return `${label} must be ${KIND_WORDS[match[1]!]}, not ${KIND_WORDS[match[2]!] ?? match[2]}`;
  if ((match = /^Unrecognized keys?: (.+)$/.exec(message)))
    return `${match[1]} ${match[1]!.includes(',') ? 'are not fields' : 'is not a field'} here (misspelled?)`;
  return message;
}
