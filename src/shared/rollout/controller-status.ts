/**
 * The heartbeat record a rollout controller keeps in the config store
 * (`controller/status/<id>`), and what the console shows of it. Pure TypeScript + zod.
 */
import { z } from 'zod';
import { environmentSchema } from './environments';

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
  /**
   * true: this store's controller records have not been read since the console switched to it
   * (the read failed), so whether a controller leads it is unknown. No leader is claimed
   * (`active` false, no controllers) and the console does not advance steps or bake until a read
   * succeeds. Absent or false otherwise (and from older consoles).
   */
  stateUnknown: z.boolean().optional(),
  /**
   * Records under `controller/status/` that could not be read as a controller heartbeat, one
   * line each: "controller record unreadable: <key>: <what is wrong>". They are not counted as
   * controllers; shown so a damaged record (a leader's among them) does not vanish silently.
   * Absent from older consoles.
   */
  unreadable: z.array(z.string()).optional(),
});
export type ControllerOverview = z.infer<typeof controllerOverviewSchema>;

/** A status record is live while its heartbeat is fresh. */
export function isAlive(status: ControllerStatus, now: number): boolean {
  return status.aliveUntil > now;
}

/** One environment as the console's controller panel shows it (read from the config store). */
export const controllerEnvironmentSchema = z.object({
  environment: environmentSchema,
  /** The live version (null: nothing published, or no trust file yet). */
  liveVersion: z.number().int().nullable(),
  /**
   * The step the guards judge now: a running rollout's current step, or the final step of a
   * completed one while the environment still runs it. Null: no rollout step is live.
   */
  step: z
    .object({
      flagKey: z.string(),
      percent: z.number(),
      version: z.number().int(),
      /** When the step went out, ms since the epoch. */
      startedAt: z.number(),
      /** When the next step is due (ms since the epoch); null for the final step. */
      nextStepAt: z.number().nullable(),
    })
    .nullable(),
  /** Every rollout of the environment that is running or paused (the controller's work). */
  rollouts: z.array(
    z.object({
      flagKey: z.string(),
      status: z.enum(['running', 'paused']),
      percent: z.number(),
      steps: z.array(z.number()),
      stepIndex: z.number().int(),
      /** Running: when the next step is due, ms since the epoch (null: none). */
      nextStepAt: z.number().nullable(),
      /** Paused: why (the guard summary when the controller or a watch paused it). */
      reason: z.string().nullable(),
    }),
  ),
  /** Why the environment could not be read. */
  problem: z.string().nullable(),
});
export type ControllerEnvironment = z.infer<typeof controllerEnvironmentSchema>;

/**
 * The console's controller panel (`publish:get-controller`): the registered controllers with
 * whether each is alive, which one leads, whether this console stood down, and per environment
 * what the controller works on.
 */
export const controllerPanelSchema = controllerOverviewSchema.extend({
  /** When main read the store, ms since the epoch (ages are relative to it). */
  checkedAt: z.number(),
  /** The id of the live leader, if there is one. */
  leader: z.string().nullable(),
  /**
   * This console has stood down: it does not advance ramp steps, bake them against the guards
   * or roll back on a breach while a live leader is registered (`active`) or while the store's
   * controller state is unknown (`stateUnknown`).
   */
  consoleStoodDown: z.boolean(),
  /** Per environment; empty when no controller is registered (nothing is read then). */
  environments: z.array(controllerEnvironmentSchema),
  /**
   * Environments whose rollout state cannot be read, as this console's own rollout loop found
   * them (empty while it stood down): what is damaged and what the admin should do. Absent from
   * older consoles.
   */
  damaged: z
    .array(z.object({ environment: environmentSchema, problem: z.string(), advice: z.string() }))
    .optional(),
});
export type ControllerPanel = z.infer<typeof controllerPanelSchema>;

/**
 * How long ago a controller beat, in the words the console's controller panel and `aideon
 * controller status` both use: "4 s ago", "3 min ago", "2 h ago", "3 days ago".
 */
export function ageText(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} days ago`;
}
