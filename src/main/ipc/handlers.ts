// The operation table: for each operation in the shared contract, check the request with
// its zod schema and call the core. Transport-neutral (no Electron import): Electron's IPC
// registers these on named channels, and the end-to-end tests serve them over HTTP.
import { requestSchemas, type Operation, type Responses } from '../../shared/api';
import { jsonPath } from '../../shared/profiles';
import { fail, ok, type Result } from '../../shared/result';
import { toErrorPayload } from '../core/errors';
import type { ReplicaDesk } from '../core/replicaDesk';
import { Secret } from '../core/secrets/secret';
import { RestoreSessions } from '../core/restore/restoreSessions';
import { formatRunReport } from '../core/history/runReport';
import type { RestoreEvent } from '../../shared/restoreEvents';
import { endpointChangeText } from '../core/secrets/secretEndpoint';
import { refuseWithoutPrompt, type ConfirmInMain } from './confirmInMain';
import { deleteRunDump } from './deleteRunDump';
import { discardKeptSchemaInMain } from './discardKeptSchema';
import { approveCommandsInMain } from './approveCommands';
import { parseApprovalTarget } from '../core/profiles/commandReview';
import { InvalidInputError } from '../core/errors';

export type Handler<Op extends Operation> = (request: unknown) => Promise<Result<Responses[Op]>>;
export type Handlers = { [Op in Operation]: Handler<Op> };

type Implementations = {
  [Op in Operation]: (request: import('zod').output<(typeof requestSchemas)[Op]>) => Promise<Responses[Op]> | Responses[Op];
};

export interface HandlerOptions {
  /** Delivers restore events to the window (IPC) or the browser (bridge). */
  emit?: (event: RestoreEvent) => void;
  /** The app passes its own, to ask before quitting during a run. */
  sessions?: RestoreSessions;
  /**
   * Asks the admin outside the renderer before anything that grants trust. Operations use
   * `options.confirmInMain ?? refuseWithoutPrompt` (./confirmInMain): without one, no.
   */
  confirmInMain?: ConfirmInMain;
}

export function createHandlers(core: ReplicaDesk, options: HandlerOptions = {}): Handlers {
  const sessions = options.sessions ?? new RestoreSessions(core.restore, options.emit ?? (() => undefined), core.log);
  const impl: Implementations = {
    listInstallations: () => core.profiles.list(),
    saveInstallation: (r) => core.profiles.save(r),
    deleteInstallation: async (r) => {
      await core.profiles.delete(r.name);
      return { deleted: r.name };
    },
    validateInstallation: (r) => core.profiles.validate(r.installation),
    importProfiles: (r) => core.profiles.importText(r.text, { replace: r.replace }),
    exportProfiles: () => core.profiles.exportFile(),
    secretStatus: (r) => core.secrets.status(r.ref),
    setSecret: async (r) => {
      await core.secrets.set(r.ref, r.kind, new Secret(r.value));
      return core.secrets.status(r.ref);
    },
    deleteSecret: async (r) => {
      await core.secrets.delete(r.ref, r.kind);
      return core.secrets.status(r.ref);
    },
    // Trust: the admin answers in main (a native dialog), never the renderer; rebinds only on yes.
    confirmSecretEndpoint: async (r) => {
      const check = await core.secrets.check(r.ref, r.kind);
      if (check.stored && !check.matches) {
        const text = endpointChangeText(r.ref, r.kind, check.enteredFor, check.current);
        const confirmInMain = options.confirmInMain ?? refuseWithoutPrompt;
        if (!(await confirmInMain({ title: 'Use the stored secret for a new endpoint?', ...text, confirmLabel: 'Use it for the new endpoint' }))) {
          return { confirmed: false, status: await core.secrets.status(r.ref) };
        }
      }
      await core.secrets.confirmEndpoint(r.ref, r.kind, check.current);
      return { confirmed: true, status: await core.secrets.status(r.ref) };
    },
    testConnection: (r) => core.testConnection(r.ref),
    prepareRestore: (r) =>
      sessions.prepare({ installation: r.installation, replicas: r.replicas, ...(r.fromBackup ? { fromBackup: r.fromBackup } : {}), ...(r.mode ? { mode: r.mode } : {}) }),
    startRestore: (r) => sessions.start(r.planId, r.confirmations),
    resumeRun: (r) => sessions.resume(r.runId),
    cancelRun: (r) => ({ cancelled: sessions.cancel(r.runId) }),
    answerConfirmation: (r) => ({ answered: sessions.answer(r.requestId, r.confirmed) }),
    listRuns: (r) => core.restore.list({ ...(r.installation ? { installation: r.installation } : {}), ...(r.limit ? { limit: r.limit } : {}) }),
    listRunPage: (r) => core.restore.page({ ...(r.installation ? { installation: r.installation } : {}), limit: r.limit, offset: r.offset }),
    showRun: (r) => core.restore.record(r.runId, true),
    exportRunReport: (r) => formatRunReport(core.restore.record(r.runId, true), r.format),
    probeTopology: (r) => core.topology.probe(r.installation, r.timeoutMs ? { timeoutMs: r.timeoutMs } : {}),
    cachedTopology: (r) => core.topology.cached(r.installation),
    probeHostKey: (r) => core.fetchHostKey(r),
    getSettings: () => core.settings.all(),
    updateSettings: (r) => core.settings.update(r.settings),
    deleteRunDump: (r) => deleteRunDump(core, options.confirmInMain ?? refuseWithoutPrompt, r.runId),
    listCommands: (r) => {
      const target = parseApprovalTarget(r.ref);
      if (!target) throw new InvalidInputError(`"${r.ref}" is not an installation or installation/server.`);
      return core.commands.list(target);
    },
    approveCommands: (r) => approveCommandsInMain(core, options.confirmInMain ?? refuseWithoutPrompt, r.ref),
    prepareRollback: (r) => sessions.prepareRollback({ runId: r.runId, replicas: r.replicas }),
    discardKeptSchema: (r) => discardKeptSchemaInMain(core, options.confirmInMain ?? refuseWithoutPrompt, r.runId, r.replica),
    keychainHealth: () => core.keychainHealth(),
  };

  const wrap = <Op extends Operation>(op: Op): Handler<Op> => {
    const schema = requestSchemas[op];
    return async (request: unknown) => {
      const parsed = schema.safeParse(request ?? {});
      if (!parsed.success) {
        return fail({
          code: 'invalid-request',
          message: `The request for ${op} is malformed.`,
          hint: 'This is a bug in the caller; the request was not run.',
          problems: parsed.error.issues.map((i) => ({ path: jsonPath(i.path), message: i.message })),
        });
      }
      try {
        const run = impl[op] as (r: unknown) => Promise<Responses[Op]> | Responses[Op];
        return ok(await run(parsed.data));
      } catch (e) {
        const error = toErrorPayload(e);
        if (error.code === 'internal') core.log.error(`${op} failed`, { error: String(e instanceof Error ? e.stack : e) });
        return fail(error);
      }
    };
  };

  return Object.fromEntries(
    (Object.keys(requestSchemas) as Operation[]).map((op) => [op, wrap(op)]),
  ) as Handlers;
}
