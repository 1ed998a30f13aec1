// Moves one statement of a pg_restore script from the source schema to the target schema.
// This is not text substitution: a name is rewritten only where SQL makes it a schema —
// a qualifier (`cm_master.tab`), the object of SCHEMA, or the schema part of a relation
// name in a '…'::regclass literal or a setval/nextval argument. A column, role or value
// that happens to read "cm_master" stays as it is. What cannot be rewritten safely
// (search_path naming the source, a transaction or session command, a DO block…) is refused.
import { ReplicaDeskError } from '../errors';
import { quoteIdent } from './catalog';
import { tokenizeFragment, type LexSettings, type Token } from './sqlLexer';

export class UnsafeDumpError extends ReplicaDeskError {
  constructor(reason: string, statement?: string) {
    const excerpt = statement ? ` In: ${statement.replace(/\s+/g, ' ').trim().slice(0, 200)}` : '';
    super(
      'unsafe-dump',
      `Replica Desk cannot move this dump to the replica's schema safely: ${reason}.${excerpt}`,
      'Nothing was restored. Make the dump with Replica Desk (or pg_dump --format=custom --schema of the master schema only) and try again; if the master schema really contains such an object, restore this replica by hand.',
    );
  }
}

export interface SchemaRename {
  source: string;
  target: string;
}

export interface RewrittenStatement {
  output: Buffer;
  /** Set for `COPY … FROM stdin;`: the table as written after the rewrite. */
  copyTable?: string;
  /** Set for `SET name = value` (lower-case name, unquoted value). */
  setting?: { name: string; value: string };
}

/** Tokens are compared as latin1 strings of their bytes: exact in any encoding. */
const bytesKey = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');
const asciiLower = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

function identifierName(buf: Buffer, t: Token): string | null {
  if (t.kind === 'ident') return asciiLower(buf.toString('latin1', t.start, t.end));
  if (t.kind === 'qident') return buf.toString('latin1', t.start + 1, t.end - 1).replace(/""/g, '"');
  return null;
}

const isWord = (buf: Buffer, t: Token | undefined, ...words: string[]): boolean =>
  t?.kind === 'ident' && words.includes(asciiLower(buf.toString('latin1', t.start, t.end)));

const REFUSED_FIRST_WORDS = new Set(['begin', 'start', 'commit', 'end', 'rollback', 'abort', 'savepoint', 'release', 'prepare', 'drop', 'truncate', 'do', 'call', 'vacuum', 'reindex', 'cluster', 'checkpoint', 'load', 'listen', 'notify', 'discard']);
const CLUSTER_OBJECTS = ['database', 'role', 'user', 'group', 'tablespace', 'system', 'subscription', 'publication', 'extension'];
const ROUTINES = ['function', 'procedure', 'aggregate'];
const RELATION_ARGUMENT_FUNCTIONS = ['setval', 'nextval', 'currval', 'pg_get_serial_sequence'];

interface Edit {
  start: number;
  end: number;
  bytes: Buffer;
}

export class StatementRewriter {
  readonly #source: string;
  readonly #targetBytes: Buffer;

  constructor(private readonly rename: SchemaRename) {
    this.#source = bytesKey(rename.source);
    this.#targetBytes = Buffer.from(quoteIdent(rename.target), 'utf8');
  }

