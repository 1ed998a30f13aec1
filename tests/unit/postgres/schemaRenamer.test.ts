// The schema renamer on tricky SQL. Every input is also fed in 1-, 3- and 7-byte chunks:
// the output must not depend on where pg_restore's pipe happens to split the script.
import { describe, expect, it } from 'vitest';
import { UnsafeDumpError } from '../../../src/main/core/postgres/schemaRenamer';
import { SchemaRenamingStream } from '../../../src/main/core/postgres/schemaRenamingStream';

async function renameOnce(input: Buffer, chunk: number, source: string, target: string): Promise<{ output: Buffer; copies: string[] }> {
  const copies: string[] = [];
  const stream = new SchemaRenamingStream({ source, target, onCopy: (t) => copies.push(t) });
  const out: Buffer[] = [];
  stream.on('data', (b: Buffer) => out.push(b));
  const done = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  for (let i = 0; i < input.length; i += chunk) stream.write(input.subarray(i, i + chunk));
  stream.end();
  await done;
  return { output: Buffer.concat(out), copies };
}

async function renameBuffer(input: Buffer, source = 'cm_master', target = 'cm_replication'): Promise<{ output: Buffer; copies: string[] }> {
  const whole = await renameOnce(input, input.length || 1, source, target);
  for (const chunk of [1, 3, 7]) {
    const split = await renameOnce(input, chunk, source, target);
    expect(split.output.equals(whole.output)).toBe(true);
    expect(split.copies).toEqual(whole.copies);
  }
  return whole;
}

const rename = async (sql: string, source?: string, target?: string): Promise<string> =>
  (await renameBuffer(Buffer.from(sql, 'utf8'), source, target)).output.toString('utf8');

async function refusal(sql: string, source?: string): Promise<UnsafeDumpError> {
  const error = await rename(sql, source).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UnsafeDumpError);
  return error as UnsafeDumpError;
}

describe('schema qualifiers', () => {
  it('rewrites qualifiers and the object of SCHEMA, nothing else', async () => {
    const sql = [
      'CREATE SCHEMA cm_master;',
      "COMMENT ON SCHEMA cm_master IS 'the cm_master schema';",
      'CREATE TABLE cm_master.article (id bigint, cm_master integer, "cm_master" text, cm_master_x int);',
      'ALTER SEQUENCE cm_master.ident_s_seq OWNED BY cm_master.ident.s;',
      'COMMENT ON COLUMN cm_master.article.cm_master IS $$cm_master.article$$;',
      'ALTER TABLE ONLY cm_master.picture ADD CONSTRAINT p_fkey FOREIGN KEY (id) REFERENCES cm_master.resources(id);',
      'CREATE INDEX i ON cm_master_x.t USING btree (xcm_master);',
      'ALTER DEFAULT PRIVILEGES IN SCHEMA cm_master GRANT SELECT ON TABLES TO cm_master;',
      '',
    ].join('\n');
    expect(await rename(sql)).toBe(
      [
        'CREATE SCHEMA "cm_replication";',
        `COMMENT ON SCHEMA "cm_replication" IS 'the cm_master schema';`,
        'CREATE TABLE "cm_replication".article (id bigint, cm_master integer, "cm_master" text, cm_master_x int);',
        'ALTER SEQUENCE "cm_replication".ident_s_seq OWNED BY "cm_replication".ident.s;',
        'COMMENT ON COLUMN "cm_replication".article.cm_master IS $$cm_master.article$$;',
        'ALTER TABLE ONLY "cm_replication".picture ADD CONSTRAINT p_fkey FOREIGN KEY (id) REFERENCES "cm_replication".resources(id);',
        'CREATE INDEX i ON cm_master_x.t USING btree (xcm_master);',
        'ALTER DEFAULT PRIVILEGES IN SCHEMA "cm_replication" GRANT SELECT ON TABLES TO cm_master;',
        '',
      ].join('\n'),
    );
  });

  it('folds unquoted names and matches quoted ones exactly', async () => {
    expect(await rename('CREATE TABLE CM_Master.T (a int);\nCREATE TABLE "CM_MASTER".t (a int);\nCREATE TABLE cm_master . "Mixed" (a int);\n')).toBe(
      'CREATE TABLE "cm_replication".T (a int);\nCREATE TABLE "CM_MASTER".t (a int);\nCREATE TABLE "cm_replication" . "Mixed" (a int);\n',
    );
    // A mixed-case source schema only ever appears quoted; an unquoted spelling is another schema.
    expect(await rename('CREATE TABLE "Cm_Master"."System" (a int);\nCREATE TABLE cm_master.t (a int);\n', 'Cm_Master', 'Cm "Replica"')).toBe(
      'CREATE TABLE "Cm ""Replica"""."System" (a int);\nCREATE TABLE cm_master.t (a int);\n',
    );
  });

  it('leaves comments and every kind of literal alone', async () => {
    const sql = [
      '-- Name: cm_master.t; Schema: cm_master',
      "/* cm_master.a /* nested cm_master.b; */ 'still a comment; */",
      "CREATE TABLE cm_master.t (a text DEFAULT 'cm_master.x'::text, b text DEFAULT E'it\\'s cm_master.y;', c text DEFAULT U&'cm_master.z',",
      "  d bit(4) DEFAULT B'0101', e bytea DEFAULT X'ff'::bytea, f text DEFAULT N'cm_master.q' /* ; */, g text DEFAULT $x$ ; ' cm $x$);",
      '',
    ].join('\n');
    expect(await rename(sql)).toBe(sql.replace('CREATE TABLE cm_master.t', 'CREATE TABLE "cm_replication".t'));
  });

  it('refuses names it cannot place safely', async () => {
    await refusal('CREATE TABLE cm_master.cm_master (a int);\n');
    await refusal('CREATE VIEW cm_master.v AS SELECT x.cm_master.col FROM t;\n');
    await refusal('CREATE TABLE U&"cm_master".t (a int);\n');
  });
});

