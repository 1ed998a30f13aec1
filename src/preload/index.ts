// The renderer's only way to reach main: one named function per operation of the shared
// contract, each bound to its own channel. ipcRenderer itself, and any function taking a
// channel name, stay in here. This runs sandboxed, so the bundle may require only 'electron'.
import { contextBridge, ipcRenderer } from 'electron';
import type { ReplicaDeskApi, ReplicaDeskBridge } from '../shared/api';
import type { RestoreEvent } from '../shared/restoreEvents';
import type { SandboxEvent } from '../shared/sandboxEvents';
import { channelFor, operations, RESTORE_EVENT_CHANNEL, SANDBOX_EVENT_CHANNEL, type Operation } from '../shared/operations';

const call = (op: Operation) => (request: unknown) => ipcRenderer.invoke(channelFor(op), request);

/** Subscribes to one event channel; the listener gets the payload only, never Electron's IpcRendererEvent (which carries `sender`). */
function subscribe<E>(channel: string) {
  return (listener: (event: E) => void) => {
    const handler = (_event: unknown, payload: E) => listener(payload);
    ipcRenderer.on(channel, handler);
    return () => {
      ipcRenderer.removeListener(channel, handler);
    };
  };
}

const api: ReplicaDeskBridge = {
  ...(Object.fromEntries(operations.map((op) => [op, call(op)])) as ReplicaDeskApi),
  onRestoreEvent: subscribe<RestoreEvent>(RESTORE_EVENT_CHANNEL),
  onSandboxEvent: subscribe<SandboxEvent>(SANDBOX_EVENT_CHANNEL),
};

contextBridge.exposeInMainWorld('api', api);
