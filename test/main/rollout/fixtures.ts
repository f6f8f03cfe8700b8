import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calculateJwkThumbprint } from 'jose';
import {
  createPassphraseProtector,
  generateKey,
  signerFromKeyObject,
  type PublicKeyInfo,
  type Signer,
} from '../../../src/main/rollout/publish/keys';
import { Publisher, type PublisherDeps } from '../../../src/main/rollout/publish/publisher';
import type { ConfigCliContext } from '../../../src/main/rollout/publish/config-cli';
import type { ConfigStore } from '../../../src/main/rollout/stores/config-store';
import { openConfigStore } from '../../../src/main/rollout/stores/open-store';
import type { HistoryInput } from '../../../src/main/rollout/publish/history';
import type { PublicJwk } from '../../../src/consumer/bundle-format';
import {
  CONTROLLER_STATUS_SCHEMA,
  type ControllerStatus,
} from '../../../src/shared/rollout/controller-status';
import type { RolloutPlanInput } from '../../../src/shared/rollout/flag-rollout';
import type { WatchSettingsInput } from '../../../src/shared/watch/watch-settings';
import { startControllerProcess, type ControllerProcess } from '../../helpers/controller-process';
import { tempDir } from '../../helpers/temp-dir';

export const T0 = Date.parse('2026-03-01T00:00:00.000Z');

/** The passphrase the config CLI tests' keys are made and opened with. */
export const CLI_PASSPHRASE = 'a passphrase for tests';

/** A config CLI context in `dir`: keys in dir/keys, the clock at T0, no config checks. */
export function cliContext(dir: string, actor = 'alice'): ConfigCliContext {
  return {
    keyDir: join(dir, 'keys'),
    now: () => T0,
    actor,
    passphrase: () => CLI_PASSPHRASE,
    validateConfig: () => [],
  };
}

/** An in-memory Ed25519 signer (no protector: fast for tests that are not about keys). */
export async function memorySigner(name: string): Promise<Signer & { info: PublicKeyInfo }> {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' }) as { x: string };
  const publicJwk: PublicJwk = { kty: 'OKP', crv: 'Ed25519', x: jwk.x };
  const kid = await calculateJwkThumbprint({ ...publicJwk }, 'sha256');
  const info = { kid, name, createdAt: new Date(T0).toISOString(), publicJwk };
  return Object.assign(signerFromKeyObject(info, privateKey), { info });
}

export function clock(start = T0) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
    set: (ms: number) => {
      now = ms;
    },
  };
}

export function sampleConfig(
  tier = 'together:wan-2.1',
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    schema: 'aideon.routing/1',
    tiers: { free: { chain: [tier, 'sandbox:sandbox-fast'] } },
    flags: {
      'new-video-model': {
        state: 'ENABLED',
        variants: { on: true, off: false },
        defaultVariant: 'off',
      },
      'video-provider': {
        state: 'ENABLED',
        variants: { together: 'together', runway: 'runway' },
        defaultVariant: 'together',
      },
    },
    ...extra,
  };
}

export function makePublisher(
  store: ConfigStore,
  signers: Signer[],
  overrides: Partial<PublisherDeps> & { history?: HistoryInput[] } = {},
): Publisher {
  const history = overrides.history;
  return new Publisher({
    store,
    signers,
    validateConfig: (config) =>
      typeof config.tiers === 'object' ? [] : [{ path: 'tiers', message: 'required' }],
    now: () => T0,
    actor: 'alice',
    ...(history ? { record: (entry: HistoryInput) => history.push(entry) } : {}),
    ...overrides,
  });
}

/** A heartbeat as `aideon controller` writes it each tick (tick 30 s, alive for 3 ticks). */
export function controllerHeartbeat(
  now: number,
  overrides: Partial<ControllerStatus> = {},
): ControllerStatus {
  return {
    schema: CONTROLLER_STATUS_SCHEMA,
    id: 'ctl-1',
    host: 'ops-box',
    pid: 4242,
    actor: 'controller:ctl-1',
    role: 'leader',
    leaseKind: 'lock-file',
    startedAt: T0,
    lastTickAt: now,
    aliveUntil: now + 90_000,
    activity: 'dev new-video-model 10%: baking (check 2), next step at 2026-03-01T00:30:00.000Z',
    lastEvent: { at: now - 1000, type: 'check_passed', message: 'all 3 guards passed' },
    ...overrides,
  };
}