describe('relation names in literals', () => {
  it('rewrites regclass literals and sequence function arguments', async () => {
    const sql = [
      "CREATE TABLE cm_master.r (id bigint DEFAULT nextval('cm_master.resource_id_seq'::regclass) NOT NULL);",
      "SELECT pg_catalog.setval('cm_master.resource_id_seq', 25, true);",
      `SELECT pg_catalog.setval('"cm_master"."Seq''s"', 1, false);`,
      "CREATE TABLE cm_master.s (n oid DEFAULT 'cm_master'::regnamespace, r oid DEFAULT 'cm_master'::regrole, t text DEFAULT 'cm_master.x'::text);",
      '',
    ].join('\n');
    expect(await rename(sql)).toBe(
      [
        `CREATE TABLE "cm_replication".r (id bigint DEFAULT nextval('"cm_replication".resource_id_seq'::regclass) NOT NULL);`,
        `SELECT pg_catalog.setval('"cm_replication".resource_id_seq', 25, true);`,
        `SELECT pg_catalog.setval('"cm_replication"."Seq''s"', 1, false);`,
        `CREATE TABLE "cm_replication".s (n oid DEFAULT '"cm_replication"'::regnamespace, r oid DEFAULT 'cm_master'::regrole, t text DEFAULT 'cm_master.x'::text);`,
        '',
      ].join('\n'),
    );
  });

  it('refuses a SELECT that passes a source-qualified name it does not understand', async () => {
    await refusal("SELECT pg_catalog.some_function('cm_master.t');\n");
    await refusal("CREATE TABLE cm_master.r (id bigint DEFAULT nextval(U&'cm_master.seq'::regclass));\n");
  });
});

describe('COPY data', () => {
  it('passes data through byte for byte, whatever it contains', async () => {
    const data = Buffer.concat([
      Buffer.from('1\tcm_master.article\t\\\\.\n'),
      Buffer.from("2\t'; DROP SCHEMA cm_master CASCADE; --\t\\.x\n"),
      Buffer.from('3\t\\\\x636d5f6d61737465722e\t'),
      Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x0a]),
      Buffer.from('4\tCOPY cm_master.t FROM stdin;\t\\N\r\n'),
    ]);
    const input = Buffer.concat([
      Buffer.from('COPY cm_master."Blob Data" (id, cm_master, data) FROM stdin;\n'),
      data,
      Buffer.from('\\.\nSELECT pg_catalog.setval(\'cm_master.s\', 4, true);\n'),
    ]);
    const { output, copies } = await renameBuffer(input);
    expect(copies).toEqual(['"cm_replication"."Blob Data"']);
    const header = Buffer.from('COPY "cm_replication"."Blob Data" (id, cm_master, data) FROM stdin;\n');
    expect(output.subarray(0, header.length).equals(header)).toBe(true);
    expect(output.subarray(header.length, header.length + data.length).equals(data)).toBe(true);
    expect(output.subarray(header.length + data.length).toString()).toBe('\\.\nSELECT pg_catalog.setval(\'"cm_replication".s\', 4, true);\n');
  });

  it('handles empty tables, CRLF end lines and consecutive blocks', async () => {
    const sql = 'COPY cm_master.a (x) FROM stdin;\n\\.\nCOPY cm_master.b (x) FROM stdin;\r\nb1\r\n\\.\r\nCOPY cm_master.c (x) FROM stdin;\nc1\n\\.\n';
    const { output, copies } = await renameBuffer(Buffer.from(sql));
    expect(copies).toEqual(['"cm_replication".a', '"cm_replication".b', '"cm_replication".c']);
    expect(output.toString()).toBe(sql.replace(/cm_master\./g, '"cm_replication".'));
  });

  it('refuses COPY forms pg_dump does not write, and a script that ends inside data', async () => {
    await refusal("COPY cm_master.t (x) FROM stdin WITH (FORMAT csv);\n\\.\n");
    await refusal("COPY cm_master.t (x) FROM '/etc/passwd';\n");
    await expect(rename('COPY cm_master.t (x) FROM stdin;\nrow\n')).rejects.toThrow(/ended inside the data/);
  });
});

