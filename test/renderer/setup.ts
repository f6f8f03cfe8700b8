/**
 * Renderer tests on a busy machine (CI: two cores shared with the Node tests' etcd, Prometheus
 * and ffmpeg): waitFor / findBy keep looking for 10 s instead of Testing Library's 1 s. A
 * longer wait changes nothing when the screen is right; it only stops a slow render from
 * failing a correct test.
 */
import { configure } from '@testing-library/preact';
import { Component as PreactComponent } from 'preact';
import { Component } from 'react';
import { runEffectsAfterCommit } from '../../src/renderer/src/lib/effects-after-commit';

configure({ asyncUtilTimeout: 10_000 });
// As start.tsx does in the console.
runEffectsAfterCommit();

// The tests run what ships: `react` is Preact here (vitest.config.mts), one copy of it.
if (Component !== PreactComponent) {
  throw new Error(
    "the renderer tests loaded React, or a second Preact: 'react' must resolve to preact/compat (vitest.config.mts)",
  );
}
