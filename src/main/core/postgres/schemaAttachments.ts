// What is attached to a schema by OID and has to follow its NAME when a swap renames it
// (see schemaSwap.ts for the whole list of what depends on names and what on OIDs):
// the schema's ACL (USAGE/CREATE granted to other roles), its comment, the default
// privileges defined IN SCHEMA it, and the grants on its tables, views and sequences. And
// what cannot follow: objects in OTHER schemas that depend on objects of this one (views,
// foreign keys, publications, extensions) — they keep pointing at the OID, i.e. at the
// schema that is set aside, so a swap refuses while they exist.
//
// Every statement is generated server-side with format('%I', …), run on the caller's
// connection (inside its transaction), and carries "replace" semantics: the target ends up
// with exactly the source's grants for every object that has a counterpart by name.
import type { ClientBase } from 'pg';

export interface CarriedOver {
  /** The statements that were run, in order (for the run log and the plan). */
  statements: string[];
  /** What the carry-over does not handle and was found in the source schema. */
  warnings: string[];
}

const GRANTEE = `CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.rolname) END`;
const GRANT_OPTION = `CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END`;
const REL_WORD = `CASE WHEN c.relkind = 'S' THEN 'SEQUENCE' ELSE 'TABLE' END`;

async function statementsOf(client: ClientBase, sql: string, params: unknown[]): Promise<string[]> {
  const { rows } = await client.query<{ s: string }>(sql, params);
  return rows.map((r) => r.s);
}

/** REVOKEs of every non-owner grant on `to` and its matching objects, then the GRANTs `from` has. */
async function grantStatements(client: ClientBase, from: string, to: string): Promise<string[]> {
  const schemaRevokes = await statementsOf(
    client,
    `SELECT DISTINCT pg_catalog.format('REVOKE ALL ON SCHEMA %I FROM %s CASCADE', n.nspname, ${GRANTEE}) AS s
       FROM pg_catalog.pg_namespace n CROSS JOIN LATERAL pg_catalog.aclexplode(n.nspacl) a
       LEFT JOIN pg_catalog.pg_roles r ON r.oid = a.grantee
      WHERE n.nspname = $1 AND a.grantee <> n.nspowner ORDER BY 1`,
    [to],
  );
  const schemaGrants = await statementsOf(
    client,
    `SELECT pg_catalog.format('GRANT %s ON SCHEMA %I TO %s%s', string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type), $2::text, ${GRANTEE}, ${GRANT_OPTION}) AS s
       FROM pg_catalog.pg_namespace n CROSS JOIN LATERAL pg_catalog.aclexplode(n.nspacl) a
       LEFT JOIN pg_catalog.pg_roles r ON r.oid = a.grantee
      WHERE n.nspname = $1 AND a.grantee <> n.nspowner
      GROUP BY a.grantee, r.rolname, a.is_grantable ORDER BY 1`,
    [from, to],
  );
  // Relations are matched by name and by sequence-or-not, the only kinds GRANT tells apart.
  const pairs = `
    SELECT s.oid AS src, t.oid AS dst, t.relname, t.relkind, t.relowner AS dst_owner
      FROM pg_catalog.pg_class s
      JOIN pg_catalog.pg_class t ON t.relname = s.relname AND (t.relkind = 'S') = (s.relkind = 'S')
     WHERE s.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1)
       AND t.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $2)
       AND s.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND t.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')`;
  const relationRevokes = await statementsOf(
    client,
    `WITH pairs AS (${pairs})
     SELECT DISTINCT pg_catalog.format('REVOKE ALL ON %s %I.%I FROM %s CASCADE', ${REL_WORD}, $2::text, c.relname, ${GRANTEE}) AS s
       FROM pairs p JOIN pg_catalog.pg_class c ON c.oid = p.dst
       CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) a
       LEFT JOIN pg_catalog.pg_roles r ON r.oid = a.grantee
      WHERE a.grantee <> c.relowner ORDER BY 1`,
    [from, to],
  );
  const relationGrants = await statementsOf(
    client,
    `WITH pairs AS (${pairs})
     SELECT pg_catalog.format('GRANT %s ON %s %I.%I TO %s%s', string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type), ${REL_WORD}, $2::text, c.relname, ${GRANTEE}, ${GRANT_OPTION}) AS s
       FROM pairs p JOIN pg_catalog.pg_class c ON c.oid = p.src
       CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) a
       LEFT JOIN pg_catalog.pg_roles r ON r.oid = a.grantee
      WHERE a.grantee <> c.relowner
      GROUP BY c.relname, c.relkind, a.grantee, r.rolname, a.is_grantable ORDER BY 1`,
    [from, to],
  );
  return [...schemaRevokes, ...schemaGrants, ...relationRevokes, ...relationGrants];
}

