// Which SSH agent to offer ssh2: the one SSH_AUTH_SOCK names (an OpenSSH agent socket, or on
// Windows a named pipe such as \\.\pipe\openssh-ssh-agent), else Pageant on Windows, else none.

export function sshAgentFor(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string | undefined {
  if (env.SSH_AUTH_SOCK) return env.SSH_AUTH_SOCK;
  return platform === 'win32' ? 'pageant' : undefined;
}