  #isSource(buf: Buffer, t: Token | undefined): boolean {
    return t !== undefined && identifierName(buf, t) === this.#source;
  }

  /** Edits that point every schema qualifier (and SCHEMA object) naming the source at the target. */
  #qualifierEdits(buf: Buffer, tokens: Token[], statement: () => string): Edit[] {
    const edits: Edit[] = [];
    let expectSchemaName = false;
    for (let i = 0; i < tokens.length; i += 1) {
      const t = tokens[i] as Token;
      const prev = tokens[i - 1];
      const next = tokens[i + 1];
      if (t.kind === 'ident' || t.kind === 'qident') {
        if (this.#isSource(buf, t)) {
          if (next?.kind === 'dot') {
            if (prev?.kind === 'dot') throw new UnsafeDumpError(`a three-part name whose middle part is "${this.rename.source}"`, statement());
            if (this.#isSource(buf, tokens[i + 2])) throw new UnsafeDumpError(`an object named like the schema ("${this.rename.source}.${this.rename.source}") makes names ambiguous`, statement());
            edits.push({ start: t.start, end: t.end, bytes: this.#targetBytes });
          } else if (expectSchemaName) {
            edits.push({ start: t.start, end: t.end, bytes: this.#targetBytes });
          }
        }
        // SCHEMA is a keyword after these; elsewhere (a column list) it may be a column.
        if (isWord(buf, t, 'schema') && isWord(buf, prev, 'create', 'alter', 'drop', 'on', 'in', 'set', 'with')) expectSchemaName = true;
        else if (expectSchemaName && !isWord(buf, t, 'if', 'not', 'exists') && tokens[i + 1]?.kind !== 'comma') expectSchemaName = false;
      } else if (t.kind !== 'comma') {
        expectSchemaName = false;
      }
    }
    return edits;
  }

  /** The literal's value, when it is a kind whose quoting we can reproduce exactly. */
  #literalValue(buf: Buffer, t: Token, settings: LexSettings): { value: Buffer; prefix: string; backslashes: boolean } | null {
    const kind = t.stringKind;
    const escaping = kind === 'escape' || (kind === 'plain' && !settings.standardConformingStrings);
    if (kind !== 'plain' && kind !== 'escape') return null;
    const body = buf.subarray(t.start + (kind === 'escape' ? 2 : 1), t.end - 1);
    if (escaping && body.includes(0x5c)) return null;
    return { value: Buffer.from(body.toString('latin1').replace(/''/g, "'"), 'latin1'), prefix: kind === 'escape' ? 'E' : '', backslashes: escaping };
  }

  /** Rewrites the relation (or schema) name inside a literal, or throws if it cannot. */
  #literalEdit(buf: Buffer, t: Token, settings: LexSettings, wholeName: boolean, statement: () => string): Edit | null {
    const raw = buf.toString('latin1', t.start, t.end);
    if (!asciiLower(raw).includes(asciiLower(this.#source))) return null;
    const literal = this.#literalValue(buf, t, settings);
    if (!literal) throw new UnsafeDumpError(`a ${t.stringKind ?? 'dollar-quoted'} string literal naming "${this.rename.source}" where a relation name is expected`, statement());
    const tokens = tokenizeFragment(literal.value, settings);
    const edits =
      wholeName && tokens.length === 1 && this.#isSource(literal.value, tokens[0])
        ? [{ start: (tokens[0] as Token).start, end: (tokens[0] as Token).end, bytes: this.#targetBytes }]
        : this.#qualifierEdits(literal.value, tokens, statement);
    if (edits.length === 0) return null;
    const value = applyEdits(literal.value, edits).toString('latin1');
    const escaped = value.replace(/'/g, "''").replace(/\\/g, literal.backslashes ? '\\\\' : '\\');
    return { start: t.start, end: t.end, bytes: Buffer.from(`${literal.prefix}'${escaped}'`, 'latin1') };
  }

  /** Whether a literal (any kind) mentions a source-qualified name when lexed as SQL. */
  #mentionsQualifiedSource(buf: Buffer, t: Token, settings: LexSettings): boolean {
    const raw = buf.toString('latin1', t.start, t.end);
    if (!asciiLower(raw).includes(asciiLower(this.#source))) return false;
    const literal = this.#literalValue(buf, t, settings);
    if (!literal) return true;
    try {
      const tokens = tokenizeFragment(literal.value, settings);
      return tokens.some((tok, i) => this.#isSource(literal.value, tok) && tokens[i + 1]?.kind === 'dot');
    } catch {
      return true;
    }
  }

  rewrite(buf: Buffer, tokens: Token[], settings: LexSettings): RewrittenStatement {
    const statement = (): string => buf.toString('utf8', tokens[0]?.start ?? 0, tokens.at(-1)?.end ?? 0);
    const first = tokens[0];
    const second = tokens[1];
    if (isWord(buf, first, ...REFUSED_FIRST_WORDS)) throw new UnsafeDumpError(`the script contains a ${asciiLower(buf.toString('latin1', first?.start, first?.end)).toUpperCase()} statement, which a restore never needs`, statement());
    if (isWord(buf, first, 'create', 'alter') && isWord(buf, second, ...CLUSTER_OBJECTS)) throw new UnsafeDumpError('the script changes objects outside the schema', statement());
    if (isWord(buf, first, 'set', 'reset')) {
      const [w1, w2, w3] = [1, 2, 3].map((k) => (tokens[k]?.kind === 'ident' ? asciiLower(buf.toString('latin1', tokens[k]?.start, tokens[k]?.end)) : ''));
      if (w1 === 'role' || (['session', 'local'].includes(w1 ?? '') && w2 === 'role') || [w2, w3].includes('authorization')) {
        throw new UnsafeDumpError('the script switches the database role', statement());
      }
    }
    const isRoutine =
      isWord(buf, first, 'create') && (isWord(buf, second, ...ROUTINES) || (isWord(buf, second, 'or') && isWord(buf, tokens[3], ...ROUTINES)));

    const edits = this.#qualifierEdits(buf, tokens, statement);
    const isSelect = isWord(buf, first, 'select');
    let searchPath = false;
    for (let i = 0; i < tokens.length; i += 1) {
      const t = tokens[i] as Token;
      const text = buf.toString('latin1', t.start, t.end);
      if (isWord(buf, t, 'search_path') || (t.kind === 'string' && asciiLower(text) === "'search_path'")) searchPath = true;
      else if (searchPath && (this.#isSource(buf, t) || ((t.kind === 'string' || t.kind === 'dollar') && asciiLower(text).includes(asciiLower(this.#source))))) {
        throw new UnsafeDumpError(`search_path is set to the source schema "${this.rename.source}"`, statement());
      }
      if (t.kind !== 'string' && t.kind !== 'dollar') continue;
      const cast = tokens[i + 1]?.kind === 'cast' ? castTypeAfter(buf, tokens, i + 1) : null;
      const argumentOf = tokens[i - 1]?.kind === 'lparen' && ['comma', 'rparen'].includes(tokens[i + 1]?.kind ?? '') && isWord(buf, tokens[i - 2], ...RELATION_ARGUMENT_FUNCTIONS);
      if (cast?.startsWith('reg') && cast !== 'regrole') {
        const edit = t.kind === 'string' ? this.#literalEdit(buf, t, settings, cast === 'regnamespace', statement) : null;
        if (edit) edits.push(edit);
        else if (this.#mentionsQualifiedSource(buf, t, settings)) throw new UnsafeDumpError(`a ${cast} literal naming "${this.rename.source}" in a form that cannot be rewritten`, statement());
      } else if (argumentOf) {
        const edit = t.kind === 'string' ? this.#literalEdit(buf, t, settings, false, statement) : null;
        if (edit) edits.push(edit);
        else if (this.#mentionsQualifiedSource(buf, t, settings)) throw new UnsafeDumpError('a sequence function argument that cannot be rewritten', statement());
      } else if (isRoutine && asciiLower(text).includes(asciiLower(this.#source))) {
        // A function body is opaque text; its references would point at the master.
        throw new UnsafeDumpError(`a function body or option refers to "${this.rename.source}"`, statement());
      } else if (isSelect && this.#mentionsQualifiedSource(buf, t, settings)) {
        throw new UnsafeDumpError(`a SELECT passes a name in "${this.rename.source}" as a string`, statement());
      }
    }

    edits.sort((a, b) => a.start - b.start);
    const end = tokens.at(-1)?.end ?? 0;
    const output = applyEdits(buf.subarray(0, end), edits);
    const result: RewrittenStatement = { output };
    if (isWord(buf, first, 'copy')) result.copyTable = copyTarget(buf, tokens, edits, statement);
    if (isWord(buf, first, 'set')) {
      const nameAt = isWord(buf, second, 'session', 'local') ? 2 : 1;
      const name = tokens[nameAt];
      const value = tokens[nameAt + 2];
      if (name?.kind === 'ident' && value && (isWord(buf, tokens[nameAt + 1], 'to') || tokens[nameAt + 1]?.kind === 'op')) {
        const raw = buf.toString('latin1', value.start, value.end);
        result.setting = { name: asciiLower(buf.toString('latin1', name.start, name.end)), value: asciiLower(raw.replace(/^'(.*)'$/s, '$1')) };
      }
    }
    return result;
  }
}

function castTypeAfter(buf: Buffer, tokens: Token[], castIndex: number): string | null {
  let i = castIndex + 1;
  if (isWord(buf, tokens[i], 'pg_catalog') && tokens[i + 1]?.kind === 'dot') i += 2;
  const t = tokens[i];
  return t?.kind === 'ident' ? asciiLower(buf.toString('latin1', t.start, t.end)) : null;
}

/** Validates `COPY name [(cols)] FROM stdin;` and returns the name as rewritten. */
function copyTarget(buf: Buffer, tokens: Token[], edits: Edit[], statement: () => string): string {
  const n = tokens.length;
  const fromStdin = n >= 5 && isWord(buf, tokens[n - 3], 'from') && isWord(buf, tokens[n - 2], 'stdin') && tokens[n - 1]?.kind === 'semicolon';
  if (!fromStdin || isWord(buf, tokens[1], 'binary')) throw new UnsafeDumpError('a COPY that does not read plain text FROM stdin', statement());
  let end = 2;
  while (end < n && (tokens[end]?.kind === 'dot' || tokens[end - 1]?.kind === 'dot')) end += 1;
  const first = tokens[1] as Token;
  const last = tokens[end - 1] as Token;
  const own = edits.filter((e) => e.start >= first.start && e.end <= last.end).map((e) => ({ ...e, start: e.start - first.start, end: e.end - first.start }));
  return applyEdits(buf.subarray(first.start, last.end), own).toString('utf8');
}

/** `buf` with each edit's byte range replaced; edits are sorted and do not overlap. */
export function applyEdits(buf: Buffer, edits: Edit[]): Buffer {
  if (edits.length === 0) return buf;
  const parts: Buffer[] = [];
  let at = 0;
  for (const e of [...edits].sort((a, b) => a.start - b.start)) {
    parts.push(buf.subarray(at, e.start), e.bytes);
    at = e.end;
  }
  parts.push(buf.subarray(at));
  return Buffer.concat(parts);
}
