/**
 * A Node stream (undici's response body) handed out as a web ReadableStream, safely.
 *
 * Node 20's `Readable.toWeb` pushes every 'data' event into the web stream's controller; once the
 * consumer has cancelled (a refused HTML page, a size limit, an abort), data already buffered in
 * the Node stream still arrives and `enqueue` throws ERR_INVALID_STATE outside any caller, which
 * kills the process (issue 13). This adapter pulls instead: a chunk is read only when the
 * consumer asks for one, nothing is delivered after cancel or the end, and an error of the Node
 * stream after that is swallowed (the consumer has left), never thrown.
 */
import type { Readable } from 'node:stream';

export function toWebStream(body: Readable): ReadableStream<Uint8Array> {
  let finished = false;
  // An 'error' with no listener would be thrown; the iterator below reports errors to the reader.
  body.on('error', () => undefined);
  const chunks = body[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let next: IteratorResult<Uint8Array>;
      try {
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
  });
}
