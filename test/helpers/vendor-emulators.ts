/** All six vendor emulators for the fault matrix and sweep: planted keys, short waits, the env that points the console at them. */
import { afterAll, beforeAll } from 'vitest';
import { sleep } from '../../src/main/services';
import { FalEmulator } from '../emulators/fal-emulator';
import { GeminiEmulator } from '../emulators/gemini-emulator';
import { LumaEmulator } from '../emulators/luma-emulator';
import { ReplicateEmulator } from '../emulators/replicate-emulator';
import { RunwayEmulator } from '../emulators/runway-emulator';
import type { EmulatorOptions } from '../emulators/emulator-kit';
import { TogetherEmulator } from '../emulators/together-emulator';

export type Vendor = 'together' | 'runway' | 'replicate' | 'gemini' | 'fal' | 'luma';

/** One video model of each vendor that its emulator serves. */
export const VENDOR_MODELS: Record<Vendor, string> = {
  together: 'minimax/video-01-director',
  runway: 'gen4.5',
  replicate: 'minimax/video-01',
  gemini: 'veo-3.1-fast-generate-preview',
  fal: 'fal-ai/veo3.1',
  luma: 'ray-2',
};

/**
 * The six emulators on `keys` (#slow answers after 50 ms), started before the file's first test
 * with retry waits of 1 s and stopped after its last. `env` holds each vendor's key variable and,
 * once started, its AIDEON_<VENDOR>_BASE_URL.
 */
export function useVendorEmulators(keys: Record<Vendor, string>) {
  const options = { slowMs: 50 };
  const emulators = {
    together: new TogetherEmulator({ apiKey: keys.together, ...options }),
    runway: new RunwayEmulator({ apiKey: keys.runway, ...options }),
    replicate: new ReplicateEmulator({ apiKey: keys.replicate, ...options }),
    gemini: new GeminiEmulator({ apiKey: keys.gemini, ...options }),
    fal: new FalEmulator({ apiKey: keys.fal, ...options }),
    luma: new LumaEmulator({ apiKey: keys.luma, ...options }),
  };
  const env: Record<string, string> = {
    TOGETHER_API_KEY: keys.together,
    RUNWAYML_API_SECRET: keys.runway,
    REPLICATE_API_TOKEN: keys.replicate,
    GEMINI_API_KEY: keys.gemini,
    FAL_KEY: keys.fal,
    LUMAAI_API_KEY: keys.luma,
  };
  beforeAll(async () => {
    emulators.together.retryAfterSeconds = 1;
    emulators.replicate.retryAfterSeconds = 1;
    // No sync-mode hold, so Replicate's poll faults are exercised like the others' (the
    // Prefer: wait paths are tested in test/main/bench/replicate-sync-mode.test.ts).
    emulators.replicate.waitScale = 0;
    emulators.gemini.retryDelaySeconds = 1;
    emulators.fal.retryAfterSeconds = 1;
    emulators.luma.retryAfterSeconds = 1;
    for (const [vendor, emulator] of Object.entries(emulators))
      env[`AIDEON_${vendor.toUpperCase()}_BASE_URL`] = await emulator.start();
  });
  afterAll(async () => {
    for (const emulator of Object.values(emulators)) await emulator.stop();
  });
  return { emulators, env };
}

/**
 * A sleep for the runner that waits at most `capMs`: its back-offs, retry waits and poll intervals
 * are cut short, while what a test asserts (the bound a log line states, the order of calls) stays.
 */
export function cappedSleep(capMs = 5): (ms: number, signal?: AbortSignal) => Promise<void> {
  return (ms, signal) => sleep(Math.min(ms, capMs), signal);
}

/** What `useEmulators` needs of an emulator. */
interface StartableEmulator {
  start(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * `emulators` started before the file's first test (each one's URL put in `env` as
 * AIDEON_<VENDOR>_BASE_URL) and stopped after its last. Returns `emulators`.
 */
export function useEmulators<T extends Partial<Record<Vendor, StartableEmulator>>>(
  emulators: T,
  env: Record<string, string>,
): T {
  beforeAll(async () => {
    for (const [vendor, emulator] of Object.entries(emulators) as [Vendor, StartableEmulator][])
      env[`AIDEON_${vendor.toUpperCase()}_BASE_URL`] = await emulator.start();
  });
  afterAll(async () => {
    for (const emulator of Object.values(emulators) as StartableEmulator[]) await emulator.stop();
  });
  return emulators;
}

/**
 * The Together emulator on `key` (`options` as its constructor takes them), started before the
 * file's first test and stopped after its last. `env` holds TOGETHER_API_KEY, `extraEnv` and, once
 * started, AIDEON_TOGETHER_BASE_URL.
 */
export function useTogetherEmulator(
  key: string,
  options: Omit<EmulatorOptions, 'apiKey'> = {},
  extraEnv: Record<string, string> = {},
) {
  const env: Record<string, string> = { TOGETHER_API_KEY: key, ...extraEnv };
  const { together } = useEmulators(
    { together: new TogetherEmulator({ apiKey: key, ...options }) },
    env,
  );
  return { together, env };
}
