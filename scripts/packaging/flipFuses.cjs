'use strict';
// electron-builder's afterPack hook: flips Electron's fuses in the packed binary. afterPack runs
// after the files are in place (and after electron-builder has hashed app.asar for the
// integrity check) but before code signing, so the signature covers the flipped fuse wire.
//
// The fuse table is plain data and `fuseConfigFor` is a pure function of it, so the unit test
// checks exactly which fuses a release flips without an Electron binary.
const path = require('node:path');

/** Electron's own defaults (docs/tutorial/fuses.md); a release changes only what differs. */
const ELECTRON_DEFAULT_FUSES = Object.freeze({
  RunAsNode: true,
  EnableCookieEncryption: false,
  EnableNodeOptionsEnvironmentVariable: true,
  EnableNodeCliInspectArguments: true,
  EnableEmbeddedAsarIntegrityValidation: false,
  OnlyLoadAppFromAsar: false,
  LoadBrowserProcessSpecificV8Snapshot: false,
  GrantFileProtocolExtraPrivileges: true,
  WasmTrapHandlers: true,
});

const RELEASE_FUSES = Object.freeze({
  ...ELECTRON_DEFAULT_FUSES,
  // The app never runs itself as plain Node (no process.fork, no ELECTRON_RUN_AS_NODE children):
  // the switch would only serve someone turning the signed binary into a Node interpreter.
  RunAsNode: false,
  EnableCookieEncryption: true,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  // electron-builder embeds the asar hashes (Info.plist on macOS, a resource on Windows); Linux
  // has no validation, the fuse is inert there.
  EnableEmbeddedAsarIntegrityValidation: true,
  OnlyLoadAppFromAsar: true,
  // Stays ON. The window loads out/renderer/index.html over file:// from inside app.asar. With
  // this fuse off Electron neither serves file:// URLs out of an asar (navigation and
  // subresources fall through to Chromium's plain file loader) nor lets a file:// page load
  // its own `<script type="module" crossorigin>` and stylesheet (allow_file_access_from_file_urls
  // follows this fuse): the window would stay blank. Turn it off once the renderer is served
  // over a custom protocol (protocol.handle) instead of file://.
  GrantFileProtocolExtraPrivileges: true,
});

/** builder-util's Arch enum (electron-builder passes the number in the pack context). */
const ARCH_NAMES = Object.freeze(['ia32', 'x64', 'armv7l', 'arm64', 'universal']);

/** Debug packages (e.g. to attach --inspect to a packaged build) keep Electron's defaults. */
const KEEP_DEFAULT_FUSES_ENV = 'REPLICA_DESK_KEEP_DEFAULT_FUSES';

/**
 * The @electron/fuses configuration for one packed app. Every fuse @electron/fuses knows must
 * have a value in the table. `strictlyRequireAllFuses` stays off: Electron ships new fuses
 * before @electron/fuses can name them (deviceBoundSessions, default off, is on its way), and
 * a release build should not break over one; afterPack names any such fuse instead.
 * @param {{ platform: string, arch: string }} target electronPlatformName and arch name
 * @param {{ FuseVersion: { V1: string }, FuseV1Options: Record<string, number | string> }} fuses the @electron/fuses module
 * @param {Record<string, boolean>} [table]
 */
function fuseConfigFor(target, fuses, table = RELEASE_FUSES) {
  const config = {
    version: fuses.FuseVersion.V1,
    strictlyRequireAllFuses: false,
    // Flipping a fuse breaks the ad-hoc signature Apple Silicon requires of every binary; when
    // no real signing identity follows, the app must be ad-hoc signed again or it will not start.
    resetAdHocDarwinSignature: (target.platform === 'darwin' || target.platform === 'mas') && (target.arch === 'arm64' || target.arch === 'universal'),
  };
  for (const [name, enabled] of Object.entries(table)) {
    const index = fuses.FuseV1Options[name];
    if (typeof index !== 'number') throw new Error(`@electron/fuses does not know the fuse ${name}; update it or the fuse table in ${__filename}.`);
    config[index] = enabled;
  }
  const known = Object.values(fuses.FuseV1Options).filter((value) => typeof value === 'number');
  const missing = known.filter((index) => !(index in config)).map((index) => fuses.FuseV1Options[index]);
  if (missing.length > 0) throw new Error(`No release value for the fuse(s) ${missing.join(', ')}: add them to the fuse table in ${__filename}.`);
  return config;
}

