import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import pkg from './package.json';

// One build for everything that ships: the Electron main process and the CLI share
// the main bundle's settings (Node target, dependencies left external), so they run
// the very same core code.
export default defineConfig({
  main: {
    define: { __REPLICA_DESK_VERSION__: JSON.stringify(pkg.version) },
    build: {
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          cli: resolve(__dirname, 'src/cli/index.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
      },
    },
  },
  // The renderer ships minified (electron-vite leaves it unminified by default), and each main
  // view is a lazily loaded chunk (src/renderer/src/shell/lazyViews.ts), so the first screen
  // compiles only what it shows. The chunks load from the same directory as the entry, over
  // file:// in Electron and http:// on the test bridge, which script-src 'self' allows as it
  // does the entry. All CSS stays in one file, loaded by index.html before the first paint:
  // views share class names across their stylesheets, and it is small.
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    build: {
      minify: true,
      cssCodeSplit: false,
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/renderer/index.html') },
      },
    },
    plugins: [react()],
  },
});
