// The renderer's only way to reach main: one named function per operation of the shared
// contract, each bound to its own channel. ipcRenderer itself, and any function taking a
// channel name, stay in here. This runs sandboxed, so the bundle may require only 'electron'.
import { contextBridge, ipcRenderer } from 'electron';
import type { ReplicaDeskApi, ReplicaDeskBridge } from '../shared/api';
import type { RestoreEvent } from '../shared/restoreEvents';
import { channelFor, operations, RESTORE_EVENT_CHANNEL, type Operation } from '../shared/operations';

const call = (op: Operation) => (request: unknown) => ipcRenderer.invoke(channelFor(op), request);

const api: ReplicaDeskBridge = {
  ...(Object.fromEntries(operations.map((op) => [op, call(op)])) as ReplicaDeskApi),
  // The listener gets the event only, never Electron's IpcRendererEvent (which carries `sender`).
  onRestoreEvent(listener: (event: RestoreEvent) => void) {
    const handler = (_event: unknown, payload: RestoreEvent) => listener(payload);
    ipcRenderer.on(RESTORE_EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(RESTORE_EVENT_CHANNEL, handler);
    };
  },
};

contextBridge.exposeInMainWorld('api', api);
