/**
 * The renderer's typed client, derived from the one IPC contract. Transports move untyped
 * Results; this layer types them and turns `{ ok: false }` into a thrown ClientError.
 * Only types are imported from the contract, so zod stays out of the renderer bundle.
 */
import type { AppErrorCode } from '../../../shared/errors';
import type {
  ChannelInput,
  ChannelOutput,
  EventChannel,
  EventPayload,
  InvokeChannel,
} from '../../../shared/ipc/contract';
import type { Result } from '../../../shared/ipc/result';

/** App error codes plus `disconnected` (the console process could not be reached). */
export type ClientErrorCode = AppErrorCode | 'disconnected';

export class ClientError extends Error {
  readonly code: ClientErrorCode;
  readonly retryable: boolean;
  readonly channel: string | undefined;

  constructor(
    code: ClientErrorCode,
    message: string,
    options: { retryable?: boolean; channel?: string } = {},
  ) {
    super(message);
    this.name = 'ClientError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.channel = options.channel;
  }
}

export interface MediaUrlOptions {
  /** Only the video track: for players that are always muted (no audio set-up or decoding). */
  videoOnly?: boolean;
  /** A small JPEG poster frame of the video instead of the video (made by main with ffmpeg). */
  poster?: boolean;
}

export type ConnectionState = 'connected' | 'reconnecting';

/** What every transport provides: untyped Results in, raw payloads out. */
export interface Transport {
  readonly kind: 'electron' | 'browser';
  invoke(channel: InvokeChannel, input: unknown): Promise<Result<unknown>>;
  on(event: EventChannel, listener: (payload: unknown) => void): () => void;
  mediaUrl(mediaId: string, options?: MediaUrlOptions): string;
  /** Connection changes of the event stream (browser mode); electron never disconnects. */
  onConnection?(listener: (state: ConnectionState) => void): () => void;
  /**
   * Browser mode: streams a run bundle to POST /upload/run-bundle (no 1 MB body limit);
   * `onProgress` is told the bytes sent as they go (bundles reach gigabytes); `importId` names
   * the import in its `bench:import-progress` events (the videos checked after the upload).
   */
  uploadRunBundle?(
    file: Blob,
    onProgress?: UploadProgress,
    importId?: string,
  ): Promise<Result<unknown>>;
}

/** Bytes of an upload sent so far, of `total`. */
export type UploadProgress = (sent: number, total: number) => void;

export interface Client {
  readonly kind: Transport['kind'];
  invoke<C extends InvokeChannel>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>>;
  on<E extends EventChannel>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  mediaUrl(mediaId: string, options?: MediaUrlOptions): string;
  onConnection(listener: (state: ConnectionState) => void): () => void;
  /** Browser mode only (see Transport); the desktop app picks the file in main instead. */
  readonly canUpload: boolean;
  uploadRunBundle(
    file: Blob,
    onProgress?: UploadProgress,
    importId?: string,
  ): Promise<ChannelOutput<'bench:import-bundle'>>;
}

export function createClient(transport: Transport): Client {
  return {
    kind: transport.kind,
    async invoke(channel, input) {
      let result: Result<unknown>;
      try {
        result = await transport.invoke(channel, input);
      } catch (error) {
        if (error instanceof ClientError) throw error;
        throw new ClientError(
          'disconnected',
          'The console could not be reached. Check that it is still running, then try again.',
          { retryable: true, channel },
        );
      }
      if (!isResult(result)) {
        throw new ClientError(
          'internal',
          'The console sent an answer this window does not understand.',
          { channel },
        );
      }
      if (!result.ok) {
        throw new ClientError(result.error.code, result.error.message, {
          retryable: result.error.retryable,
          channel,
        });
      }
      return result.value as ChannelOutput<typeof channel>;
    },
    on(event, listener) {
      return transport.on(event, listener as (payload: unknown) => void);
    },
    mediaUrl: (mediaId, options) => transport.mediaUrl(mediaId, options),
    onConnection: (listener) => transport.onConnection?.(listener) ?? (() => undefined),
    canUpload: transport.uploadRunBundle !== undefined,
    async uploadRunBundle(file, onProgress, importId) {
      const channel = 'upload:run-bundle';
      if (!transport.uploadRunBundle) {
        throw new ClientError('invalid_request', 'This window cannot upload files.', { channel });
      }
      let result: Result<unknown>;
      try {
        result = await transport.uploadRunBundle(file, onProgress, importId);
      } catch (error) {
        if (error instanceof ClientError) throw error;
        throw new ClientError(
          'disconnected',
          'The upload did not reach the console. Check that it is still running, then try again.',
          { retryable: true, channel },
        );
      }
      if (!isResult(result)) {
        throw new ClientError(
          'internal',
          'The console sent an answer this window does not understand.',
          {
            channel,
          },
        );
      }
      if (!result.ok) {
        throw new ClientError(result.error.code, result.error.message, {
          retryable: result.error.retryable,
          channel,
        });
      }
      return result.value as ChannelOutput<'bench:import-bundle'>;
    },
  };
}

function isResult(value: unknown): value is Result<unknown> {
  if (typeof value !== 'object' || value === null || !('ok' in value)) return false;
  const record = value as { ok: unknown; error?: unknown };
  if (record.ok === true) return true;
  if (record.ok !== false || typeof record.error !== 'object' || record.error === null)
    return false;
  const error = record.error as { code?: unknown; message?: unknown };
  return typeof error.code === 'string' && typeof error.message === 'string';
}

/** Words for any thrown value, for toasts and inline errors. */
export function describeError(error: unknown): string {
  if (error instanceof ClientError) return error.message;
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong. Try again.';
}
