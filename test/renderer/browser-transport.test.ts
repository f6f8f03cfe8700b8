// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import {
  createBrowserTransport,
  keepAccessToken,
  readAccessToken,
  TOKEN_STORAGE_KEY,
} from '../../src/renderer/src/ipc/browser-transport';
import { ClientError, createClient } from '../../src/renderer/src/ipc/client';

function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

/** Enough of XMLHttpRequest for an upload: records the request, then plays the given events. */
class FakeUpload {
  opened: [string, string] | undefined;
  headers: Record<string, string> = {};
  sent: unknown;
  status = 0;
  responseText = '';
  upload: { onprogress: ((event: ProgressEvent) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  constructor(private readonly play: (request: FakeUpload) => void) {}
  open(method: string, url: string): void {
    this.opened = [method, url];
  }
  setRequestHeader(name: string, value: string): void {
    this.headers[name] = value;
  }
  send(body: unknown): void {
    this.sent = body;
    queueMicrotask(() => this.play(this));
  }
  progress(loaded: number, total: number): void {
    this.upload.onprogress?.({ lengthComputable: true, loaded, total } as ProgressEvent);
  }
}

describe('browser transport', () => {
  it('uploads a run bundle with XMLHttpRequest where it can, telling the bytes sent as they go', async () => {
    const total = 3 * 1024 * 1024;
    const made: FakeUpload[] = [];
    const client = createClient(
      createBrowserTransport({
        token: 'secret-token',
        createUploadRequest: () => {
          const request = new FakeUpload((sent) => {
            sent.progress(1024 * 1024, total);
            sent.progress(total, total);
            sent.status = 200;
            sent.responseText = JSON.stringify({
              ok: true,
              value: { runId: 'run-1', imported: true, generations: 6, mediaVerified: 4 },
            });
            sent.onload?.();
          });
          made.push(request);
          return request as unknown as XMLHttpRequest;
        },
      }),
    );
    const file = new Blob([new Uint8Array(total)]);
    const progress: [number, number][] = [];
    expect(
      await client.uploadRunBundle(file, (sent, of) => progress.push([sent, of])),
    ).toMatchObject({ runId: 'run-1', imported: true });
    expect(made[0]?.opened).toEqual(['POST', '/upload/run-bundle']);
    expect(made[0]?.headers.Authorization).toBe('Bearer secret-token');
    expect(made[0]?.sent).toBe(file);
    expect(progress).toEqual([
      [1024 * 1024, total],
      [total, total],
    ]);

    // A refusal is the server's error; a dropped connection says the upload did not arrive.
    const refused = createClient(
      createBrowserTransport({
        token: 'secret-token',
        createUploadRequest: () =>
          new FakeUpload((sent) => {
            sent.status = 413;
            sent.responseText = JSON.stringify({
              ok: false,
              error: { code: 'invalid_request', message: 'Too large.', retryable: false },
            });
            sent.onload?.();
          }) as unknown as XMLHttpRequest,
      }),
    );
    await expect(refused.uploadRunBundle(file)).rejects.toMatchObject({
      code: 'invalid_request',
      message: 'Too large.',
    });
    const dropped = createClient(
      createBrowserTransport({
        token: 'secret-token',
        createUploadRequest: () =>
          new FakeUpload((sent) => sent.onerror?.()) as unknown as XMLHttpRequest,
      }),
    );
    await expect(dropped.uploadRunBundle(file)).rejects.toMatchObject({
      code: 'disconnected',
      message: expect.stringMatching(/^The upload did not reach the console/),
    });
  });

  it('streams a run bundle to /upload/run-bundle as the raw body (not through the 1 MB API body)', async () => {
    const fetchMock = vi.fn(async (_url: string | URL | Request, _init?: RequestInit) =>
      jsonResponse({
        ok: true,
        value: { runId: 'run-1', imported: true, generations: 6, mediaVerified: 4, mediaAdded: 4 },
      }),
    );
    const client = createClient(
      createBrowserTransport({ token: 'secret-token', fetch: fetchMock as typeof fetch }),
    );
    expect(client.canUpload).toBe(true);
    const file = new Blob([new Uint8Array(2 * 1024 * 1024)]);
    expect(await client.uploadRunBundle(file)).toMatchObject({ runId: 'run-1', imported: true });
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe('/upload/run-bundle');
    expect(init?.body).toBe(file);
    expect((init?.headers as Record<string, string>).Authorization).toBe('Bearer secret-token');

    fetchMock.mockImplementationOnce(async () =>
      jsonResponse(
        { ok: false, error: { code: 'forbidden', message: 'Needs the admin.', retryable: false } },
        403,
      ),
    );
    const error = await client.uploadRunBundle(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ClientError);
    expect((error as ClientError).code).toBe('forbidden');
  });

  it('POSTs JSON to /api/<channel> with the bearer token and returns the value', async () => {
    const fetchMock = vi.fn(async (_url: string | URL | Request, _init?: RequestInit) =>
      jsonResponse({ ok: true, value: { runId: 'run-1' } }),
    );
    const client = createClient(
      createBrowserTransport({ token: 'secret-token', fetch: fetchMock as typeof fetch }),
    );

    const value = await client.invoke('bench:start-run', {
      suiteId: 'smoke',
      models: [{ provider: 'sandbox', modelId: 'sandbox-fast' }],
      budgetUsd: 5,
    });

    expect(value).toEqual({ runId: 'run-1' });
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe('/api/bench:start-run');
    expect(init?.method).toBe('POST');
    const headers = init?.headers as Record<string, string>;
    expect(headers.Authorization).toBe('Bearer secret-token');
    expect(headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(init?.body as string)).toEqual({
      suiteId: 'smoke',
      models: [{ provider: 'sandbox', modelId: 'sandbox-fast' }],
      budgetUsd: 5,
    });
  });

  it('turns { ok: false } into a thrown ClientError with the code, message and retryable flag', async () => {
    const fetchMock = vi.fn(async () =>
      jsonResponse({
        ok: false,
        error: { code: 'budget_exceeded', message: 'Over budget.', retryable: false },
      }),
    );
    const client = createClient(
      createBrowserTransport({ token: 't', fetch: fetchMock as unknown as typeof fetch }),
    );

    const error = await client.invoke('bench:list-runs', {}).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ClientError);
    expect(error).toMatchObject({
      code: 'budget_exceeded',
      message: 'Over budget.',
      retryable: false,
    });
  });

  it('reports a refused token and an unreachable server in words', async () => {
    const refused = createClient(
      createBrowserTransport({
        token: 't',
        fetch: (async () =>
          jsonResponse({ error: 'Missing or wrong token.' }, 401)) as unknown as typeof fetch,
      }),
    );
    await expect(refused.invoke('models:list', {})).rejects.toMatchObject({ code: 'unauthorized' });

    const down = createClient(
      createBrowserTransport({
        token: 't',
        fetch: (async () => {
          throw new TypeError('Failed to fetch');
        }) as unknown as typeof fetch,
      }),
    );
    await expect(down.invoke('models:list', {})).rejects.toMatchObject({
      code: 'disconnected',
      retryable: true,
    });
  });

  it('puts the token in the media and event URLs', () => {
    const urls: string[] = [];
    const fakeSource = { addEventListener: vi.fn() } as unknown as EventSource;
    const transport = createBrowserTransport({
      token: 'a b',
      fetch: vi.fn() as unknown as typeof fetch,
      createEventSource: (url) => {
        urls.push(url);
        return fakeSource;
      },
    });
    expect(transport.mediaUrl('f'.repeat(64))).toBe(`/media/${'f'.repeat(64)}?token=a%20b`);
    expect(transport.mediaUrl('f'.repeat(64), { videoOnly: true })).toBe(
      `/media/${'f'.repeat(64)}?token=a%20b&tracks=video`,
    );
    transport.on('bench:run-updated', () => undefined);
    transport.on('bench:generation-updated', () => undefined);
    expect(urls).toEqual(['/events?token=a%20b']);
  });

  it('dispatches server-sent events by name with parsed JSON', () => {
    const handlers = new Map<string, (event: MessageEvent<string>) => void>();
    const fakeSource = {
      addEventListener: (name: string, handler: (event: MessageEvent<string>) => void) =>
        handlers.set(name, handler),
    } as unknown as EventSource;
    const transport = createBrowserTransport({
      token: 't',
      fetch: vi.fn() as unknown as typeof fetch,
      createEventSource: () => fakeSource,
    });
    const seen: unknown[] = [];
    const off = transport.on('bench:run-updated', (payload) => seen.push(payload));

    handlers.get('bench:run-updated')!({ data: '{"id":"run-1"}' } as MessageEvent<string>);
    handlers.get('bench:generation-updated')!({ data: '{"id":"gen-1"}' } as MessageEvent<string>);
    off();
    handlers.get('bench:run-updated')!({ data: '{"id":"run-2"}' } as MessageEvent<string>);

    expect(seen).toEqual([{ id: 'run-1' }]);
  });
});

describe('access token', () => {
  it('reads #token= without touching storage or the URL; keeping it saves it and clears the URL', () => {
    window.history.replaceState(null, '', '/#token=abc123');
    window.sessionStorage.clear();

    expect(readAccessToken()).toEqual({ token: 'abc123', fromUrl: true });
    expect(window.location.hash).toBe('#token=abc123');
    expect(window.sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBeNull();

    keepAccessToken('abc123');
    expect(window.location.hash).toBe('');
    expect(window.sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBe('abc123');
    // A reload has no hash any more but still works.
    expect(readAccessToken()).toEqual({ token: 'abc123', fromUrl: false });

    window.sessionStorage.clear();
    expect(readAccessToken()).toBeNull();
  });

  it('leaves a URL whose token changed meanwhile as it is', () => {
    window.history.replaceState(null, '', '/#token=newer');
    keepAccessToken('older');
    expect(window.location.hash).toBe('#token=newer');
    expect(window.sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBe('older');
    window.sessionStorage.clear();
  });
});
