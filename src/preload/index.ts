/**
 * The preload: builds `window.aideon` from the contract's channel names and nothing else.
 * One function per invoke channel and one subscribe function per event; no generic invoke,
 * no raw ipcRenderer, no process.env. Runs sandboxed with context isolation.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  EVENT_CHANNEL_NAMES,
  EVENT_PREFIX,
  INVOKE_CHANNEL_NAMES,
} from '../shared/ipc/channel-names';

const invoke: Record<string, (input: unknown) => Promise<unknown>> = {};
for (const channel of INVOKE_CHANNEL_NAMES) {
  invoke[channel] = (input: unknown) => ipcRenderer.invoke(channel, input);
}

const on: Record<string, (listener: (payload: unknown) => void) => () => void> = {};
for (const event of EVENT_CHANNEL_NAMES) {
  on[event] = (listener) => {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    const wrapped = (_event: IpcRendererEvent, payload: unknown): void => listener(payload);
    ipcRenderer.on(`${EVENT_PREFIX}${event}`, wrapped);
    return () => {
      ipcRenderer.removeListener(`${EVENT_PREFIX}${event}`, wrapped);
    };
  };
}

contextBridge.exposeInMainWorld(
  'aideon',
  Object.freeze({ invoke: Object.freeze(invoke), on: Object.freeze(on) }),
);
