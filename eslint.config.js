// ESLint flat config. Besides the usual rules it enforces the process boundaries of DESIGN.md:
// the renderer never imports main, Node built-ins, electron or better-sqlite3; shared imports
// no Node built-ins, electron or react; only src/main/electron/ (and the preload) import electron.
// test/lint/boundaries.test.ts proves these rules fire.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';

// Bare names here; every `node:` specifier is caught by the patterns below.
const nodeBuiltins = builtinModules.filter((name) => !name.startsWith('node:'));

export const boundaryRules = {
  renderer: {
    paths: [
      ...nodeBuiltins.map((name) => ({
        name,
        message:
          'The renderer runs in a sandbox: no Node built-ins. Ask main through the IPC contract.',
      })),
      { name: 'electron', message: 'The renderer may not import electron; use the typed client.' },
      { name: 'better-sqlite3', message: 'Only main touches SQLite.' },
      {
        name: 'recharts',
        message:
          "Import recharts from src/renderer/src/components/recharts.ts: it turns Immer's auto-freeze off, without which charts stay empty on Preact.",
      },
    ],
    patterns: [
      {
        group: ['**/main/**', '**/main'],
        message: 'The renderer may not import main; use the IPC contract in src/shared/ipc.',
      },
      { group: ['node:*'], message: 'The renderer runs in a sandbox: no Node built-ins.' },
    ],
  },
  shared: {
    paths: [
      ...nodeBuiltins.map((name) => ({
        name,
        message: 'src/shared is pure TypeScript: no Node built-ins.',
      })),
      { name: 'electron', message: 'src/shared may not import electron.' },
      { name: 'react', message: 'src/shared may not import react.' },
      { name: 'react-dom', message: 'src/shared may not import react.' },
    ],
    patterns: [
      { group: ['node:*'], message: 'src/shared is pure TypeScript: no Node built-ins.' },
      {
        group: ['**/main/**', '**/renderer/**', '**/preload/**'],
        message: 'src/shared imports nothing from the processes.',
      },
    ],
  },
  main: {
    paths: [
      {
        name: 'electron',
        message: "Only src/main/electron/ imports 'electron'; Node tests load everything else.",
      },
    ],
    patterns: [{ group: ['**/renderer/**'], message: 'main may not import the renderer.' }],
  },
};

/**
 * Output that must not depend on the machine's locale (LANG/LC_ALL) or time zone (TZ): the
 * console is English, sorts the same everywhere, and reads local time only through
 * src/shared/format.ts (dates in the viewer's zone, one style). test/lint/locale-time.test.ts
 * proves these fire.
 */
const LOCAL_TIME_METHODS =
  /^(getHours|getMinutes|getDate|getDay|getMonth|getFullYear|getYear|getTimezoneOffset|setHours|setMinutes|setDate|setMonth|setFullYear|toDateString|toTimeString|toLocaleDateString|toLocaleTimeString)$/;
export const localeRules = [
  {
    selector: "CallExpression[callee.property.name='localeCompare'][arguments.length<2]",
    message:
      "localeCompare(other, 'en'): without a locale the order follows the machine's LANG (lt, da, cs… sort letters differently).",
  },
  {
    selector:
      'CallExpression[callee.property.name=/^toLocale(String|DateString|TimeString)$/][arguments.length=0]',
    message:
      "Name the locale (e.g. toLocaleString('en-US')) or use src/shared/format.ts: the default follows the machine's LANG.",
  },
  {
    selector:
      "CallExpression[callee.property.name=/^toLocale(String|DateString|TimeString)$/] > Identifier.arguments:first-child[name='undefined']",
    message:
      "Name the locale (e.g. toLocaleString('en-US')) or use src/shared/format.ts: the default follows the machine's LANG.",
  },
  {
    selector: "NewExpression[callee.object.name='Intl'][arguments.length=0]",
    message: "Name the locale (new Intl.X('en', …)): the default follows the machine's LANG.",
  },
  {
    selector:
      "NewExpression[callee.object.name='Intl'] > Identifier.arguments:first-child[name='undefined']",
    message: "Name the locale (new Intl.X('en', …)): the default follows the machine's LANG.",
  },
  {
    selector: `MemberExpression[property.name=${LOCAL_TIME_METHODS}]`,
    message:
      'Local time (the machine’s TZ) only through src/shared/format.ts; elsewhere use UTC (getUTC…, toISOString) so a day or a time never depends on where it runs.',
  },
];

/**
 * The renderer runs on Preact, which turns React's `autoFocus` into the HTML attribute that
 * Chromium ignores once the page has a focused element (src/renderer/src/lib/focus-on-mount.ts).
 */
export const autoFocusRule = {
  selector: "JSXAttribute[name.name='autoFocus']",
  message:
    'autoFocus does nothing once the page has focus (the renderer runs on Preact): use ref={focusOnMount} (src/renderer/src/lib/focus-on-mount.ts).',
};

/** Radix's uncontrolled tooltip closes itself on Preact (src/renderer/src/components/tooltip-root.tsx). */
export const tooltipRootRule = {
  selector: "JSXOpeningElement[name.object.name='Tooltip'][name.property.name='Root']",
  message:
    'Use TooltipRoot (src/renderer/src/components/tooltip-root.tsx): on Preact an uncontrolled Tooltip.Root closes as soon as it opens.',
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'out/',
      'dist/',
      'test-results/',
      'playwright-report/',
      'resources/',
      '**/*.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['src/shared/format.ts'],
    rules: { 'no-restricted-syntax': ['error', ...localeRules] },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', boundaryRules.renderer],
      // The list replaces the one above for these files: the locale rules again, and autoFocus.
      'no-restricted-syntax': ['error', ...localeRules, autoFocusRule, tooltipRootRule],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', boundaryRules.shared] },
  },
  {
    files: ['src/main/**/*.ts'],
    ignores: ['src/main/electron/**'],
    rules: { 'no-restricted-imports': ['error', boundaryRules.main] },
  },
);