/**
 * Where electron-builder put the Electron binary that carries the fuse wire (the same rule as
 * its own PlatformPackager.addElectronFuses): on macOS the .app bundle, which @electron/fuses
 * resolves to the Electron Framework.
 */
function electronBinaryPath(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  switch (electronPlatformName) {
    case 'linux':
      return path.join(appOutDir, packager.executableName);
    case 'win32':
      return path.join(appOutDir, `${packager.appInfo.productFilename}.exe`);
    case 'darwin':
    case 'mas':
      return path.join(appOutDir, `${packager.appInfo.productFilename}.app`);
    default:
      throw new Error(`Cannot flip fuses for the unknown platform ${electronPlatformName}.`);
  }
}

/** The fuse wire, by name, as the binary now carries it ('r' = removed by Electron). */
async function readFuses(binary) {
  const fuses = await import('@electron/fuses');
  const wire = await fuses.getCurrentFuseWire(binary);
  const states = {};
  for (const [index, byte] of Object.entries(wire)) {
    if (index === 'version') continue;
    const name = fuses.FuseV1Options[Number(index)] ?? `fuse${index}`;
    states[name] = byte === fuses.FuseState.ENABLE ? true : byte === fuses.FuseState.DISABLE ? false : String.fromCharCode(byte);
  }
  return states;
}

/** Flips the release fuses in one binary and reads them back; throws if any did not take. */
async function flipReleaseFuses(binary, target, table = RELEASE_FUSES) {
  const fuses = await import('@electron/fuses');
  await fuses.flipFuses(binary, fuseConfigFor(target, fuses, table));
  const states = await readFuses(binary);
  const wrong = Object.entries(table).filter(([name, enabled]) => states[name] !== enabled);
  if (wrong.length > 0) {
    throw new Error(`Fuses did not take in ${binary}: ${wrong.map(([name, enabled]) => `${name} is ${states[name]}, wanted ${enabled}`).join('; ')}.`);
  }
  return states;
}

async function afterPack(context, env = process.env) {
  if (env[KEEP_DEFAULT_FUSES_ENV] === '1') {
    console.warn(`  • ${KEEP_DEFAULT_FUSES_ENV}=1: Electron's fuses left at their defaults. Do not ship this package.`);
    return;
  }
  const binary = electronBinaryPath(context);
  const target = { platform: context.electronPlatformName, arch: ARCH_NAMES[context.arch] ?? String(context.arch) };
  const states = await flipReleaseFuses(binary, target);
  const summary = Object.entries(states).map(([name, state]) => `${name}=${state === true ? 'on' : state === false ? 'off' : state}`);
  console.log(`  • flipped Electron fuses  binary=${path.relative(process.cwd(), binary)}\n    ${summary.join(' ')}`);
  const unknown = Object.keys(states).filter((name) => !(name in RELEASE_FUSES));
  if (unknown.length > 0) {
    console.warn(`  • this Electron has fuses the release table does not set, left at their defaults: ${unknown.join(', ')}. Update @electron/fuses and decide them in ${path.basename(__filename)}.`);
  }
}

module.exports = {
  ELECTRON_DEFAULT_FUSES,
  RELEASE_FUSES,
  ARCH_NAMES,
  KEEP_DEFAULT_FUSES_ENV,
  fuseConfigFor,
  electronBinaryPath,
  readFuses,
  flipReleaseFuses,
  afterPack,
  default: afterPack,
};
