// What the sandbox made, as one JSON document (`<dir>/sandbox.json`, mode 0600): every
// cluster, server, directory and file it created, recorded before (or as) each comes into
// being, so that `sandbox down` after a kill at any moment removes exactly those and nothing
// else. Passwords are never in it: the servers' live in the sandbox's pgpass file (and the
// keychain), each cluster's superuser password in a 0600 file the manifest names.
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { z } from 'zod';
import { ReplicaDeskError } from '../errors';

export const SANDBOX_MANIFEST_FILE = 'sandbox.json';

export const SANDBOX_SERVER_NAMES = ['mls', 'rls1', 'rls2'] as const;
export type SandboxServerName = (typeof SANDBOX_SERVER_NAMES)[number];
export const SANDBOX_CLUSTER_NAMES = ['a', 'b'] as const;
export type SandboxClusterName = (typeof SANDBOX_CLUSTER_NAMES)[number];

const ControlCommandsSchema = z.object({ start: z.string(), stop: z.string(), status: z.string() });

export const SandboxManifestClusterSchema = z.object({
  name: z.enum(SANDBOX_CLUSTER_NAMES),
  port: z.number().int().min(1).max(65535),
  dataDir: z.string(),
  /** The superuser's password, alone in a 0600 file. */
  superPasswordFile: z.string(),
  /** Holds the data directory, the server log, the unix socket and the password file. */
  root: z.string(),
  /** The unix socket directory ('' when the path would be too long for a socket). */
  socketDir: z.string(),
});

export const SandboxManifestServerSchema = z.object({
  name: z.enum(SANDBOX_SERVER_NAMES),
  role: z.enum(['master', 'replica']),
  layout: z.enum(['shared-database', 'database-per-server']),
  cluster: z.enum(SANDBOX_CLUSTER_NAMES),
  database: z.string(),
  schema: z.string(),
  user: z.string(),
  /** The stand-in server process's pid file, conninfo and log. */
  standInDir: z.string(),
  /** The server's $INSTALL_DIR (etc/keys/ holds key files). */
  installDir: z.string(),
  control: ControlCommandsSchema,
  /** Built behind the master's changelog head (the replica the topology flags as lagging). */
  builtStale: z.boolean(),
});

export const SandboxManifestSchema = z.object({
  version: z.literal(1),
  dir: z.string(),
  createdAt: z.string(),
  sizeMb: z.number(),
  pg: z.object({ binDir: z.string(), clientBinDir: z.string(), version: z.string() }),
  clusters: z.array(SandboxManifestClusterSchema),
  servers: z.array(SandboxManifestServerSchema),
  /** The master's key file (<installDir>/etc/keys/<database>.<user>.rijndael); null until written. */
  keyFile: z.string().nullable(),
  /** The servers' passwords (0600), read by the stand-ins through PGPASSFILE. */
  pgpassFile: z.string(),
  /**
   * Every file and directory the sandbox created, recorded before it is created; teardown
   * removes these and nothing else. Includes a directory outside `dir` when the clusters had
   * to live where the `postgres` user can reach them.
   */
  paths: z.array(z.string()),
  /** Whether the sandbox created `dir` itself (then teardown removes it once it is empty). */
  createdDir: z.boolean(),
}).superRefine((m, ctx) => {
  // Teardown removes these paths recursively: a damaged or edited manifest must not be able to
  // name anything but the sandbox's own directory and the cluster directory it may make outside it.
  const problem = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  if (!isAbsolute(m.dir) || normalize(m.dir) !== m.dir || m.dir === sep) return problem(['dir'], 'must be an absolute, normalised path other than /');
  const checks: Array<[(string | number)[], string]> = [
    ...m.paths.map((p, i): [(string | number)[], string] => [['paths', i], p]),
    ...m.clusters.flatMap((c, i): Array<[(string | number)[], string]> => [
      [['clusters', i, 'root'], c.root],
      [['clusters', i, 'dataDir'], c.dataDir],
    ]),
  ];
  for (const [path, value] of checks) if (!isSandboxPath(m.dir, value)) problem(path, `${value} is neither inside ${m.dir} nor a replica-desk-sandbox-* directory of the system's temporary directories`);
});

const OUTSIDE_ROOT = /^replica-desk-sandbox-[0-9a-f]{12}$/;

/** Inside `dir`, or inside (or being) a `replica-desk-sandbox-<hex>` directory directly under /var/tmp or the temporary directory. */
function isSandboxPath(dir: string, path: string): boolean {
  if (!isAbsolute(path) || normalize(path) !== path) return false;
  if (path === dir || path.startsWith(dir + sep)) return true;
  for (const tmp of new Set(['/var/tmp', tmpdir()])) {
    if (!path.startsWith(tmp + sep)) continue;
    let top = path;
    while (dirname(top) !== tmp && dirname(top) !== top) top = dirname(top);
    if (dirname(top) === tmp && OUTSIDE_ROOT.test(basename(top))) return true;
  }
  return false;
}

export type SandboxManifest = z.infer<typeof SandboxManifestSchema>;
export type SandboxManifestCluster = z.infer<typeof SandboxManifestClusterSchema>;
export type SandboxManifestServer = z.infer<typeof SandboxManifestServerSchema>;

export class SandboxManifestError extends ReplicaDeskError {
  constructor(file: string, detail: string) {
    super(
      'sandbox-manifest-invalid',
      `The sandbox's manifest ${file} cannot be read: ${detail}.`,
      'The sandbox records what it made in this file. Restore it from a backup, or remove what it lists by hand (clusters under the sandbox directory, stand-in processes) and delete the file.',
    );
  }
}

export const manifestPath = (dir: string): string => join(dir, SANDBOX_MANIFEST_FILE);

/** The manifest in `dir`, or null when there is none. */
export function readManifestFile(dir: string): SandboxManifest | null {
  const file = manifestPath(dir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new SandboxManifestError(file, (error as Error).message);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SandboxManifestError(file, `not JSON (${(error as Error).message})`);
  }
  const parsed = SandboxManifestSchema.safeParse(json);
  if (!parsed.success) throw new SandboxManifestError(file, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  if (parsed.data.dir !== dir) throw new SandboxManifestError(file, `it describes a sandbox in ${parsed.data.dir}, not in ${dir}`);
  return parsed.data;
}

/** Writes `<dir>/sandbox.json` atomically (temporary file, then rename), mode 0600. */
export function writeManifestFile(manifest: SandboxManifest): void {
  const file = manifestPath(manifest.dir);
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
}

export function removeManifestFile(dir: string): void {
  rmSync(manifestPath(dir), { force: true });
}
