/**
 * Browser mode (`npx aideon serve`): the same contract over HTTP on 127.0.0.1.
 *   POST /api/<channel>   Authorization: Bearer <token>, JSON in, Result out
 *   GET  /events?token=   server-sent events named after the contract's event channels
 *   GET  /media/<id>?token=
 */
import { EVENT_CHANNEL_NAMES } from '../../../shared/ipc/channel-names';
import type { EventChannel } from '../../../shared/ipc/contract';
import type { Result } from '../../../shared/ipc/result';
import { ClientError, type ConnectionState, type Transport, type UploadProgress } from './client';

export const TOKEN_STORAGE_KEY = 'aideon.token';

export interface BrowserTransportOptions {
  token: string;
  /** Origin prefix for every request; '' = same origin. */
  baseUrl?: string;
  fetch?: typeof fetch;
  createEventSource?: (url: string) => EventSource;
  /**
   * Makes the request a run bundle is uploaded with, so its progress can be shown (fetch
   * reports none for a request body). Default: XMLHttpRequest where the page has it and no
   * `fetch` was given; else the upload goes by fetch, without progress.
   */
  createUploadRequest?: () => XMLHttpRequest;
}

/** What came back from an upload: the status and the body's text. */
interface UploadAnswer {
  status: number;
  text: string;
}

/** POSTs `body` with XMLHttpRequest, telling `onProgress` the bytes sent as they go. */
function uploadWithProgress(
  request: XMLHttpRequest,
  url: string,
  headers: Record<string, string>,
  body: Blob,
  onProgress: UploadProgress | undefined,
): Promise<UploadAnswer> {
  return new Promise((resolve, reject) => {
    request.open('POST', url);
    for (const [name, value] of Object.entries(headers)) request.setRequestHeader(name, value);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress?.(event.loaded, event.total);
    };
    request.onload = () => resolve({ status: request.status, text: request.responseText });
    request.onerror = () => reject(new Error('The upload failed.'));
    request.onabort = () => reject(new Error('The upload was stopped.'));
    request.send(body);
  });
}

