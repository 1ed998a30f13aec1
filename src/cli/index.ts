// Entry point of the `replica-desk` command (bin/replica-desk.js loads the built copy).
import { runCli } from './main';

declare const __REPLICA_DESK_VERSION__: string | undefined;
const version = typeof __REPLICA_DESK_VERSION__ === 'string' ? __REPLICA_DESK_VERSION__ : 'dev';

runCli(process.argv.slice(2), { env: process.env, stdin: process.stdin, version }).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`replica-desk: unexpected failure: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
