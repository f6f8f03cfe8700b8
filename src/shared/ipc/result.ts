import type { SerializedError } from '../errors';

/** What every channel answers: handlers never throw across the boundary. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: SerializedError };
