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
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: { 'no-restricted-imports': ['error', boundaryRules.renderer] },
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
