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

/**
 * Every controller record in the store, newest first, and one line for each record that is not
 * valid JSON or not a controller heartbeat ("controller record unreadable: <key>: <why>").
 */
export async function readControllerRecords(
  store: ConfigStore,
): Promise<{ controllers: ControllerStatus[]; unreadable: string[] }> {
  const controllers: ControllerStatus[] = [];
  const unreadable: string[] = [];
  for (const key of await store.list(CONTROLLER_STATUS_PREFIX)) {
    const entry = await store.get(key);
    if (!entry) continue;
    let value: unknown;
    try {
      value = JSON.parse(entry.value);
    } catch (error) {
      unreadable.push(
        `controller record unreadable: ${key}: not valid JSON (${error instanceof Error ? error.message : String(error)})`,
      );
      continue;
    }
    const parsed = controllerStatusSchema.safeParse(value);
    if (parsed.success) controllers.push(parsed.data);
    else
      unreadable.push(
        `controller record unreadable: ${key}: not a controller record (${parsed.error.issues
          .slice(0, 3)
          .map((issue) => `${issue.path.join('.') || 'record'}: ${issue.message}`)
          .join('; ')})`,
      );
  }
  controllers.sort((a, b) => b.lastTickAt - a.lastTickAt);
  return { controllers, unreadable };
}

/** Every readable controller record in the store, newest first (see readControllerRecords). */
export async function readControllers(store: ConfigStore): Promise<ControllerStatus[]> {
  return (await readControllerRecords(store)).controllers;
}

/** The overview of records read from a store (see readControllerRecords), as of `now`. */
export function overviewOfRecords(
  storeUri: string,
  records: { controllers: ControllerStatus[]; unreadable: string[] },
  now: number,
): ControllerOverview {
  const controllers = records.controllers.map((status) => ({
    ...status,
    alive: isAlive(status, now),
  }));
  return {
    storeUri,
    active: controllers.some((status) => status.alive && status.role === 'leader'),
    controllers,
    problem: null,
    ...(records.unreadable.length > 0 ? { unreadable: records.unreadable } : {}),
  };
}

/** What the console shows; `active` when a live leader is registered. */
export async function controllerOverview(
  store: ConfigStore,
  now: number,
): Promise<ControllerOverview> {
  try {
    return overviewOfRecords(store.uri, await readControllerRecords(store), now);
  } catch (error) {
    return {
      storeUri: store.uri,
      active: false,
      controllers: [],
      problem: AppError.isInstance(error) ? error.message : 'the store could not be read',
    };
  }
}
