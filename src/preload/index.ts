// The renderer's only way to reach main: one named function per operation of the shared
// contract, each bound to its own channel. ipcRenderer itself, and any function taking a
// channel name, stay in here. This runs sandboxed, so the bundle may require only 'electron'.
import { contextBridge, ipcRenderer } from 'electron';
import type { ReplicaDeskApi } from '../shared/api';
import { channelFor, operations, type Operation } from '../shared/operations';

const call = (op: Operation) => (request: unknown) => ipcRenderer.invoke(channelFor(op), request);

const api = Object.fromEntries(operations.map((op) => [op, call(op)])) as ReplicaDeskApi;

contextBridge.exposeInMainWorld('api', api);
