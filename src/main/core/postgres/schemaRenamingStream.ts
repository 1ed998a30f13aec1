// The Transform between `pg_restore --file=-` and psql. It frames the script the way psql
// reads it: SQL statements (each rewritten by StatementRewriter), psql meta-command lines,
// and COPY data, which runs from the line after `COPY … FROM stdin;` to a line that is
// exactly `\.`. COPY data is never inspected beyond finding that line: it passes through as
// slices of the input chunks, byte for byte, however much it mentions the source schema.
import { Transform, type TransformCallback } from 'node:stream';
import { RestoreFailedError } from './pgToolErrors';
import { StatementRewriter, UnsafeDumpError, type SchemaRename } from './schemaRenamer';
import { SqlLexError, scanStatement, type LexSettings } from './sqlLexer';

export interface SchemaRenamingOptions extends SchemaRename {
  /** Called when a table's COPY data starts, with the table as the script names it. */
  onCopy?: (table: string) => void;
  /** A statement longer than this is refused; default 64 MiB. */
  maxStatementBytes?: number;
}

const EMPTY = Buffer.alloc(0);
type Step = { pos: number; wait: boolean };
const NEWLINE_END_MARKER = Buffer.from('\n\\.');
const END_MARKERS = [Buffer.from('\\.\n'), Buffer.from('\\.\r\n')];
const ALLOWED_META = /^\\(un)?restrict [A-Za-z0-9]+\s*$/;
const UNICODE_SAFE_ENCODINGS = new Set(['utf8', 'unicode', 'sqlascii']);

/** Whether an end-of-data line starts at `at`: its length, 0 if not, -1 if undecidable yet. */
function endMarkerAt(buf: Buffer, at: number): number {
  const available = buf.length - at;
  for (const marker of END_MARKERS) {
    const n = Math.min(available, marker.length);
    if (buf.compare(marker, 0, n, at, at + n) !== 0) continue;
    return n === marker.length ? n : -1;
  }
  return 0;
}

export class SchemaRenamingStream extends Transform {
  readonly #rewriter: StatementRewriter;
  readonly #options: SchemaRenamingOptions;
  readonly #settings: LexSettings = { standardConformingStrings: true };
  #pending: Buffer = EMPTY;
  #inCopy = false;
  #atLineStart = true;
  #statements = 0;
  #bytesIn = 0;

  constructor(options: SchemaRenamingOptions) {
    super();
    this.#options = options;
    this.#rewriter = new StatementRewriter(options);
  }

  get statements(): number {
    return this.#statements;
  }

