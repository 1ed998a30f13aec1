// The second half of the restore's in-transaction check (the first, restoreEpilogue in
// restoreTarget.ts, proves the catalog changed only inside the target schema): the restore
// wrote no rows outside the target schema either. The renamer points every reference in
// the script at the target, but a script can still write elsewhere through what it does not
// see: a CHECK constraint or default that calls a function in another schema, whose body
// inserts into the master's tables. Such a write takes a RowExclusiveLock (or stronger) on
// the table, held by this session until the transaction ends, and is counted in the
// transaction's own statistics; this check reads both and raises an error, so psql stops
// and the whole restore rolls back.
import { dollarQuote } from './dollarQuote';
import { VERIFICATION_FAILED_PREFIX } from './restoreTarget';

/** A literal that reads the same whatever standard_conforming_strings the script left set. */
const escapeLiteral = (text: string): string => `E'${text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

/**
 * A DO block that raises `VERIFICATION_FAILED_PREFIX: the restore wrote to tables outside
 * schema …` when this session's transaction wrote to a relation outside `target`.
 *
 * Not counted as writes: pg_catalog (the catalog check covers it), pg_toast (a write to a
 * table's TOAST also locks the table itself, which is checked), and this session's
 * temporary schemas (invisible to anyone else). Locks are the complete evidence: they also
 * show TRUNCATE, setval/nextval on another schema's sequence, and DDL on a table that the
 * catalog check sees only through its row; the statistics name the tables with rows
 * inserted, updated or deleted, whatever lock a future server version may take.
 */
export function restoreWriteCheck(target: string): string {
  const t = escapeLiteral(target);
  const block = `
DECLARE
  problem text;
BEGIN
  SELECT string_agg(d, '; ') INTO problem FROM (
    SELECT DISTINCT c.oid::pg_catalog.regclass::text || ' (' || l.mode || ')' AS d
      FROM pg_catalog.pg_locks l
      JOIN pg_catalog.pg_class c ON c.oid = l.relation
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE l.locktype = 'relation' AND l.pid = pg_catalog.pg_backend_pid()
       AND l.mode IN ('RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock')
       AND n.nspname <> ${t}
       AND n.nspname NOT IN ('pg_catalog', 'pg_toast')
       AND n.oid <> pg_catalog.pg_my_temp_schema()
       AND n.nspname !~ '^pg_toast_temp_'
    UNION
    SELECT s.relid::pg_catalog.regclass::text || ' (' || s.n_tup_ins || ' inserted, ' || s.n_tup_upd || ' updated, ' || s.n_tup_del || ' deleted)'
      FROM pg_catalog.pg_stat_xact_all_tables s
     WHERE s.n_tup_ins + s.n_tup_upd + s.n_tup_del > 0
       AND s.schemaname <> ${t}
       AND s.schemaname NOT IN ('pg_catalog', 'pg_toast')
       AND s.schemaname !~ '^pg_(toast_)?temp_'
     ORDER BY 1
     LIMIT 10) AS found;
  IF problem IS NOT NULL THEN
    RAISE EXCEPTION '${VERIFICATION_FAILED_PREFIX}: the restore wrote to tables outside schema %: %', ${t}, problem;
  END IF;
END
`;
  return `
DO ${dollarQuote(block)};
`;
}
