/**
 * The heartbeat record a rollout controller keeps in the config store
 * (`controller/status/<id>`), and what the console shows of it. Pure TypeScript + zod.
 */
import { z } from 'zod';

export const CONTROLLER_STATUS_SCHEMA = 'aideon.controller-status/1';
export const CONTROLLER_STATUS_PREFIX = 'controller/status/';

/** Store key of a controller's heartbeat record. */
export const controllerStatusKey = (id: string): string => `${CONTROLLER_STATUS_PREFIX}${id}`;

export const controllerIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, . _ or -');

export const controllerStatusSchema = z.object({
  schema: z.literal(CONTROLLER_STATUS_SCHEMA),
  id: controllerIdSchema,
  host: z.string().max(255),
  pid: z.number().int(),
  /** The actor name the controller signs and records history as. */
  actor: z.string(),
  /** `leader` acts; a `standby` waits for the lease. */
  role: z.enum(['leader', 'standby']),
  leaseKind: z.enum(['etcd-lease', 'lock-file']),
  /** ms since the epoch. */
  startedAt: z.number(),
  lastTickAt: z.number(),
  /** The record counts as alive until then (a few ticks after the last heartbeat). */
  aliveUntil: z.number(),
  /** What it is doing, in one line ("baking production 50% (version 43), check 3"). */
  activity: z.string().max(500),
  /** The last thing it did (step applied, pause, rollback, renewal), if any. */
  lastEvent: z
    .object({ at: z.number(), type: z.string(), message: z.string().max(2000) })
    .nullable(),
});
export type ControllerStatus = z.infer<typeof controllerStatusSchema>;

/** What the console shows: every registered controller and whether one acts for the store. */
export const controllerOverviewSchema = z.object({
  storeUri: z.string(),
  /** A live leader acts for this store: the console does not advance steps or bake itself. */
  active: z.boolean(),
  controllers: z.array(controllerStatusSchema.extend({ alive: z.boolean() })),
  /** Why the store could not be read, if it could not. */
  problem: z.string().nullable(),
});
export type ControllerOverview = z.infer<typeof controllerOverviewSchema>;

/** A status record is live while its heartbeat is fresh. */
export function isAlive(status: ControllerStatus, now: number): boolean {
  return status.aliveUntil > now;
}
