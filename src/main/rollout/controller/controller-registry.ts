/**
 * Controllers register themselves in the config store: one heartbeat record per controller
 * (`controller/status/<id>`), rewritten every tick. Consoles read these records to know
 * whether a live controller acts for the store (then they leave steps and bakes to it) and to
 * show what it is doing.
 */
import { AppError } from '../../../shared/errors';
import {
  CONTROLLER_STATUS_PREFIX,
  controllerStatusKey,
  controllerStatusSchema,
  isAlive,
  type ControllerOverview,
  type ControllerStatus,
} from '../../../shared/rollout/controller-status';
import type { ConfigStore } from '../stores/config-store';

export async function writeControllerStatus(
  store: ConfigStore,
  status: ControllerStatus,
): Promise<void> {
  await store.commit([
    { key: controllerStatusKey(status.id), value: `${JSON.stringify(status)}\n` },
  ]);
}

export async function removeControllerStatus(store: ConfigStore, id: string): Promise<void> {
  const key = controllerStatusKey(id);
  const entry = await store.get(key);
  if (entry) await store.commit([{ key, value: null, expect: entry.etag }]).catch(() => undefined);
}

/** Every controller record in the store (unreadable records are skipped), newest first. */
export async function readControllers(store: ConfigStore): Promise<ControllerStatus[]> {
  const out: ControllerStatus[] = [];
  for (const key of await store.list(CONTROLLER_STATUS_PREFIX)) {
    const entry = await store.get(key);
    if (!entry) continue;
    try {
      const parsed = controllerStatusSchema.safeParse(JSON.parse(entry.value));
      if (parsed.success) out.push(parsed.data);
    } catch {
      // a record that is not JSON is not a controller
    }
  }
  return out.sort((a, b) => b.lastTickAt - a.lastTickAt);
}

/** What the console shows; `active` when a live leader is registered. */
export async function controllerOverview(
  store: ConfigStore,
  now: number,
): Promise<ControllerOverview> {
  try {
    const controllers = (await readControllers(store)).map((status) => ({
      ...status,
      alive: isAlive(status, now),
    }));
    return {
      storeUri: store.uri,
      active: controllers.some((status) => status.alive && status.role === 'leader'),
      controllers,
      problem: null,
    };
  } catch (error) {
    return {
      storeUri: store.uri,
      active: false,
      controllers: [],
      problem: AppError.isInstance(error) ? error.message : 'the store could not be read',
    };
  }
}
