// Why `sandbox up` or `down` stopped, each with what to do next: an installation of its name
// it did not create, a request the existing sandbox is not (another dir or size), a cancel, a restore of the sandbox at work, a keychain
// that cannot be used. (A busy lock is sandboxLock.ts's; missing programs pgPrograms.ts's.)
import { formatServerRef } from '../../../shared/profiles';
import type { KeychainHealth } from '../../../shared/keychainHealth';
import { SANDBOX_INSTALLATION } from '../../../shared/sandbox';
import { ConflictError, ReplicaDeskError } from '../errors';

/** `sandbox up` was asked for something the existing sandbox is not (another dir, another size). */
export class SandboxMismatchError extends ConflictError {}

export class SandboxCancelledError extends ReplicaDeskError {
  constructor(action: 'up' | 'down') {
    super(
      'cancelled',
      `sandbox ${action} was cancelled; what it made so far is recorded.`,
      action === 'up' ? 'Run `replica-desk sandbox up` again to finish it, or `replica-desk sandbox down` to remove what was made.' : 'Run `replica-desk sandbox down` again to finish removing the sandbox.',
    );
  }
}

/** A restore of the sandbox is running: `up` would restart its servers, `down` take them away. */
export class SandboxInUseError extends ReplicaDeskError {
  constructor(action: 'up' | 'down', run: { runId: string; pid: number | null; host: string | null; startedAt: string; replicas: string[] }) {
    super(
      'sandbox-in-use',
      `Run ${run.runId} (pid ${run.pid ?? '?'} on ${run.host ?? 'an unknown host'}, started ${run.startedAt}) is restoring ${run.replicas.map((r) => formatServerRef({ installation: SANDBOX_INSTALLATION, server: r })).join(', ')}; \`sandbox ${action}\` would pull its servers away. Nothing was changed.`,
      `Let the run finish (\`replica-desk runs show ${run.runId}\`), or cancel it: Ctrl-C in the terminal that runs it, or Cancel in the app's restore view. Then run \`replica-desk sandbox ${action}\` again.`,
    );
  }
}

export class SandboxKeychainError extends ReplicaDeskError {
  constructor(health: KeychainHealth) {
    super(
      'sandbox-keychain',
      `The sandbox keeps its servers' passwords in the OS keychain, and the keychain cannot be used: ${health.message.replace(/\.?$/, '.')} Nothing was created.`,
      health.hint ?? 'Make sure the OS keychain is running and unlocked, then run `replica-desk sandbox up` again.',
    );
  }
}

/** An installation of the sandbox's name exists that the sandbox did not create: `up` leaves it alone. */
export class ForeignSandboxInstallationError extends ConflictError {
  constructor() {
    super(
      `An installation named "${SANDBOX_INSTALLATION}" exists that the sandbox did not create; \`sandbox up\` leaves it alone and made nothing.`,
      'Rename or delete that installation (in the app, or export, edit and import the profiles), then run `replica-desk sandbox up` again.',
    );
  }
}
