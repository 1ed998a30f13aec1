// Two real OpenSSH servers on loopback standing for a production network's way in: a
// bastion, and a jump host behind it that reaches the databases. Each lets a forward go
// only where the route needs it (the bastion only to the jump host, the jump host only to
// the listed databases: PermitOpen), and logs every direct-tcpip channel (LogLevel DEBUG1),
// so a test can show where the traffic went. Gives the profile's `db.tunnel` for the route,
// and cuts the route the way a network does (the jump host's sessions killed).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startSshd, type Sshd } from './sshd';

export interface DbAddress {
  host: string;
  port: number;
}

export interface SshBastion {
  bastion: Sshd;
  jump: Sshd;
  /** `db.tunnel` for a profile: via the jump host, after the bastion; hostKey pinned on both unless overridden. */
  tunnel(overrides?: { jumpHostKey?: string }): Record<string, unknown>;
  /** How many direct-tcpip channels `sshd` opened to `target` (from its DEBUG1 log). */
  channelsTo(sshd: Sshd, target: DbAddress): number;
  /** sshd's per-connection processes (children of its listener): established sessions. */
  sessionPids(sshd: Sshd): number[];
  /** Kills the jump host's established sessions, as a network cut or a reboot would (its listener stays). */
  cutJump(): void;
  /** The pid of the process owning the local end of TCP connection `127.0.0.1:localPort` (ss -tnp), or null. */
  ownerOfLocalPort(localPort: number): number | null;
  stop(): Promise<void>;
}

const listenerPid = (sshd: Sshd): number => Number(readFileSync(join(dirname(sshd.logFile), 'sshd.pid'), 'utf8').trim());

function childrenOf(pid: number): number[] {
  // ps exits 1 when it lists nothing.
  return (spawnSync('ps', ['--ppid', String(pid), '-o', 'pid='], { encoding: 'utf8' }).stdout ?? '').split('\n').map(Number).filter((n) => n > 0);
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Starts the jump host (PermitOpen: the databases) first, then the bastion (PermitOpen: the jump host). */
export async function startSshBastion(databases: DbAddress[]): Promise<SshBastion> {
  const jump = await startSshd({ logLevel: 'DEBUG1', extraConfig: [`PermitOpen ${databases.map((d) => `${d.host}:${d.port}`).join(' ')}`] });
  let bastion: Sshd;
  try {
    bastion = await startSshd({ logLevel: 'DEBUG1', extraConfig: [`PermitOpen ${jump.host}:${jump.port}`] });
  } catch (error) {
    await jump.stop();
    throw error;
  }
  const hop = (sshd: Sshd, hostKey = sshd.hostKeyFingerprint) => ({ hostname: sshd.host, port: sshd.port, user: sshd.user, identityFile: sshd.identityFile, hostKey });
  return {
    bastion,
    jump,
    tunnel: (overrides = {}) => ({ via: 'ssh', ...hop(jump, overrides.jumpHostKey), jumpHosts: [hop(bastion)] }),
    channelsTo(sshd, target) {
      // OpenSSH (DEBUG1): "server_request_direct_tcpip: originator 127.0.0.1 port 0, target 127.0.0.1 port 5432"
      const pattern = new RegExp(`server_request_direct_tcpip: originator \\S+ port \\d+, target ${escape(target.host)} port ${target.port}\\b`, 'g');
      return (readFileSync(sshd.logFile, 'utf8').match(pattern) ?? []).length;
    },
    sessionPids: (sshd) => childrenOf(listenerPid(sshd)),
    cutJump() {
      for (const pid of childrenOf(listenerPid(jump))) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
    },
    ownerOfLocalPort(localPort) {
      const out = spawnSync('ss', ['-Htnp', 'state', 'established', `( sport = :${localPort} )`], { encoding: 'utf8' }).stdout ?? '';
      const match = /pid=(\d+)/.exec(out);
      return match ? Number(match[1]) : null;
    },
    async stop() {
      await Promise.allSettled([bastion.stop(), jump.stop()]);
    },
  };
}
