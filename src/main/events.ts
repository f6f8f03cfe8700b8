/**
 * The main-process event bus. Services emit typed events from the contract; transports
 * (Electron IPC, server-sent events, the CLI) subscribe.
 */
import type { EventChannel, EventPayload } from '../shared/ipc/contract';

type Listener<E extends EventChannel> = (payload: EventPayload<E>) => void;

export class EventBus {
  private readonly listeners = new Map<EventChannel, Set<Listener<EventChannel>>>();

  emit<E extends EventChannel>(event: E, payload: EventPayload<E>): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        (listener as Listener<E>)(payload);
      } catch {
        // A failing subscriber must not break the service that emitted.
      }
    }
  }

  /** Whether anyone listens to `event` (so an emitter can skip building a payload nobody reads). */
  hasListeners(event: EventChannel): boolean {
    return (this.listeners.get(event)?.size ?? 0) > 0;
  }

  on<E extends EventChannel>(event: E, listener: Listener<E>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as Listener<EventChannel>);
    return () => set.delete(listener as Listener<EventChannel>);
  }

  /** Subscribes to every event; used by transports that forward all of them. */
  onAny(
    listener: (event: EventChannel, payload: unknown) => void,
    events: readonly EventChannel[],
  ): () => void {
    const offs = events.map((event) => this.on(event, (payload) => listener(event, payload)));
    return () => offs.forEach((off) => off());
  }
}
