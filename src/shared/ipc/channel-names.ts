/**
 * Channel names only (no schemas), so the sandboxed preload stays tiny. A test checks that
 * these lists equal the keys of the contract.
 */
export const INVOKE_CHANNEL_NAMES = [
  'app:get-info',
  'models:list',
  'suites:list',
  'suites:get',
  'suites:save',
  'suites:import',
  'suites:export',
  'providers:list',
  'providers:test-connection',
  'keys:set',
  'keys:remove',
  'bench:plan-run',
  'bench:start-run',
  'review:next-pair',
  'review:cast-vote',
  'review:get-ratings',
  'review:import-votes',
  'review:export-votes',
  'review:get-chart-data',
  'review:list-library',
  'routing:get-draft',
  'routing:save-draft',
  'routing:check',
  'routing:simulate',
  'routing:preview-flags',
  'routing:recommend',
  'routing:apply-proposals',
  'watch:get-settings',
  'watch:save-settings',
  'watch:check-now',
  'watch:get-series',
  'watch:get-stability',
  'bench:list-runs',
  'bench:get-run',
  'bench:get-scorecard',
  'bench:compare-runs',
  'bench:export-run',
  'bench:cancel-run',
  'bench:cancel-model',
  'bench:cancel-generation',
  'monitor:get-status',
  'monitor:check-now',
  'monitor:list-inbox',
  'monitor:mark-read',
  'monitor:get-board',
  'monitor:advance-card',
  'monitor:update-settings',
] as const;

export const EVENT_CHANNEL_NAMES = [
  'watch:guard-breached',
  'bench:run-updated',
  'bench:generation-updated',
  'monitor:release-detected',
  'monitor:check-finished',
] as const;

/** Prefix for event channels on the wire, so an event can never be mistaken for an invoke. */
export const EVENT_PREFIX = 'event:';
