/**
 * Time-axis markers of the production views: versions first seen in the metrics, the
 * console's own publishes in the selected environment, and one marker when both say the same
 * version at about the same time.
 */
import { describe, expect, it } from 'vitest';
import {
  layoutMarkerLabels,
  markerTolerance,
  publishWord,
  versionMarkers,
  type PublishEntry,
} from '../../src/renderer/src/watch/watch-views-format';

const HOUR = 3600_000;
const T = Date.UTC(2025, 5, 5, 12);

const entry = (overrides: Partial<PublishEntry>): PublishEntry => ({
  at: T,
  action: 'publish',
  environment: 'production',
  version: 1,
  detail: {},
  ...overrides,
});

describe('version markers', () => {
  it('labels each action that made a live version, and nothing else', () => {
    expect(publishWord(entry({ action: 'publish' }))).toBe('publish');
    expect(publishWord(entry({ action: 'promote' }))).toBe('promotion');
    expect(publishWord(entry({ action: 'rollback' }))).toBe('rollback');
    expect(publishWord(entry({ action: 'kill_switch' }))).toBe('kill switch');
    expect(publishWord(entry({ action: 'rollout_step', detail: { percent: 25 } }))).toBe(
      'rollout 25%',
    );
    expect(publishWord(entry({ action: 'cosign', detail: { published: true } }))).toBe('co-signed');
    // A co-signature still short of the threshold, a pending bundle, a pause: no new version.
    expect(publishWord(entry({ action: 'cosign', detail: { needed: 1 } }))).toBeNull();
    expect(publishWord(entry({ action: 'pending' }))).toBeNull();
    expect(publishWord(entry({ action: 'rollout_pause' }))).toBeNull();
    expect(publishWord(entry({ action: 'trust_init' }))).toBeNull();
  });

  it('merges the metrics and the console when they name the same version at about the same time', () => {
    const changes = [
      { at: T + 30 * 60_000, version: '42', previous: '41' },
      { at: T + 30 * HOUR, version: '9', previous: '42' },
    ];
    const history: PublishEntry[] = [
      entry({ at: T, action: 'promote', version: 42 }),
      entry({ at: T + 5 * HOUR, action: 'rollout_step', version: 43, detail: { percent: 10 } }),
      entry({ at: T + 6 * HOUR, action: 'rollback', version: 44 }),
      // Another environment, outside the range, or no version: never a production marker.
      entry({ at: T + HOUR, action: 'promote', environment: 'staging', version: 42 }),
      entry({ at: T - 10 * 86400_000, action: 'promote', version: 30 }),
      entry({ at: T + 2 * HOUR, action: 'rollout_pause', version: null }),
    ];
    const markers = versionMarkers(
      changes,
      history,
      'production',
      T - 86400_000,
      T + 2 * 86400_000,
      markerTolerance(1800),
    );
    expect(markers.map((m) => [m.label, m.source, m.at])).toEqual([
      ['v42 promotion', 'both', T],
      ['v43 rollout 10%', 'console', T + 5 * HOUR],
      ['v44 rollback', 'console', T + 6 * HOUR],
      ['v9', 'metrics', T + 30 * HOUR],
    ]);
    expect(markers[0]).toMatchObject({ previous: '41', seenAt: T + 30 * 60_000 });
    expect(markers[3]).toMatchObject({ previous: '42', action: null });
  });

  it('keeps both when the same version is far apart in time, or differs', () => {
    const changes = [{ at: T + 3 * HOUR, version: '42', previous: '41' }];
    const far = versionMarkers(
      changes,
      [entry({ at: T, action: 'promote', version: 42 })],
      'production',
      T - HOUR,
      T + 5 * HOUR,
      markerTolerance(300),
    );
    expect(far.map((m) => m.source)).toEqual(['console', 'metrics']);
    // A metric marker matches one publish only: the nearest.
    const twice = versionMarkers(
      [{ at: T + 10 * 60_000, version: '7', previous: null }],
      [
        entry({ at: T, action: 'publish', version: 7, environment: 'dev' }),
        entry({ at: T - 10 * 60_000, action: 'promote', version: 7 }),
        entry({ at: T + 8 * 60_000, action: 'rollback', version: 7 }),
      ],
      'production',
      T - HOUR,
      T + HOUR,
      markerTolerance(60),
    );
    expect(twice.map((m) => [m.label, m.source])).toEqual([
      ['v7 promotion', 'console'],
      ['v7 rollback', 'both'],
    ]);
    expect(markerTolerance(60)).toBe(15 * 60_000);
    expect(markerTolerance(3600)).toBe(2 * HOUR);
  });

  it('places labels in rows so close markers never write over each other', () => {
    const marker = (at: number, label: string) => ({
      at,
      version: label.split(' ')[0]?.slice(1) ?? '',
      previous: null,
      label,
      source: 'console' as const,
      action: 'publish',
      seenAt: null,
    });
    const from = 0;
    const to = 1000;
    const places = layoutMarkerLabels(
      [
        marker(100, 'v1 publish'),
        marker(500, 'v2 promotion'),
        marker(520, 'v3 rollout 10%'),
        marker(990, 'v4 rollback'),
        marker(2000, 'v5 publish'),
      ],
      from,
      to,
      500,
    );
    // Outside the range: no label.
    expect(places.map((place) => place.marker.label)).toEqual([
      'v1 publish',
      'v2 promotion',
      'v3 rollout 10%',
      'v4 rollback',
    ]);
    expect(places.map((place) => [place.x, place.row, place.anchor])).toEqual([
      [50, 0, 'start'],
      [250, 0, 'start'],
      // 10 px right of v2, whose label is about 80 px wide: the next row.
      [260, 1, 'start'],
      // At the right edge the label goes left of its line.
      [495, 0, 'end'],
    ]);
  });
});
