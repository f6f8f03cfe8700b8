/**
 * A Node stream (undici's response body) handed out as a web ReadableStream, safely.
 *
 * Node 20's `Readable.toWeb` pushes every 'data' event into the web stream's controller; once the
 * consumer has cancelled (a refused HTML page, a size limit, an abort), data already buffered in
 * the Node stream still arrives and `enqueue` throws ERR_INVALID_STATE outside any caller, which
 * kills the process (issue 13). This adapter pulls instead: a chunk is read only when the
 * consumer asks for one, nothing is delivered after cancel or the end, and an error of the Node
 * stream after that is swallowed (the consumer has left), never thrown.
 *
 * Nothing is read ahead (highWaterMark 0), so a consumer in main that wants the bytes at full
 * speed (a large video download) can take the Node stream itself with `takeNodeSource` instead:
 * a web stream costs a few promises per 64 KB chunk.
 */
import type { Readable } from 'node:stream';

const sources = new WeakMap<ReadableStream<Uint8Array>, Readable>();

export function toWebStream(body: Readable): ReadableStream<Uint8Array> {
  let finished = false;
  // An 'error' with no listener would be thrown; the iterator below reports errors to the reader.
  body.on('error', () => undefined);
  let chunks: AsyncIterator<Uint8Array> | undefined;
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        // Read by a web reader from now on: no longer available to takeNodeSource.
        sources.delete(stream);
        let next: IteratorResult<Uint8Array>;
        try {
          chunks ??= body[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
          next = await chunks.next();
        } catch (error) {
          if (finished) return;
          finished = true;
          controller.error(error);
          return;
        }
        if (finished) return;
        if (next.done) {
          finished = true;
          controller.close();
          return;
        }
        controller.enqueue(next.value);
      },
      cancel() {
        finished = true;
        body.destroy();
      },
    },
    { highWaterMark: 0 },
  );
  sources.set(stream, body);
  return stream;
}

/**
 * The Node stream behind a stream made by `toWebStream`, when nothing has been read from it yet;
 * the web stream is locked from then on (it must not be read as well). Anything else: undefined.
 * The chunks it emits are the taker's own: the media writer moves their memory to its hashing
 * worker, so `toWebStream` wraps only streams whose chunks nobody else keeps (an HTTP body, a
 * file read), never one that re-emits a buffer held elsewhere.
 */
export function takeNodeSource(stream: ReadableStream<Uint8Array>): Readable | undefined {
  const source = sources.get(stream);
  if (!source || stream.locked) return undefined;
  sources.delete(stream);
  // Lock the web stream, so no other reader can take a chunk from under the Node consumer.
  stream.getReader();
  return source;
}