const OBJECT_WORD = `CASE d.defaclobjtype WHEN 'r' THEN 'TABLES' WHEN 'S' THEN 'SEQUENCES' WHEN 'f' THEN 'FUNCTIONS' WHEN 'T' THEN 'TYPES' END`;

/** ALTER DEFAULT PRIVILEGES … IN SCHEMA: the target's removed, the source's added. */
async function defaultPrivilegeStatements(client: ClientBase, from: string, to: string): Promise<string[]> {
  const base = `
       FROM pg_catalog.pg_default_acl d
       JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace
       JOIN pg_catalog.pg_roles o ON o.oid = d.defaclrole
       CROSS JOIN LATERAL pg_catalog.aclexplode(d.defaclacl) a
       LEFT JOIN pg_catalog.pg_roles r ON r.oid = a.grantee
      WHERE n.nspname = $1 AND d.defaclobjtype IN ('r', 'S', 'f', 'T')`;
  const revokes = await statementsOf(
    client,
    `SELECT DISTINCT pg_catalog.format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA %I REVOKE ALL ON %s FROM %s CASCADE', o.rolname, n.nspname, ${OBJECT_WORD}, ${GRANTEE}) AS s ${base} ORDER BY 1`,
    [to],
  );
  const grants = await statementsOf(
    client,
    `SELECT pg_catalog.format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA %I GRANT %s ON %s TO %s%s', o.rolname, $2::text,
              string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type), ${OBJECT_WORD}, ${GRANTEE}, ${GRANT_OPTION}) AS s ${base}
      GROUP BY o.rolname, d.defaclobjtype, a.grantee, r.rolname, a.is_grantable ORDER BY 1`,
    [from, to],
  );
  return [...revokes, ...grants];
}

/** COMMENT ON SCHEMA `to` IS the comment of `from` (or NULL, which removes one). */
async function commentStatement(client: ClientBase, from: string, to: string): Promise<string[]> {
  return statementsOf(
    client,
    `SELECT pg_catalog.format('COMMENT ON SCHEMA %I IS %L', $2::text,
              (SELECT pg_catalog.obj_description(oid, 'pg_namespace') FROM pg_catalog.pg_namespace WHERE nspname = $1)) AS s
      WHERE pg_catalog.obj_description((SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1), 'pg_namespace') IS NOT NULL
         OR pg_catalog.obj_description((SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $2), 'pg_namespace') IS NOT NULL`,
    [from, to],
  );
}

/** Grants the carry-over leaves alone, so the caller can say so instead of losing them silently. */
async function uncarriedGrants(client: ClientBase, from: string): Promise<string[]> {
  const { rows } = await client.query<{ w: string }>(
    `SELECT 'column privileges on ' || c.relname || '.' || at.attname AS w
       FROM pg_catalog.pg_attribute at JOIN pg_catalog.pg_class c ON c.oid = at.attrelid
      WHERE c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1) AND at.attacl IS NOT NULL
     UNION ALL
     SELECT 'privileges on function ' || p.proname FROM pg_catalog.pg_proc p
      WHERE p.pronamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1) AND p.proacl IS NOT NULL
     UNION ALL
     SELECT 'privileges on type ' || t.typname FROM pg_catalog.pg_type t
      WHERE t.typnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1) AND t.typacl IS NOT NULL
     UNION ALL
     SELECT 'a security label on the schema' FROM pg_catalog.pg_seclabel l
      WHERE l.classoid = 'pg_catalog.pg_namespace'::regclass AND l.objoid = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1)
     ORDER BY 1 LIMIT 20`,
    [from],
  );
  return rows.map((r) => `${r.w} (not carried over to the swapped-in schema)`);
}

/**
 * Gives `to` what is attached to `from` by OID and belongs to the name: schema ACL,
 * comment, default privileges IN SCHEMA, and grants on same-named relations.
 * Runs on the caller's connection, so inside its transaction.
 */
