// What the preload exposes on window in Electron. In a browser (tests, preview) it is absent
// and src/api.ts falls back to the HTTP bridge.
import type { ReplicaDeskBridge } from '../../shared/api';

declare global {
  interface Window {
    api?: ReplicaDeskBridge;
  }
}

export {};