/** How a test starts one `aideon controller` on its store (see `controllerTestStore`). */
export interface ControllerLaunch {
  /** AIDEON_CONTROLLER_LEASE_MS. */
  leaseMs: number;
  /** Watch settings, written to a file in the controller's folder (AIDEON_WATCH_SETTINGS). */
  watch?: WatchSettingsInput;
  /** The store the controller talks to when it is not the test's own (e.g. through a proxy). */
  storeUri?: string;
}

/**
 * Where a controller test starts: a directory config store in a new temp folder (`data.dir`)
 * (or `options.storeUri`, e.g. an etcd one),
 * alice its only admin (threshold 1 everywhere), an operator key made with `passphrase` in
 * `data.dir` (`<kid>.key.json`), and a config published to dev. `cleanups` gets the folder and
 * the store. `startController(id, launch)` starts the real `aideon controller` on that store as
 * `id` (its data in `data.dir/<id>`, tick 250 ms, the operator key); `cleanups` gets its kill,
 * which runs before the store and the folder go when the cleanups run last-first.
 */
export async function controllerTestStore(
  prefix: string,
  passphrase: string,
  cleanups: (() => void | Promise<void>)[],
  /** `config`: what is published to dev (default sampleConfig()). */
  options: { storeUri?: string; config?: Record<string, unknown> } = {},
) {
  const data = tempDir(prefix);
  cleanups.push(data.cleanup);
  const storeUri = options.storeUri ?? `dir:${join(data.dir, 'store')}`;
  const store = openConfigStore(storeUri);
  cleanups.push(() => store.close());
  const alice = await memorySigner('alice');
  const admin = makePublisher(store, [alice], { now: Date.now });
  const operator = await generateKey('controller', {
    dir: data.dir,
    protector: createPassphraseProtector(passphrase),
    now: Date.now,
  });
  await admin.initTrust(
    [alice.info],
    { dev: 1, staging: 1, production: 1, trust: 1 },
    { keys: [operator], threshold: 1 },
  );
  await admin.publish('dev', options.config ?? sampleConfig());
  const startController = (id: string, launch: ControllerLaunch): ControllerProcess => {
    const dir = join(data.dir, id);
    const env: NodeJS.ProcessEnv = {
      AIDEON_STORE: launch.storeUri ?? storeUri,
      AIDEON_CONTROLLER_ID: id,
      AIDEON_CONTROLLER_TICK_MS: '250',
      AIDEON_CONTROLLER_LEASE_MS: String(launch.leaseMs),
      AIDEON_OPERATOR_KEY: join(data.dir, `${operator.kid}.key.json`),
      AIDEON_OPERATOR_PASSPHRASE: passphrase,
    };
    if (launch.watch) {
      env.AIDEON_WATCH_SETTINGS = join(data.dir, `${id}.watch-settings.json`);
      writeFileSync(env.AIDEON_WATCH_SETTINGS, JSON.stringify(launch.watch));
    }
    const child = startControllerProcess(['--data-dir', dir], env);
    cleanups.push(() => child.kill());
    return child;
  };
  return { data, storeUri, store, admin, operator, startController };
}

/** The flag the controller tests roll out. */
export const ROLLOUT_FLAG = 'new-video-model';

/**
 * An admin starts a rollout of `ROLLOUT_FLAG` in dev (on/off variants, steps 10 → 50 → 100):
 * through a Publisher, or through a console's PublishingService, which takes the same plan.
 */
export function startDevRollout<Result>(
  admin: { startRollout(plan: RolloutPlanInput): Result },
  options: { bakeMinutes: number; steps?: number[] },
): Result {
  return admin.startRollout({
    environment: 'dev',
    flagKey: ROLLOUT_FLAG,
    onVariant: 'on',
    offVariant: 'off',
    steps: options.steps ?? [10, 50, 100],
    bakeMinutes: options.bakeMinutes,
  });
}
