/**
 * recharts for the console: every chart imports it from here, never from 'recharts' itself
 * (eslint.config.js refuses that in src/renderer), so this runs before any chart draws.
 *
 * Why: recharts 3 keeps the chart's elements (legend, tooltip and axis children) in its own
 * Redux store, and Redux Toolkit's Immer freezes what goes into a store. React leaves an element
 * alone once made; Preact (the renderer's React, scripts/preact-aliases.ts) writes into its
 * elements while rendering them (their parent, their DOM node), so a frozen one throws "Cannot
 * assign to read only property '__'" and the chart stays empty. Turning auto-freeze off for the
 * one Immer in the bundle (recharts, @reduxjs/toolkit and zustand share immer 11.2.10, `npm ls
 * immer`) lets recharts' store keep them as they are. Nothing else in the renderer uses Immer,
 * and the store's reducers never mutated a frozen state anyway: the freeze only guarded against
 * mistakes in development. Here, not at start-up: Immer then stays out of the start chunk and
 * loads with the charts.
 */
import { setAutoFreeze } from 'immer';

setAutoFreeze(false);

// eslint-disable-next-line no-restricted-imports -- the one place that imports recharts itself
export * from 'recharts';
