// The names of the operations and their IPC channels, with no dependencies, so the
// sandboxed preload can bundle them without pulling in zod. src/shared/api.ts holds a
// request schema for each of these names (a type check keeps the two lists equal).
export const operations = [
  'listInstallations',
  'saveInstallation',
  'deleteInstallation',
  'validateInstallation',
  'importProfiles',
  'exportProfiles',
  'secretStatus',
  'setSecret',
  'deleteSecret',
  'testConnection',
  'prepareRestore',
  'startRestore',
  'resumeRun',
  'cancelRun',
  'answerConfirmation',
  'listRuns',
  'listRunPage',
  'showRun',
  'exportRunReport',
  'probeTopology',
  'cachedTopology',
  'probeHostKey',
  'confirmSecretEndpoint',
  'getSettings',
  'updateSettings',
  'deleteRunDump',
  'listCommands',
  'approveCommands',
  'prepareRollback',
  'discardKeptSchema',
  'keychainHealth',
] as const;

export type Operation = (typeof operations)[number];

/** IPC channel for an operation. One named channel each, never a generic one. */
export const channelFor = (op: Operation): string => `replica-desk:${op}`;

/** Events main sends to the window (restore progress, questions for manual steps). */
export const RESTORE_EVENT_CHANNEL = 'replica-desk:event:restore';