describe('statements', () => {
  it('keeps a BEGIN ATOMIC body with its semicolons in one statement', async () => {
    const sql =
      'CREATE FUNCTION cm_master.f(a integer) RETURNS integer LANGUAGE sql\nBEGIN ATOMIC\n SELECT CASE WHEN a > 0 THEN 1 ELSE 2 END;\n SELECT (a + 1) FROM cm_master.t;\nEND;\n';
    expect(await rename(sql)).toBe(sql.replace(/cm_master\./g, '"cm_replication".'));
  });

  it('passes \\restrict and \\unrestrict, and follows standard_conforming_strings', async () => {
    const sql = [
      '\\restrict AbC123',
      'SET standard_conforming_strings = off;',
      "COMMENT ON TABLE cm_master.t IS 'it\\'s; cm_master.x';",
      'SET standard_conforming_strings = on;',
      "COMMENT ON TABLE cm_master.u IS 'C:\\';",
      '\\unrestrict AbC123',
      '',
    ].join('\n');
    expect(await rename(sql)).toBe(sql.replace(/ON TABLE cm_master\./g, 'ON TABLE "cm_replication".'));
  });

  it('passes a latin1 script byte for byte', async () => {
    const input = Buffer.concat([
      Buffer.from("SET client_encoding = 'LATIN1';\nCOMMENT ON TABLE cm_master.t IS '"),
      Buffer.from([0xe4, 0xf6, 0xfc]),
      Buffer.from("';\n"),
    ]);
    const { output } = await renameBuffer(input);
    expect(output.equals(Buffer.from(input.toString('latin1').replace('cm_master.t', '"cm_replication".t'), 'latin1'))).toBe(true);
  });

  it.each([
    ['a search_path naming the source', 'SET search_path = cm_master, public;\n'],
    ['set_config of search_path', "SELECT pg_catalog.set_config('search_path', 'cm_master', false);\n"],
    ['a function SET clause', "CREATE FUNCTION cm_master.f() RETURNS int LANGUAGE sql SET search_path TO 'cm_master' AS $$ SELECT 1 $$;\n"],
    ['a function body that names the source', 'CREATE FUNCTION cm_master.f() RETURNS int LANGUAGE sql AS $$ SELECT count(*) FROM cm_master.t $$;\n'],
    ['a psql connect', '\\connect other\n'],
    ['transaction control', 'COMMIT;\n'],
    ['a drop', 'DROP TABLE cm_master.t;\n'],
    ['a role switch', 'SET SESSION AUTHORIZATION cm_master;\n'],
    ['a database change', 'ALTER DATABASE coremedia SET search_path = cm_master;\n'],
    ['a DO block', "DO $$ BEGIN PERFORM 1; END $$;\n"],
  ])('refuses %s', async (_what, sql) => {
    await refusal(sql);
  });

  it('allows the search_path reset pg_restore writes', async () => {
    const sql = "SELECT pg_catalog.set_config('search_path', '', false);\nSET SESSION statement_timeout = 0;\n";
    expect(await rename(sql)).toBe(sql);
  });

  it('rejects a script that ends inside a statement or a string', async () => {
    await expect(rename('CREATE TABLE cm_master.t (a int)')).rejects.toThrow(/ended inside a statement/);
    await expect(rename("COMMENT ON TABLE cm_master.t IS 'open;\n")).rejects.toThrow(/ended inside a statement/);
  });
});
