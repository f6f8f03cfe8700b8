/** The server-sent-events reader (text/event-stream framing) used for fal's status stream. */
import { describe, expect, it } from 'vitest';
import { serverSentEvents } from '../../../src/main/providers/http/sse';

async function read(chunks: Array<string | Uint8Array>): Promise<string[]> {
  const events: string[] = [];
  for await (const data of serverSentEvents(
    (async function* () {
      yield* chunks;
    })(),
  ))
    events.push(data);
  return events;
}

describe('server-sent events', () => {
  it('yields each event’s data, across chunk boundaries and line endings', async () => {
    const encoded = new TextEncoder().encode('data: {"status":"IN_PROGRESS"}\r\n\r\n');
    expect(
      await read([
        ': keep-alive\n\n',
        'event: status\nid: 1\nretry: 100\ndata: {"status":',
        '"IN_QUEUE"}\n',
        '\n',
        encoded.slice(0, 7),
        encoded.slice(7),
        'data:first\r',
        '\ndata: second\r\rdata: unterminated',
      ]),
    ).toEqual(['{"status":"IN_QUEUE"}', '{"status":"IN_PROGRESS"}', 'first\nsecond']);
  });

  it('an event split inside a multi-byte character is decoded whole', async () => {
    const bytes = new TextEncoder().encode('data: génération\n\n');
    expect(await read([bytes.slice(0, 8), bytes.slice(8)])).toEqual(['génération']);
  });
});
