'use strict';
// electron-builder configuration: `npm run dist` (through scripts/packaging/dist.mjs).
// CommonJS on purpose: electron-builder require()s it as is, the afterPack hook is a plain
// function reference (no path resolved against the working directory), and the unit test
// loads the very same object. package.json has no "type", so .cjs also stays right if one is
// ever added.
const { afterPack } = require('./scripts/packaging/flipFuses.cjs');

// Debian packages must name a maintainer and a home page; package.json carries neither, so they
// are set here. Replace both with the real ones before publishing a package.
const MAINTAINER = 'Replica Desk maintainers <maintainers@replica-desk.invalid>';
const HOMEPAGE = 'https://replica-desk.invalid/';
const SYNOPSIS = 'Restore CoreMedia Replication Live Servers from a Master Live Server backup';

// The packaged app runs the bundles in out/ and requires its production dependencies from
// node_modules, which electron-builder collects (only "dependencies", never devDependencies).
// Everything else in the checkout (src, tests, scripts, .cache, dist) stays out.
const files = [
  'out/**/*',
  // The Linux window icon (src/main/window.ts reads ../../resources/icon.png from out/main).
  'resources/icon.png',
  'package.json',
  '!out/**/*.map',
  // Dependencies' TypeScript sources, declarations and source maps: nothing runs them.
  '!**/node_modules/**/*.{ts,mts,cts,map}',
  // Build leftovers and sources of the native modules; only build/Release/*.node runs.
  '!**/node_modules/*/build/Release/{obj,obj.target,.deps}/**',
  '!**/node_modules/*/build/{deps,node_gyp_bins}/**',
  '!**/node_modules/better-sqlite3/{deps,src}/**',
  '!**/node_modules/better-sqlite3/build/Release/test_extension.node',
  '!**/node_modules/{keytar,cpu-features}/src/**',
  // ssh2's optional cipher binding is built for Node's ABI at npm install and @electron/rebuild
  // does not rebuild it (its binding.gyp is not at the package root). ssh2 already falls back
  // to its JavaScript ciphers when the binding does not load, so it is left out entirely.
  '!**/node_modules/ssh2/lib/protocol/crypto/{build,src}/**',
  '!**/node_modules/ssh2/lib/protocol/crypto/binding.gyp',
];

/** @type {import('electron-builder').Configuration} */
module.exports = {
  appId: 'com.replicadesk.app',
  productName: 'Replica Desk',
  directories: { output: 'dist' },
  files,
  asar: true,
  // Native modules cannot be dlopen()ed from inside an archive. Electron redirects require()
  // of these paths to app.asar.unpacked; libsecret (keytar) comes from the system.
  asarUnpack: ['**/node_modules/better-sqlite3/**/*.node', '**/node_modules/keytar/**/*.node', '**/node_modules/cpu-features/**/*.node'],
  icon: 'resources/icon.png',
  // better-sqlite3 and cpu-features are not N-API: @electron/rebuild builds them for
  // Electron's ABI. It does so in node_modules itself; dist.mjs puts the Node builds back.
  npmRebuild: true,
  afterPack,
  extraMetadata: {
    homepage: HOMEPAGE,
    // Electron takes the Wayland app_id / WM_CLASS from desktopName; it must match the .desktop file.
    desktopName: 'replica-desk-app.desktop',
  },

  linux: {
    target: ['AppImage', 'deb'],
    // Not "replica-desk": that is the command-line tool's name (package.json "bin"), and the
    // deb links the executable into /usr/bin.
    executableName: 'replica-desk-app',
    syncDesktopName: true,
    category: 'Development',
    synopsis: SYNOPSIS,
    maintainer: MAINTAINER,
    vendor: MAINTAINER,
  },
  deb: {
    // electron-builder's default list, restated because setting depends replaces it; keytar
    // needs libsecret and a Secret Service at run time.
    depends: ['libgtk-3-0', 'libnotify4', 'libnss3', 'libxss1', 'libxtst6', 'xdg-utils', 'libatspi2.0-0', 'libuuid1', 'libsecret-1-0'],
    // pg_dump, pg_restore and psql do the restore work.
    recommends: ['postgresql-client'],
    priority: 'optional',
  },
  appImage: {
    artifactName: 'Replica-Desk-${version}-${arch}.${ext}',
  },

  win: {
    target: ['nsis'],
  },
  nsis: {
    oneClick: false,
    perMachine: false,
    allowToChangeInstallationDirectory: true,
    artifactName: 'Replica-Desk-Setup-${version}-${arch}.${ext}',
  },

  mac: {
    target: ['dmg'],
    category: 'public.app-category.developer-tools',
    // Required for notarization; electron-builder's default entitlements (JIT, unsigned
    // executable memory, no library validation) are what Electron needs under it.
    hardenedRuntime: true,
  },
  dmg: {
    artifactName: 'Replica-Desk-${version}-${arch}.${ext}',
  },
};
