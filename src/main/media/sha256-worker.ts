/**
 * SHA-256 off the main thread, for the media writer: the bytes of a download are hashed in a
 * node:worker_threads Worker while the main thread receives the next ones (on a 200 MB video the
 * hash is ~180 ms of CPU, which would otherwise sit on the receiving thread). One worker serves
 * every file being written (a session each), is started on first use, kept while files are being
 * written and for `idleMs` after, and stopped then; it never keeps the process alive when idle.
 * If the worker fails (an error in it, an exit), every open session fails with a retryable
 * `storage_failed` error, so a download ends (or starts over) cleanly instead of waiting; the
 * next session starts a new worker.
 *
 * Which file the worker runs: `sha256-worker-entry`, found as src/main/worker-entry.ts says.
 */
import { Worker } from 'node:worker_threads';
import { AppError } from '../../shared/errors';
import { returnReceiveBuffer } from '../receive-buffers';
import { workerEntry, type WorkerEntry } from '../worker-entry';
import type { Sha256Reply, Sha256Request } from './sha256-worker-entry';

export type { WorkerEntry };

/** How to start the worker: a built .js entry, or an eval'd bootstrap that loads the .ts one. */
export function sha256WorkerEntry(): WorkerEntry {
  return workerEntry(import.meta.url, 'sha256-worker-entry');
}

/** The error every open session gets when the worker fails; never names a path. */
function workerFailure(what: string, cause?: unknown): AppError {
  return new AppError(
    'storage_failed',
    `Storing the video failed: the worker computing its SHA-256 ${what}.`,
    { retryable: true, ...(cause === undefined ? {} : { cause }) },
  );
}

interface Waiter {
  limit: number;
  resolve: () => void;
  reject: (error: AppError) => void;
}

/** The SHA-256 of one file, computed in the worker from the bytes handed to `update`, in order. */
export class Sha256Session {
  /** Bytes handed to the worker and not hashed yet. */
  pending = 0;
  failure: AppError | undefined;
  private done = false;
  private waiters: Waiter[] = [];
  private digesting:
    { resolve: (hex: string) => void; reject: (error: AppError) => void } | undefined;

  constructor(
    private readonly owner: Sha256Worker,
    readonly id: number,
  ) {}

  /**
   * Hands `chunks` (in order, after the ones before) to the worker. The ArrayBuffers in
   * `transfer` move to the worker (no copy) and are detached here: only buffers nobody else
   * holds may be listed. Ignored once the session failed (the failure is reported by `below`
   * and `digest`).
   */
  update(chunks: Uint8Array[], transfer: ArrayBuffer[]): void {
    if (this.failure || this.done) return;
    let bytes = 0;
    for (const chunk of chunks) bytes += chunk.byteLength;
    this.pending += bytes;
    this.owner.post({ type: 'update', id: this.id, chunks }, transfer);
  }

  /** Resolves once at most `limit` bytes wait in the worker; rejects if the worker failed. */
  below(limit: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.pending <= limit) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ limit, resolve, reject }));
  }

  /** The hex digest of everything handed over; the session ends. */
  digest(): Promise<string> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.done || this.digesting) throw new Error('this SHA-256 session has ended');
    return new Promise<string>((resolve, reject) => {
      this.digesting = { resolve, reject };
      this.owner.post({ type: 'digest', id: this.id });
    });
  }

  /** Forgets the session (a restart, a discard); never throws. */
  close(): void {
    if (this.done) return;
    this.done = true;
    this.owner.forget(this, !this.failure && !this.digesting);
  }

  /** @internal Called by Sha256Worker with the worker's replies. */
  receive(reply: Sha256Reply): void {
    if (reply.type === 'hashed') {
      // The hashed memory is back: a download's receive buffer is used again for the next bytes.
      for (const spent of reply.spent ?? []) returnReceiveBuffer(spent);
      this.pending -= reply.bytes;
      const ready = this.waiters.filter((waiter) => this.pending <= waiter.limit);
      this.waiters = this.waiters.filter((waiter) => this.pending > waiter.limit);
      for (const waiter of ready) waiter.resolve();
    } else if (reply.type === 'digest') {
      this.done = true;
      this.owner.forget(this, false);
      this.digesting?.resolve(reply.hex);
      this.digesting = undefined;
    } else {
      this.fail(workerFailure(`failed (${reply.message})`));
      this.owner.forget(this, false);
    }
  }

  /** @internal The worker failed: every waiter learns it now. */
  fail(error: AppError): void {
    if (this.failure) return;
    this.failure = error;
    this.done = true;
    for (const waiter of this.waiters) waiter.reject(error);
    this.waiters = [];
    this.digesting?.reject(error);
    this.digesting = undefined;
  }
}

