/**
 * Downloads a finished video into the media store, so that a paid result survives a glitch:
 * each attempt streams once, hashing (SHA-256) while writing in large batches; a broken transfer
 * resumes with `Range` where the server supports it (else starts over); the length is checked
 * against Content-Length / the Content-Range total; transient failures (5xx, 429, a reset, a
 * truncated body, an HTML page instead of the video) are retried with backoff, within seconds,
 * long before any vendor's signed URL expires (hours to days). Only then does it give up, as
 * `expired_output` (403/404/410 on the URL: expired or deleted) or `bad_output`.
 * A failure of the console's own disk (ENOSPC, EIO, a failed fsync) is not the vendor's: the next
 * attempt starts over from byte 0 in a new temporary file (never on top of bytes the disk did not
 * take), and a disk that keeps failing ends as `storage_failed`, retryable: the video is still at
 * the vendor, and the bench runner keeps the generation and tries it again later.
 */
import { AppError, ProviderError } from '../../shared/errors';
import type { MediaRef } from '../../shared/domain';
import type { DownloadRange, DownloadResult } from '../../shared/providers/video-provider-spec';
import { providerLabel } from '../../shared/providers/provider-ids';
import type { Readable } from 'node:stream';
import { takeNodeSource } from '../web-stream';
import type { MediaStore, MediaWriter } from './media-store';

export interface DownloadVideoOptions {
  /** One transfer: from the start, or from `range.offset` when resuming. */
  fetch: (signal: AbortSignal, range?: DownloadRange) => Promise<DownloadResult>;
  media: MediaStore;
  signal: AbortSignal;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  provider: string;
  /** Retries after the first attempt. Default 3. */
  retries?: number;
  /** First backoff, ms (doubles, with up to 50% jitter). Default 500. */
  initialDelayMs?: number;
  maxBytes?: number;
  log?: (line: string) => void;
  random?: () => number;
}

export interface DownloadedVideo {
  media: MediaRef;
  /** Transfers it took (1 = no retry). */
  attempts: number;
}

function isVideoType(contentType: string): boolean {
  return /^video\//i.test(contentType) || contentType === 'application/octet-stream';
}

export async function downloadVideo(options: DownloadVideoOptions): Promise<DownloadedVideo> {
  const { signal, provider } = options;
  // What the admin reads names the vendor as they know it ("Together AI", not "together").
  const label = providerLabel(provider);
  const retries = options.retries ?? 3;
  const initial = options.initialDelayMs ?? 500;
  const random = options.random ?? Math.random;
  const writer = await options.media.createWriter({
    provider,
    ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
  });
  let committed = false;
  let resumable = false;
  let contentType = 'video/mp4';
  try {
    for (let attempt = 0; ; attempt += 1) {
      try {
        // The disk failed last time: start over in a new file, from byte 0.
        if (writer.failed) await writer.restart();
        const range = resumable && writer.bytes > 0 ? { offset: writer.bytes } : undefined;
        const result = await options.fetch(signal, range);
        if (!isVideoType(result.contentType)) {
          await result.body.cancel().catch(() => undefined);
          throw new ProviderError(
            'bad_output',
            `${label} sent ${result.contentType} instead of a video.`,
            { provider, retryable: true },
          );
        }
        if (result.contentType.startsWith('video/')) contentType = result.contentType;
        if ((result.offset ?? 0) === 0 && writer.bytes > 0) {
          try {
            await writer.restart();
          } catch (error) {
            // The answer is not read now: let its connection go (unread, it stays open and
            // paused, holding its buffers, for as long as the server keeps it).
            await result.body.cancel().catch(() => undefined);
            throw error;
          }
        }
        resumable = result.resumable ?? false;
        await pump(result.body, writer, signal, provider);
        const total = result.totalBytes;
        if (total !== undefined && writer.bytes !== total) {
          const short = writer.bytes < total;
          if (!short) await writer.restart();
          throw new ProviderError(
            'bad_output',
            short
              ? `The download from ${label} was cut short (${writer.bytes} of ${total} bytes).`
              : `The download from ${label} was longer than announced (${total} bytes).`,
            { provider, retryable: true },
          );
        }
        // An empty answer once (a 204, a CDN hiccup) is tried again like a cut-off one: it lost
        // a paid video at the first empty answer. Retries are bounded, then it is bad_output.
        if (writer.bytes === 0)
          throw new ProviderError('bad_output', `${label} sent an empty file.`, {
            provider,
            retryable: true,
          });
        const media = await writer.commit(contentType);
        committed = true;
        return { media, attempts: attempt + 1 };
      } catch (error) {
        signal.throwIfAborted();
        const failure = AppError.isInstance(error)
          ? error
          : new ProviderError(
              'provider_unavailable',
              `The download from ${label} failed: ${error instanceof Error ? error.message : String(error)}.`,
              { provider, retryable: true, cause: error },
            );
        if (failure.code === 'storage_failed') {
          options.log?.(
            `download from ${provider}: the video could not be written to ${writer.folder}: ${failure.message}`,
          );
        }
        if (!failure.retryable || attempt >= retries) throw failure;
        const backoff = initial * 2 ** attempt * (1 + random() * 0.5);
        const delay = Math.round(
          failure.retryAfterMs !== undefined ? Math.min(failure.retryAfterMs, 60_000) : backoff,
        );
        options.log?.(
          `download from ${provider} failed (${failure.message}); retry ${attempt + 1} of ${retries} in ${delay} ms${resumable && writer.bytes > 0 && !writer.failed ? `, resuming at byte ${writer.bytes}` : ''}`,
        );
        await options.sleep(delay, signal);
      }
    }
  } finally {
    if (!committed) await writer.discard();
  }
}

