// A stand-in for a CoreMedia server process: it holds one database connection open the way
// a running Content Server does, so a restore can see it in pg_stat_activity, and goes away
// cleanly on SIGTERM. Started and stopped by the control commands of standInServer.ts (a file of this name would shadow that module in imports).
//
//   node standInServerProcess.mjs --pidfile FILE --conninfo-file FILE
//
// The conninfo file is JSON: { host, port, database, user, applicationName, pgpassFile }.
// The password comes from that pgpass file (PGPASSFILE), never from argv or the environment.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import pg from 'pg';

function option(name) {
  const i = process.argv.indexOf(name);
  const value = i >= 0 ? process.argv[i + 1] : undefined;
  if (!value) {
    console.error(`usage: standInServerProcess.mjs --pidfile FILE --conninfo-file FILE (missing ${name})`);
    process.exit(2);
  }
  return value;
}

const pidFile = option('--pidfile');
const conninfo = JSON.parse(readFileSync(option('--conninfo-file'), 'utf8'));
if (conninfo.pgpassFile) process.env.PGPASSFILE = conninfo.pgpassFile;
const failedFile = `${pidFile}.failed`;

const client = new pg.Client({
  host: conninfo.host,
  port: conninfo.port,
  database: conninfo.database,
  user: conninfo.user,
  application_name: conninfo.applicationName,
});

let stopping = false;
async function shutdown(code, reason) {
  if (stopping) return;
  stopping = true;
  if (reason) {
    console.error(`stand-in server ${process.pid}: ${reason}`);
    writeFileSync(failedFile, `${reason}\n`);
  }
  await client.end().catch(() => undefined);
  // Last: a pid file that is gone means the connection is closed.
  rmSync(pidFile, { force: true });
  console.error(`stand-in server ${process.pid}: stopped`);
  process.exit(code);
}

process.on('SIGTERM', () => void shutdown(0));
process.on('SIGINT', () => void shutdown(0));
client.on('error', (error) => void shutdown(1, `database connection failed: ${error.message}`));
client.on('end', () => void shutdown(1, 'database connection closed by the server'));

try {
  await client.connect();
  await client.query('SELECT 1');
} catch (error) {
  await shutdown(1, `cannot connect to ${conninfo.user}@${conninfo.host}:${conninfo.port}/${conninfo.database}: ${error.message}`);
}

const temporary = `${pidFile}.${process.pid}.tmp`;
writeFileSync(temporary, `${process.pid}\n`);
renameSync(temporary, pidFile);
console.error(`stand-in server ${process.pid}: running, connected as ${conninfo.user}`);
