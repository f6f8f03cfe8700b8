/**
 * Custom protocols: `aideon://app/` serves the built renderer (module scripts need a real
 * origin, which file:// is not) and `aideon-media://media/<id>` serves the media store with
 * Range support so videos can be seeked (`?tracks=video`: the video-only view, video-only.ts;
 * `?view=poster`: a small JPEG poster frame, poster-frames.ts).
 */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { MediaStore } from '../media/media-store';
import { MediaStore as MediaStoreClass } from '../media/media-store';
import { posterAnswer, type PosterFrames } from '../media/poster-frames';
import { CONTENT_SECURITY_POLICY, mediaEtag, parseRange } from '../serve/browser-server';
import { toWebStream } from '../web-stream';

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

export async function handleMediaRequest(
  request: Request,
  media: MediaStore,
  posters?: PosterFrames,
): Promise<Response> {
  const url = new URL(request.url);
  const id = url.pathname.replace(/^\/+/, '');
  if (url.searchParams.get('view') === 'poster') {
    if (!posters) return new Response('Not found', { status: 404 });
    const answer = await posterAnswer(posters, id);
    if (answer.status !== 200) return new Response(answer.message, { status: answer.status });
    return new Response(new Uint8Array(answer.body), {
      headers: {
        'content-type': 'image/jpeg',
        'content-length': String(answer.body.length),
        'cache-control': 'private, max-age=31536000, immutable',
        etag: answer.etag,
      },
    });
  }
  const videoOnly = url.searchParams.get('tracks') === 'video';
  if (!MediaStoreClass.isMediaId(id) || !media.has(id))
    return new Response('Not found', { status: 404 });
  const size = media.size(id);
  const cacheHeaders = {
    'cache-control': 'private, max-age=31536000, immutable',
    etag: mediaEtag(id, videoOnly),
  };
  const rangeHeader = request.headers.get('range');
  if (rangeHeader) {
    const range = parseRange(rangeHeader, size);
    if (!range)
      return new Response(null, { status: 416, headers: { 'content-range': `bytes */${size}` } });
    return new Response(toWebStream(media.openRead(id, range, { videoOnly })) as ReadableStream, {
      status: 206,
      headers: {
        'content-type': 'video/mp4',
        'accept-ranges': 'bytes',
        'content-range': `bytes ${range.start}-${range.end}/${size}`,
        'content-length': String(range.end - range.start + 1),
        ...cacheHeaders,
      },
    });
  }
  return new Response(toWebStream(media.openRead(id, undefined, { videoOnly })) as ReadableStream, {
    headers: {
      'content-type': 'video/mp4',
      'accept-ranges': 'bytes',
      'content-length': String(size),
      ...cacheHeaders,
    },
  });
}
