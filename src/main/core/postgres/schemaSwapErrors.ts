// The refusals of a schema swap, a swap back and a discard of a kept schema. Every one
// leaves the database as it was, and its hint says what to do next.
import { ReplicaDeskError } from '../errors';

export class SwapWrongTargetError extends ReplicaDeskError {
  constructor(schema: string, expected: { systemIdentifier: string; database: string }, actual: { systemIdentifier: string; database: string }) {
    super(
      'swap-wrong-target',
      `Refused to rename schema "${schema}": the connection reached database "${actual.database}" of cluster ${actual.systemIdentifier}, ` +
        `but the replica was checked as database "${expected.database}" of cluster ${expected.systemIdentifier}.`,
      'Nothing was renamed. The replica profile now points somewhere else than when it was checked; check it (`replica-desk profiles list`) and start again so the preflight runs anew.',
    );
  }
}

export class SwapSourceMissingError extends ReplicaDeskError {
  constructor(readonly schema: string, readonly missing: string, what: 'shadow' | 'kept') {
    super(
      what === 'shadow' ? 'swap-shadow-missing' : 'swap-kept-missing',
      what === 'shadow'
        ? `There is no restored schema "${missing}" to swap in for "${schema}".`
        : `There is no kept schema "${missing}" to swap back in for "${schema}".`,
      what === 'shadow'
        ? 'Nothing was renamed. The side-by-side restore into the shadow schema did not finish (or it was cleaned up); resume the run so it restores again.'
        : 'Nothing was renamed. The previous schema was discarded (or never kept), so this run cannot be rolled back; restore again instead.',
    );
  }
}

export class SwapNameTakenError extends ReplicaDeskError {
  constructor(readonly schema: string, readonly taken: string) {
    super(
      'swap-name-taken',
      `Cannot set schema "${schema}" aside as "${taken}": a schema of that name already exists.`,
      `Nothing was renamed. Look at "${taken}" (an earlier attempt of this run, or someone's copy); discard it if it is no longer needed, then resume.`,
    );
  }
}

export class SwapSchemaInUseError extends ReplicaDeskError {
  constructor(readonly schema: string, lockTimeoutMs: number, cause?: unknown) {
    super(
      'swap-schema-in-use',
      `Could not lock the tables of schema "${schema}" within ${lockTimeoutMs / 1000} s (lock_timeout) to rename it: another session is using them.`,
      'Nothing was renamed. Something still uses the replica database, probably the replica server itself or a reporting job. Stop it, check that no session of its database user remains, then resume.',
      { cause },
    );
  }
}

export class SwapTimedOutError extends ReplicaDeskError {
  constructor(readonly schema: string, statementTimeoutMs: number, cause?: unknown) {
    super(
      'swap-timeout',
      `Renaming schema "${schema}" did not finish within ${Math.round(statementTimeoutMs / 1000)} s; it was rolled back.`,
      'Nothing was renamed. The database server may be overloaded; check it, then resume.',
      { cause },
    );
  }
}

export class SwapOwnerMismatchError extends ReplicaDeskError {
  constructor(readonly schema: string, incoming: string, liveOwner: string, incomingOwner: string) {
    super(
      'swap-owner-mismatch',
      `Schema "${incoming}" belongs to "${incomingOwner}", but "${schema}" belongs to "${liveOwner}"; after the swap the server's schema would have another owner.`,
      `Nothing was renamed. Ask the DBA to run ALTER SCHEMA "${incoming}" OWNER TO "${liveOwner}" (or restore as "${liveOwner}"), then resume.`,
    );
  }
}

export class SwapExternalDependentsError extends ReplicaDeskError {
  constructor(readonly schema: string, readonly dependents: string[], action: 'rename' | 'drop') {
    super(
      'swap-external-dependents',
      `Objects outside schema "${schema}" depend on it: ${dependents.join('; ')}. ` +
        (action === 'rename'
          ? 'They are bound to its tables by OID, so after a swap they would still read the schema set aside.'
          : 'Dropping it would drop them too.'),
      action === 'rename'
        ? 'Nothing was renamed. Drop those objects (keep their definitions), resume, and create them again after the swap.'
        : 'Nothing was dropped. Drop or change those objects first if they are no longer needed, then discard again.',
    );
  }
}

export class SwapDeniedError extends ReplicaDeskError {
  constructor(readonly schema: string, user: string, detail: string, cause?: unknown) {
    super(
      'swap-denied',
      `User "${user}" may not swap schema "${schema}": ${detail}`,
      'Nothing was renamed. Renaming a schema needs its ownership and the CREATE privilege on the database (GRANT CREATE ON DATABASE …); ' +
        'carrying default privileges needs membership in the role that defined them. Ask the DBA, then resume.',
      { cause },
    );
  }
}

export class SwapInterruptedError extends ReplicaDeskError {
  constructor(readonly schema: string, cause?: unknown) {
    super(
      'swap-interrupted',
      `The session renaming schema "${schema}" ended before it reported back.`,
      'Both renames are one transaction: either both happened or neither did. Resume the run; the swap reads which state holds and goes on from there.',
      { cause },
    );
  }
}

export class NotAKeptSchemaError extends ReplicaDeskError {
  override readonly usage = true;

  constructor(readonly schema: string, readonly candidate: string) {
    super(
      'not-a-kept-schema',
      `"${candidate}" is not a schema Replica Desk kept for "${schema}" (kept schemas are named ${schema}__rd_prev_<run> or ${schema}__rd_undone_<run>).`,
      'Nothing was dropped. Only a schema set aside by a swap or a swap back can be discarded; `replica-desk runs` lists them.',
    );
  }
}

export class KeptSchemaIsMasterError extends ReplicaDeskError {
  constructor(readonly candidate: string) {
    super(
      'kept-schema-is-master',
      `Refused to drop schema "${candidate}": its own repository_server_type is "publication", so it is a Master Live Server's repository, whatever its name says.`,
      'Nothing was dropped. Ask the DBA what this schema is before anything drops it.',
    );
  }
}

export class SwapServerTypeError extends ReplicaDeskError {
  constructor(readonly schema: string, serverType: string | null, role: 'incoming' | 'live') {
    super(
      'swap-server-type',
      role === 'live'
        ? `Refused to set schema "${schema}" aside: its own repository_server_type is "publication", so it is a Master Live Server's repository, whatever the profile says.`
        : `Refused to swap in schema "${schema}": its repository_server_type is ${serverType === null ? 'missing' : `"${serverType}"`}, not "live"; a replica started on it would not replicate.`,
      role === 'live'
        ? "Nothing was renamed. Check that the replica's db settings in the profile point at the replica's schema, not at a master's."
        : 'Nothing was renamed. The fix-ups of the side-by-side restore have not run on it (or failed); resume the run so they do.',
    );
  }
}
