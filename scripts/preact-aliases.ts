/**
 * The renderer runs on Preact (preact/compat), not React: its start chunk is 78 KB instead of
 * 273 KB, and the console's first launch in Chromium 0.63–0.77× React's (README, "Console
 * ready"). The code and its libraries (Radix, recharts, cmdk, TanStack Virtual, zustand) keep
 * importing `react`; these aliases resolve those imports to Preact, in the renderer build
 * (electron.vite.config.ts) and in the renderer tests (vitest.config.mts), so the tests run
 * what ships. Whole names only (anchored patterns): an alias for `react` must not also rewrite
 * `react-dom/client` or `react/jsx-runtime` by prefix, and packages named `react-…` stay as they are.
 */
export const PREACT_ALIASES: { find: RegExp; replacement: string }[] = [
  { find: /^react$/, replacement: 'preact/compat' },
  { find: /^react-dom$/, replacement: 'preact/compat' },
  { find: /^react-dom\/client$/, replacement: 'preact/compat/client' },
  { find: /^react-dom\/test-utils$/, replacement: 'preact/test-utils' },
  // compat's own JSX runtime: it loads preact/compat first, whose hooks (className, onChange,
  // style numbers, forwardRef) every element needs.
  { find: /^react\/jsx-runtime$/, replacement: 'preact/compat/jsx-runtime' },
  { find: /^react\/jsx-dev-runtime$/, replacement: 'preact/compat/jsx-dev-runtime' },
];
