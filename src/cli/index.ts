// Entry point of the `replica-desk` command (bin/replica-desk.js loads the built copy).
import { runCli } from './main';

declare const __REPLICA_DESK_VERSION__: string | undefined;
const version = typeof __REPLICA_DESK_VERSION__ === 'string' ? __REPLICA_DESK_VERSION__ : 'dev';

/**
 * Exits once the output is flushed. The command's work is over by then; a handle left
 * behind (a keychain call stuck on an unlock prompt past its timeout, a socket of a frozen
 * network) must not keep the process alive.
 */
function exitWhenFlushed(code: number): void {
  process.exitCode = code;
  let pending = 2;
  const done = () => {
    pending -= 1;
    if (pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

runCli(process.argv.slice(2), { env: process.env, stdin: process.stdin, version }).then(exitWhenFlushed, (e: unknown) => {
  process.stderr.write(`replica-desk: unexpected failure: ${e instanceof Error ? e.message : String(e)}\n`);
  exitWhenFlushed(1);
});