export interface Sha256WorkerOptions {
  /** What the worker runs; default the real entry (see sha256WorkerEntry). */
  entry?: () => WorkerEntry;
  /** How long an idle worker is kept for the next file. Default 30 s. */
  idleMs?: number;
}

/** One hashing worker shared by the files being written (see the top of this file). */
export class Sha256Worker {
  private worker: Worker | undefined;
  private readonly sessions = new Map<number, Sha256Session>();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: Sha256WorkerOptions = {}) {}

  /** A worker is running (busy, or idle for less than `idleMs`). */
  get running(): boolean {
    return this.worker !== undefined;
  }

  /** A new session; starts the worker if none is running. */
  open(): Sha256Session {
    const session = new Sha256Session(this, this.nextId++);
    let worker: Worker;
    try {
      worker = this.start();
    } catch (error) {
      // No thread (EAGAIN, memory) or no entry to run: the file fails like on a worker crash
      // (retryable storage_failed), never as a plain error that would drop a paid video.
      session.fail(workerFailure('could not be started', error));
      return session;
    }
    this.sessions.set(session.id, session);
    if (this.idleTimer) {
      clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
    }
    worker.ref();
    this.post({ type: 'open', id: session.id });
    return session;
  }

  /** Stops the worker now; open sessions fail. For shutdown and tests. */
  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.drop(worker, workerFailure('was stopped'));
    await worker.terminate();
  }

  /** @internal */
  post(request: Sha256Request, transfer: ArrayBuffer[] = []): void {
    const worker = this.worker;
    if (!worker) return;
    try {
      worker.postMessage(request, transfer);
    } catch (error) {
      // A buffer that cannot be transferred, a message that cannot be cloned: a bug here, but
      // it must fail the files being written, not hang them.
      this.drop(worker, workerFailure('could not be sent the bytes', error));
      void worker.terminate();
    }
  }

  /** @internal A session ended: tell the worker (when it still holds it); idle after the last. */
  forget(session: Sha256Session, tellWorker: boolean): void {
    if (this.sessions.get(session.id) !== session) return;
    this.sessions.delete(session.id);
    if (tellWorker) this.post({ type: 'close', id: session.id });
    if (this.sessions.size > 0 || !this.worker) return;
    this.idleSoon(this.worker);
  }

  /**
   * Starts the worker ahead of a file that will need it (one past the size hashed on the
   * receiving thread), so its start (~35 ms here) overlaps the rest of the transfer instead of
   * falling at commit. Idle, it stops as after a session; a worker that cannot start is left to
   * the session that needs it to report.
   */
  warm(): void {
    if (this.worker) return;
    let worker: Worker;
    try {
      worker = this.start();
    } catch {
      return;
    }
    if (this.sessions.size === 0 && !this.idleTimer) this.idleSoon(worker);
  }

  /** No session needs the worker: it no longer keeps the process alive, and stops after idleMs. */
  private idleSoon(worker: Worker): void {
    worker.unref();
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.worker !== worker || this.sessions.size > 0) return;
      this.worker = undefined;
      void worker.terminate();
    }, this.options.idleMs ?? 30_000);
    this.idleTimer.unref();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const entry = (this.options.entry ?? sha256WorkerEntry)();
    const worker = new Worker(entry.source, { eval: entry.eval });
    this.worker = worker;
    worker.on('message', (reply: Sha256Reply) => this.sessions.get(reply.id)?.receive(reply));
    worker.once('error', (error) => this.drop(worker, workerFailure('failed', error)));
    worker.once('messageerror', (error) =>
      this.drop(worker, workerFailure('could not read a message', error)),
    );
    worker.once('exit', (code) => this.drop(worker, workerFailure(`stopped (exit code ${code})`)));
    return worker;
  }

  /** The worker is gone or unusable: its sessions fail, and the next `open` starts a new one. */
  private drop(worker: Worker, error: AppError): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    for (const session of sessions) session.fail(error);
    void worker.terminate();
  }
}

let shared: Sha256Worker | undefined;

/** The process's hashing worker, shared by every media store. */
export function sharedSha256Worker(): Sha256Worker {
  shared ??= new Sha256Worker();
  return shared;
}