  /** Bytes of script read so far. */
  get bytesIn(): number {
    return this.#bytesIn;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#bytesIn += chunk.length;
    try {
      this.#consume(this.#pending.length > 0 ? Buffer.concat([this.#pending, chunk]) : chunk);
      callback();
    } catch (error) {
      callback(asReplicaDeskError(error));
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      if (this.#inCopy) throw new RestoreFailedError('pg_restore', 'the script ended inside the data of a table');
      if (this.#pending.length > 0) {
        const scan = scanStatement(this.#pending, 0, this.#settings);
        if (scan.kind !== 'trivia') throw new RestoreFailedError('pg_restore', 'the script ended inside a statement');
        this.push(this.#pending);
      }
      callback();
    } catch (error) {
      callback(asReplicaDeskError(error));
    }
  }

  #consume(buf: Buffer): void {
    let pos = 0;
    while (pos < buf.length) {
      const step = this.#inCopy ? this.#copyData(buf, pos) : this.#sql(buf, pos);
      pos = step.pos;
      if (step.wait) {
        this.#pending = buf.subarray(pos);
        return;
      }
    }
    this.#pending = EMPTY;
  }

  /** Handles one statement, meta-command or run of comments; `wait` asks for more input from `pos`. */
  #sql(buf: Buffer, pos: number): Step {
    const rest = buf.subarray(pos);
    const scan = scanStatement(rest, 0, this.#settings);
    if (scan.kind === 'trivia') {
      this.push(rest);
      return { pos: buf.length, wait: false };
    }
    if (scan.kind === 'incomplete') {
      if (rest.length > (this.#options.maxStatementBytes ?? 64 * 1024 * 1024)) throw new UnsafeDumpError('a statement is too long to check');
      return { pos, wait: true };
    }
    if (scan.kind === 'meta') {
      const line = rest.toString('latin1', scan.start, scan.end);
      if (!ALLOWED_META.test(line)) throw new UnsafeDumpError(`the script contains the psql command ${line.trim().split(/\s/)[0] ?? ''}`);
      this.push(rest.subarray(0, scan.end));
      return { pos: pos + scan.end, wait: false };
    }
    const statement = this.#rewriter.rewrite(rest, scan.tokens, this.#settings);
    let end = scan.end;
    if (statement.copyTable !== undefined) {
      // Data starts on the next line; only whitespace may follow the `;`.
      const newline = rest.indexOf(0x0a, end);
      if (newline < 0) return { pos, wait: true };
      if (rest.subarray(end, newline).some((b) => b !== 0x20 && b !== 0x09 && b !== 0x0d)) throw new UnsafeDumpError('text after a COPY statement on its line');
      end = newline + 1;
    }
    this.#statements += 1;
    this.push(statement.output);
    this.push(rest.subarray(scan.end, end));
    if (statement.setting) this.#applySetting(statement.setting);
    if (statement.copyTable !== undefined) {
      this.#inCopy = true;
      this.#atLineStart = true;
      this.#options.onCopy?.(statement.copyTable);
    }
    return { pos: pos + end, wait: false };
  }

  /** Passes COPY data through up to and including its end line. */
  #copyData(buf: Buffer, pos: number): Step {
    const emit = (end: number, after: { inCopy: boolean; atLineStart: boolean; wait: boolean }): Step => {
      this.push(buf.subarray(pos, end));
      this.#inCopy = after.inCopy;
      this.#atLineStart = after.atLineStart;
      return { pos: end, wait: after.wait };
    };
    if (this.#atLineStart) {
      const n = endMarkerAt(buf, pos);
      if (n > 0) return emit(pos + n, { inCopy: false, atLineStart: true, wait: false });
      if (n < 0) return { pos, wait: true };
    }
    for (let at = buf.indexOf(NEWLINE_END_MARKER, pos); at >= 0; at = buf.indexOf(NEWLINE_END_MARKER, at + 1)) {
      const n = endMarkerAt(buf, at + 1);
      if (n > 0) return emit(at + 1 + n, { inCopy: false, atLineStart: true, wait: false });
      if (n < 0) return emit(at + 1, { inCopy: true, atLineStart: true, wait: true });
    }
    // No end line yet. Hold back a last line that could still become one.
    const lastNewline = buf.lastIndexOf(0x0a);
    if (lastNewline >= pos && buf.length - (lastNewline + 1) < 4 && endMarkerAt(buf, lastNewline + 1) < 0) {
      return emit(lastNewline + 1, { inCopy: true, atLineStart: true, wait: lastNewline + 1 < buf.length });
    }
    return emit(buf.length, { inCopy: true, atLineStart: buf[buf.length - 1] === 0x0a, wait: false });
  }

  #applySetting(setting: { name: string; value: string }): void {
    if (setting.name === 'standard_conforming_strings') this.#settings.standardConformingStrings = setting.value !== 'off' && setting.value !== 'false';
    if (setting.name === 'client_encoding') {
      const names = [this.#options.source, this.#options.target];
      const encoding = setting.value.replace(/[^a-z0-9]/g, '');
      if (!UNICODE_SAFE_ENCODINGS.has(encoding) && names.some((n) => [...n].some((ch) => ch.charCodeAt(0) > 0x7f))) {
        throw new UnsafeDumpError(`the dump is in encoding ${setting.value} and a schema name has non-ASCII characters`);
      }
    }
  }
}

function asReplicaDeskError(error: unknown): Error {
  if (error instanceof SqlLexError) return new UnsafeDumpError(`the script contains ${error.message}`);
  return error instanceof Error ? error : new Error(String(error));
}