export function createBrowserTransport(options: BrowserTransportOptions): Transport {
  const baseUrl = options.baseUrl ?? '';
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const createEventSource = options.createEventSource ?? ((url: string) => new EventSource(url));
  const tokenQuery = `token=${encodeURIComponent(options.token)}`;
  const listeners = new Map<EventChannel, Set<(payload: unknown) => void>>();
  const connectionListeners = new Set<(state: ConnectionState) => void>();
  let source: EventSource | null = null;
  let state: ConnectionState = 'connected';

  const setState = (next: ConnectionState): void => {
    if (next === state) return;
    state = next;
    for (const listener of connectionListeners) listener(next);
  };

  /** One EventSource for every event, opened on the first subscription. */
  const ensureSource = (): void => {
    if (source) return;
    source = createEventSource(`${baseUrl}/events?${tokenQuery}`);
    source.addEventListener('open', () => setState('connected'));
    source.addEventListener('error', () => setState('reconnecting'));
    for (const name of EVENT_CHANNEL_NAMES) {
      source.addEventListener(name, (message: MessageEvent<string>) => {
        let payload: unknown;
        try {
          payload = JSON.parse(message.data);
        } catch {
          return;
        }
        for (const listener of listeners.get(name) ?? []) listener(payload);
      });
    }
  };

  return {
    kind: 'browser',
    async invoke(channel, input) {
      let response: Response;
      try {
        response = await doFetch(`${baseUrl}/api/${channel}`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${options.token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(input ?? {}),
        });
      } catch {
        throw new ClientError(
          'disconnected',
          'The console server is not answering. Check that `npx aideon serve` is still running, then try again.',
          { retryable: true, channel },
        );
      }
      if (response.status === 401) {
        throw new ClientError(
          'unauthorized',
          'The access token was refused. Open the console with the URL that `npx aideon serve` printed.',
          { channel },
        );
      }
      let body: unknown;
      try {
        body = await response.json();
      } catch {
        throw new ClientError(
          'internal',
          `The console server answered ${response.status} without a result.`,
          { channel },
        );
      }
      if (!response.ok && !(typeof body === 'object' && body !== null && 'ok' in body)) {
        const message =
          typeof body === 'object' &&
          body !== null &&
          'error' in body &&
          typeof body.error === 'string'
            ? body.error
            : `The console server answered ${response.status}.`;
        throw new ClientError(response.status === 403 ? 'forbidden' : 'internal', message, {
          channel,
        });
      }
      return body as Result<unknown>;
    },
    on(event, listener) {
      ensureSource();
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    },
    mediaUrl: (mediaId, media) =>
      `${baseUrl}/media/${encodeURIComponent(mediaId)}?${tokenQuery}${media?.poster ? '&view=poster' : media?.videoOnly ? '&tracks=video' : ''}`,
    onConnection(listener) {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
    async uploadRunBundle(file, onProgress, importId) {
      // The browser streams a File/Blob body and sets its Content-Length.
      const url = `${baseUrl}/upload/run-bundle${
        importId === undefined ? '' : `?importId=${encodeURIComponent(importId)}`
      }`;
      const headers = {
        Authorization: `Bearer ${options.token}`,
        'Content-Type': 'application/x-tar',
      };
      const createRequest =
        options.createUploadRequest ??
        (options.fetch === undefined && typeof XMLHttpRequest !== 'undefined'
          ? () => new XMLHttpRequest()
          : undefined);
      let response: UploadAnswer;
      if (createRequest) {
        response = await uploadWithProgress(createRequest(), url, headers, file, onProgress);
      } else {
        const answer = await doFetch(url, { method: 'POST', headers, body: file });
        response = { status: answer.status, text: await answer.text() };
      }
      let body: unknown;
      try {
        body = JSON.parse(response.text);
      } catch {
        throw new ClientError('internal', `The console server answered ${response.status}.`);
      }
      if (typeof body === 'object' && body !== null && 'ok' in body) return body as Result<unknown>;
      const message =
        typeof body === 'object' &&
        body !== null &&
        'error' in body &&
        typeof body.error === 'string'
          ? body.error
          : `The console server answered ${response.status}.`;
      throw new ClientError(response.status === 401 ? 'unauthorized' : 'internal', message);
    },
  };
}

/**
 * The access token: from `#token=…` (`fromUrl`), else from sessionStorage (a reload). `null`
 * when there is none. Reading it from the URL changes nothing: keepAccessToken then saves it
 * for reloads and takes it out of the visible URL. The console does that once its first screen
 * shows, since a page's first sessionStorage access is a synchronous round trip to the browser
 * process (a few ms, more while a first launch keeps the browser busy), and the start-up call
 * should not wait for it.
 */
export function readAccessToken(
  win: Pick<Window, 'location' | 'sessionStorage'> = window,
): { token: string; fromUrl: boolean } | null {
  const hash = win.location.hash.replace(/^#/, '');
  const fromHash = new URLSearchParams(hash).get('token');
  if (fromHash) return { token: fromHash, fromUrl: true };
  try {
    const stored = win.sessionStorage.getItem(TOKEN_STORAGE_KEY);
    return stored ? { token: stored, fromUrl: false } : null;
  } catch {
    return null;
  }
}

/** Keeps a token read from the URL in sessionStorage (a reload works) and removes it from the URL. */
export function keepAccessToken(
  token: string,
  win: Pick<Window, 'location' | 'history' | 'sessionStorage'> = window,
): void {
  try {
    win.sessionStorage.setItem(TOKEN_STORAGE_KEY, token);
  } catch {
    // Storage may be disabled; the token still lives in memory for this page.
  }
  const hash = new URLSearchParams(win.location.hash.replace(/^#/, ''));
  if (hash.get('token') === token) {
    win.history.replaceState(null, '', `${win.location.pathname}${win.location.search}`);
  }
}