export async function carryOverAttachments(client: ClientBase, from: string, to: string): Promise<CarriedOver> {
  const statements = [
    ...(await grantStatements(client, from, to)),
    ...(await defaultPrivilegeStatements(client, from, to)),
    ...(await commentStatement(client, from, to)),
  ];
  for (const statement of statements) await client.query(statement);
  return { statements, warnings: await uncarriedGrants(client, from) };
}

/**
 * Objects outside `schema` that depend on objects in it (or on the schema itself): views
 * and foreign keys in other schemas, publications, extensions installed in it. They are
 * bound by OID, so after a swap they would still read the set-aside schema, and a DROP …
 * CASCADE of the kept schema would drop them too.
 */
export async function externalDependents(client: ClientBase, schema: string): Promise<string[]> {
  const oid = (catalog: string): string => `'pg_catalog.${catalog}'::regclass::oid`;
  const { rows } = await client.query<{ d: string }>(
    // Runs inside the swap's transaction, while the replica is down: the schema and its
    // objects are joined to pg_depend through its (refclassid, refobjid) index. (An OR of IN
    // lists over pg_depend instead scans it and is costed high enough for JIT compilation:
    // hundreds of ms on every swap, the largest part of its transaction.)
    `WITH nsp AS (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1),
     refs AS (
       SELECT ${oid('pg_namespace')} AS classid, nsp.oid FROM nsp
       UNION ALL SELECT ${oid('pg_class')}, c.oid FROM pg_catalog.pg_class c JOIN nsp ON c.relnamespace = nsp.oid
       UNION ALL SELECT ${oid('pg_type')}, t.oid FROM pg_catalog.pg_type t JOIN nsp ON t.typnamespace = nsp.oid
       UNION ALL SELECT ${oid('pg_proc')}, p.oid FROM pg_catalog.pg_proc p JOIN nsp ON p.pronamespace = nsp.oid),
     dep AS (
       SELECT d.* FROM refs JOIN pg_catalog.pg_depend d ON d.refclassid = refs.classid AND d.refobjid = refs.oid
        WHERE d.deptype IN ('n', 'a'))
     SELECT DISTINCT
            -- a view's rule is named as the view; a column as its table
            (SELECT type || ' ' || identity FROM pg_catalog.pg_identify_object(
               CASE WHEN dep.classid = ${oid('pg_rewrite')} THEN ${oid('pg_class')} ELSE dep.classid END,
               CASE WHEN dep.classid = ${oid('pg_rewrite')} THEN (SELECT ev_class FROM pg_catalog.pg_rewrite WHERE oid = dep.objid) ELSE dep.objid END, 0))
            || ' depends on ' || (SELECT type || ' ' || identity FROM pg_catalog.pg_identify_object(dep.refclassid, dep.refobjid, 0)) AS d
       FROM dep, nsp
      WHERE (CASE dep.classid
               WHEN ${oid('pg_class')} THEN (SELECT relnamespace FROM pg_catalog.pg_class WHERE oid = dep.objid)
               WHEN ${oid('pg_rewrite')} THEN (SELECT c.relnamespace FROM pg_catalog.pg_rewrite w JOIN pg_catalog.pg_class c ON c.oid = w.ev_class WHERE w.oid = dep.objid)
               WHEN ${oid('pg_attrdef')} THEN (SELECT c.relnamespace FROM pg_catalog.pg_attrdef a JOIN pg_catalog.pg_class c ON c.oid = a.adrelid WHERE a.oid = dep.objid)
               WHEN ${oid('pg_constraint')} THEN (SELECT coalesce(c.relnamespace, k.connamespace) FROM pg_catalog.pg_constraint k LEFT JOIN pg_catalog.pg_class c ON c.oid = k.conrelid WHERE k.oid = dep.objid)
               WHEN ${oid('pg_trigger')} THEN (SELECT c.relnamespace FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid WHERE t.oid = dep.objid)
               WHEN ${oid('pg_policy')} THEN (SELECT c.relnamespace FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class c ON c.oid = p.polrelid WHERE p.oid = dep.objid)
               WHEN ${oid('pg_type')} THEN (SELECT typnamespace FROM pg_catalog.pg_type WHERE oid = dep.objid)
               WHEN ${oid('pg_proc')} THEN (SELECT pronamespace FROM pg_catalog.pg_proc WHERE oid = dep.objid)
               WHEN ${oid('pg_default_acl')} THEN nsp.oid -- carried over by name, not a dependent
             END) IS DISTINCT FROM nsp.oid
      ORDER BY 1 LIMIT 20`,
    [schema],
  );
  return rows.map((r) => r.d);
}
