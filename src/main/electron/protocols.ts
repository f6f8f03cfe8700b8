/**
 * Custom protocols: `aideon://app/` serves the built renderer (module scripts need a real
 * origin, which file:// is not) and `aideon-media://media/<id>` serves the media store with
 * Range support so videos can be seeked.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { Readable } from 'node:stream';
import type { MediaStore } from '../media/media-store';
import { MediaStore as MediaStoreClass } from '../media/media-store';
import { CONTENT_SECURITY_POLICY, parseRange } from '../serve/browser-server';

export const APP_ORIGIN = 'aideon://app';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

export async function handleAppRequest(request: Request, rendererDir: string): Promise<Response> {
  const url = new URL(request.url);
  const relative =
    url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '');
  const file = normalize(join(rendererDir, relative));
  if (!file.startsWith(normalize(rendererDir) + sep))
    return new Response('Not found', { status: 404 });
  try {
    const body = await readFile(file);
    return new Response(body, {
      headers: {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'content-security-policy': CONTENT_SECURITY_POLICY,
      },
    });
  } catch {
    return new Response('Not found', { status: 404 });
  }
}

export function handleMediaRequest(request: Request, media: MediaStore): Response {
  const id = new URL(request.url).pathname.replace(/^\/+/, '');
  if (!MediaStoreClass.isMediaId(id) || !media.has(id))
    return new Response('Not found', { status: 404 });
  const size = media.size(id);
  const rangeHeader = request.headers.get('range');
  if (rangeHeader) {
    const range = parseRange(rangeHeader, size);
    if (!range)
      return new Response(null, { status: 416, headers: { 'content-range': `bytes */${size}` } });
    return new Response(Readable.toWeb(media.openRead(id, range)) as ReadableStream, {
      status: 206,
      headers: {
        'content-type': 'video/mp4',
        'accept-ranges': 'bytes',
        'content-range': `bytes ${range.start}-${range.end}/${size}`,
        'content-length': String(range.end - range.start + 1),
      },
    });
  }
  return new Response(Readable.toWeb(media.openRead(id)) as ReadableStream, {
    headers: {
      'content-type': 'video/mp4',
      'accept-ranges': 'bytes',
      'content-length': String(size),
    },
  });
}
