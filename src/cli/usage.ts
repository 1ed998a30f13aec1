export const USAGE = `Usage: replica-desk <command> [options]

Profiles
  profiles import FILE [--replace] [--approve-commands]
                                       validate and import a profiles@1 file (all or nothing);
                                       lists new and changed control commands, which run only
                                       once approved (--approve-commands approves them all)
  profiles approve INSTALLATION[/SERVER] [--yes]
                                       show each control command in full and approve them
                                       after the name is typed back (--yes: without asking)
  profiles export [FILE]               write the profiles@1 file (no secrets) to FILE or stdout
  profiles list [--json]               installations and their servers
  profiles format [--json]             the profiles@1 format: every field, SSH tunnels, jump
                                       hosts, ~/.ssh/config aliases, secrets per hop

Secrets (OS keychain, service "replica-desk")
  secrets set INSTALLATION/SERVER KIND       read the secret from stdin (no echo on a TTY)
  secrets delete INSTALLATION/SERVER KIND    remove it
  secrets confirm INSTALLATION/SERVER KIND [--yes]
                                       let a stored secret go to the server's new endpoint
                                       (shows both, asks to type INSTALLATION/SERVER back)
                                       KIND: db, ssh (the server host), tunnel (the tunnel
                                       endpoint), ssh-jumpN / tunnel-jumpN (their jump hosts,
                                       N = 1..8 from this workstation)

Connections
  connection test INSTALLATION[/SERVER] [--json] [--host-keys]
                                       connect with the stored credentials and report the
                                       PostgreSQL version, the schema and repository_server_type
                                       and whether the connection is encrypted (TLS or not);
                                       through an SSH tunnel, every hop's outcome and host key;
                                       --host-keys only lists the key each SSH hop presents
                                       against the profile's pin

Topology
  topology [INSTALLATION] [--json] [--timeout-ms N] [--cached]
                                       probe every server at once (each step times out after
                                       N ms, default 5000): reachability, repository_server_type,
                                       replicator position and lag behind the master's changelog
                                       head, process status, last restore, and inconsistencies;
                                       --cached prints the last stored probe without probing

Restore (the vendor procedure, from one backup of the master)
  restore INSTALLATION [--replica NAME]... [--dry-run] [--yes] [--json]
          [--from-backup FILE] [--backup-dir DIR] [--pg-bin DIR] [--side-by-side | --in-place]
          [--lock-timeout SECONDS]
                                       preflight, plan, typed confirmation, then the run;
                                       --dry-run prints the plan and changes nothing;
                                       side-by-side is the default where possible: each
                                       replica is restored into a shadow schema while it
                                       serves, then stopped only to swap (the old schema is
                                       kept for rollback); the plan falls back to in-place,
                                       saying why, when a replica's role may not create a
                                       schema or its server lacks room for a second copy;
                                       --in-place demands the vendor's procedure (stop, drop,
                                       restore, start); --side-by-side demands side-by-side
                                       (a failed check then blocks the run);
                                       --lock-timeout: how long the swap waits for its
                                       schemas' table locks (default 10, 0.1-3600 s);
                                       Ctrl-C cancels (compensation runs)
  runs list [--installation NAME] [--limit N] [--offset N] [--json]
                                              restore history: every run, newest first, or a page
  runs show RUN_ID [--json]                   one run: steps, captured values, log
  runs resume RUN_ID [--yes]                  continue an interrupted, failed or cancelled run
  runs rollback RUN_ID [--replica NAME]... [--yes] [--json] [--lock-timeout SECONDS]
                                       undo a side-by-side run: stop each replica it swapped,
                                       swap its previous schema back in (the restored one is
                                       kept as <schema>__rd_undone_<runtag>), start, verify;
                                       a recorded run itself (resume, Ctrl-C cancels);
                                       --lock-timeout as for restore
  runs discard RUN_ID [--replica NAME]... [--yes] [--json]
                                       drop the schema the run keeps aside (the previous one,
                                       or after a rollback the restored one); asks to type
                                       INSTALLATION/SERVER back (--yes: without asking)
  runs kept [INSTALLATION] [--json]   every kept schema the replicas' databases hold, with sizes
  runs dumps [--installation NAME] [--json]   each run's dump of the master: size, or deleted
  runs prune [--keep N] [--installation NAME] [--dry-run] [--json]
                                       delete all but the newest N dumps of each installation
                                       (default: the dumpsKept setting, 2); never a dump a
                                       running or resumable run needs. Runs after every run too

Sandbox (a throwaway installation named "sandbox" on this workstation, to try everything)
  sandbox up [--size MB] [--dir DIR] [--json]
                                       build it, or reuse and repair what exists: PostgreSQL
                                       clusters on free loopback ports, a generated master of
                                       about MB (default 50, 1-20000), replicas in both layouts
                                       (one stale and lagging), stand-in servers with control
                                       commands, the key file, passwords in the keychain and
                                       the profile imported; DIR defaults to <data dir>/sandbox;
                                       progress on stderr; Ctrl-C cancels (run it again to
                                       finish, or \`sandbox down\`); refused while another
                                       \`sandbox up\`/\`down\` runs, or when an installation
                                       named "sandbox" exists that the sandbox did not create
  sandbox status [--json]              clusters, servers (running, layout, stale), keychain
                                       entries, profile, and what \`sandbox up\` would repair
  sandbox down [--json]                stop and remove everything the sandbox made, and only
                                       that (its runs stay in the history, marked [sandbox])

Global options
  --home DIR     data directory (default: REPLICA_DESK_HOME, then the desktop app's)
  --json         print one JSON document on stdout
  -h, --help     show this help
  --version      print the version

Exit codes: 0 success, 1 the operation failed, 2 bad usage or invalid input (nothing changed).
`;
