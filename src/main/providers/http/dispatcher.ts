import { Agent, type Dispatcher } from 'undici';

/** The default dispatcher: connect timeout 10 s, keep-alive; tests inject their own. */
export function createDefaultDispatcher(): Dispatcher {
  return new Agent({ connect: { timeout: 10000 }, keepAliveTimeout: 10000, connections: 32 });
}