function cutShort(provider: string, bytes: number, error: unknown): ProviderError {
  const code = (error as { code?: string } | null)?.code;
  // A body that breaks off is a truncated video: bad_output once the retries are spent.
  return new ProviderError(
    'bad_output',
    `The download from ${providerLabel(provider)} was cut short: the connection broke off after ${bytes} bytes${code ? ` (${code})` : ''}.`,
    { provider, retryable: true, cause: error },
  );
}

/** Copies one answer's body into the writer; a broken stream is a retryable provider error. */
async function pump(
  body: ReadableStream<Uint8Array>,
  writer: MediaWriter,
  signal: AbortSignal,
  provider: string,
): Promise<void> {
  const source = takeNodeSource(body);
  if (source) return pumpNode(source, writer, signal, provider);
  const reader = body.getReader();
  const onAbort = (): void => {
    reader.cancel(signal.reason).catch(() => undefined);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await reader.read();
      } catch (error) {
        signal.throwIfAborted();
        throw cutShort(provider, writer.bytes, error);
      }
      if (next.done) return;
      try {
        const wait = writer.write(next.value);
        if (wait) await wait;
      } catch (error) {
        await reader.cancel().catch(() => undefined);
        throw error;
      }
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    reader.releaseLock();
  }
}

/**
 * `pump` for an HTTP body that is a Node stream underneath (see takeNodeSource): chunks go to the
 * writer straight from 'data' events, and the stream is paused only while the disk is behind.
 */
function pumpNode(
  source: Readable,
  writer: MediaWriter,
  signal: AbortSignal,
  provider: string,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const settle = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('error', onError);
      source.off('close', onClose);
      signal.removeEventListener('abort', onAbort);
      if (error === undefined) {
        resolve();
        return;
      }
      source.destroy();
      reject(error);
    };
    const onData = (chunk: Buffer): void => {
      let wait: Promise<void> | undefined;
      try {
        wait = writer.write(chunk, { give: true });
      } catch (error) {
        settle(error);
        return;
      }
      if (wait) {
        source.pause();
        wait.then(() => {
          if (!settled) source.resume();
        }, settle);
      }
    };
    const onEnd = (): void => settle();
    const onError = (error: unknown): void =>
      settle(signal.aborted ? signal.reason : cutShort(provider, writer.bytes, error));
    const onClose = (): void => {
      if (!source.readableEnded)
        settle(signal.aborted ? signal.reason : cutShort(provider, writer.bytes, undefined));
    };
    const onAbort = (): void => settle(signal.reason);
    if (signal.aborted) {
      settle(signal.reason);
      return;
    }
    // The body may have broken while the file was being prepared (a restart does file I/O
    // before this): its 'error' and 'close' were then emitted to nobody, and waiting for them
    // would hang until the generation's timeout.
    if (source.errored || source.destroyed) {
      settle(cutShort(provider, writer.bytes, source.errored ?? undefined));
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    source.on('error', onError);
    source.on('end', onEnd);
    source.on('close', onClose);
    source.on('data', onData);
  });
}
