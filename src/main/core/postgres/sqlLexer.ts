// A byte-level SQL tokenizer for the scripts pg_restore writes, with psql's idea of where
// a statement ends (psqlscan.l: a `;` outside parentheses and outside a BEGIN ATOMIC body).
// It works on Buffers and reports byte offsets, so whatever it does not rewrite passes
// through byte for byte in any server encoding: every byte that matters to SQL syntax is
// ASCII, and PostgreSQL's server encodings never use ASCII bytes inside a multibyte char.

export type TokenKind =
  | 'ident' // unquoted identifier or keyword
  | 'qident' // "quoted identifier"
  | 'string' // '…', E'…', B'…', X'…', N'…', U&'…'
  | 'dollar' // $tag$…$tag$
  | 'number'
  | 'param' // $1
  | 'dot'
  | 'comma'
  | 'lparen'
  | 'rparen'
  | 'semicolon'
  | 'cast' // ::
  | 'op'; // any other operator character

export type StringKind = 'plain' | 'escape' | 'bit' | 'national' | 'unicode';

export interface Token {
  kind: TokenKind;
  start: number;
  end: number;
  stringKind?: StringKind;
}

export interface LexSettings {
  /** standard_conforming_strings: when off, '…' treats backslash as an escape. */
  standardConformingStrings: boolean;
}

export class SqlLexError extends Error {}

/** Thrown when the buffer ends inside a token; the caller waits for more input. */
class NeedMoreInput extends Error {}

const isSpace = (b: number): boolean => b === 0x20 || (b >= 0x09 && b <= 0x0d);
const isDigit = (b: number): boolean => b >= 0x30 && b <= 0x39;
const isIdentStart = (b: number): boolean => (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x5f || b >= 0x80;
const isIdentCont = (b: number): boolean => isIdentStart(b) || isDigit(b) || b === 0x24;
const QUOTE = 0x27;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;

function need(buf: Buffer, index: number): number {
  const b = buf[index];
  if (b === undefined) throw new NeedMoreInput();
  return b;
}

/** End of a '…' body starting after the opening quote; `backslash` makes \x an escape. */
function scanQuoted(buf: Buffer, i: number, quote: number, backslash: boolean): number {
  for (;;) {
    const b = need(buf, i);
    if (backslash && b === BACKSLASH) {
      need(buf, i + 1);
      i += 2;
    } else if (b === quote) {
      // A doubled quote is part of the body; deciding needs the next byte.
      if (need(buf, i + 1) === quote) i += 2;
      else return i + 1;
    } else {
      i += 1;
    }
  }
}

function scanBlockComment(buf: Buffer, i: number): number {
  let depth = 1;
  i += 2;
  while (depth > 0) {
    const b = need(buf, i);
    if (b === 0x2f && need(buf, i + 1) === 0x2a) {
      depth += 1;
      i += 2;
    } else if (b === 0x2a && need(buf, i + 1) === 0x2f) {
      depth -= 1;
      i += 2;
    } else {
      i += 1;
    }
  }
  return i;
}

/** The `$tag$` delimiter at i, or null when `$` does not start one. */
function dollarDelimiter(buf: Buffer, i: number): Buffer | null {
  let j = i + 1;
  if (need(buf, j) === 0x24) return buf.subarray(i, j + 1);
  if (!isIdentStart(need(buf, j))) return null;
  for (j += 1; ; j += 1) {
    const c = need(buf, j);
    if (c === 0x24) return buf.subarray(i, j + 1);
    if (!isIdentStart(c) && !isDigit(c)) return null;
  }
}

/** Skips whitespace and comments from i; the index of the next token (or buf.length). */
function skipTrivia(buf: Buffer, i: number): number {
  for (;;) {
    const b = buf[i];
    if (b === undefined) return i;
    if (isSpace(b)) i += 1;
    else if (b === 0x2d && buf[i + 1] === 0x2d) {
      const nl = buf.indexOf(0x0a, i);
      if (nl < 0) throw new NeedMoreInput();
      i = nl + 1;
    } else if (b === 0x2f && need(buf, i + 1) === 0x2a) i = scanBlockComment(buf, i);
    else if (b === 0x2d || b === 0x2f) {
      need(buf, i + 1); // a lone - or / at the end could still start a comment
      return i;
    } else return i;
  }
}

/** The token starting at i (not trivia). */
function scanToken(buf: Buffer, i: number, settings: LexSettings): Token {
  const b = need(buf, i);
  const next = buf[i + 1];
  const single = (kind: TokenKind): Token => ({ kind, start: i, end: i + 1 });
  if (b === QUOTE) return { kind: 'string', stringKind: 'plain', start: i, end: scanQuoted(buf, i + 1, QUOTE, !settings.standardConformingStrings) };
  if (b === DQUOTE) return { kind: 'qident', start: i, end: scanQuoted(buf, i + 1, DQUOTE, false) };
  if (isIdentStart(b)) {
    const lower = b | 0x20;
    if (need(buf, i + 1) === QUOTE) {
      const kinds: Record<number, StringKind> = { 0x65: 'escape', 0x62: 'bit', 0x78: 'bit', 0x6e: 'national' };
      const stringKind = kinds[lower];
      if (stringKind) return { kind: 'string', stringKind, start: i, end: scanQuoted(buf, i + 2, QUOTE, stringKind === 'escape') };
    }
    if (lower === 0x75 && next === 0x26) {
      const q = need(buf, i + 2);
      if (q === DQUOTE) throw new SqlLexError('a Unicode-escaped identifier (U&"…")');
      if (q === QUOTE) return { kind: 'string', stringKind: 'unicode', start: i, end: scanQuoted(buf, i + 3, QUOTE, false) };
    }
    let j = i + 1;
    while (isIdentCont(need(buf, j))) j += 1;
    return { kind: 'ident', start: i, end: j };
  }
  if (isDigit(b) || (b === 0x2e && next !== undefined && isDigit(next))) {
    let j = i + 1;
    for (;;) {
      const c = need(buf, j);
      if (isDigit(c) || isIdentStart(c) || (c === 0x2e && isDigit(buf[j + 1] ?? 0))) j += 1;
      else if ((c === 0x2b || c === 0x2d) && ((buf[j - 1] ?? 0) | 0x20) === 0x65) j += 1;
      else return { kind: 'number', start: i, end: j };
    }
  }
  if (b === 0x24) {
    if (isDigit(need(buf, i + 1))) {
      let j = i + 1;
      while (isDigit(need(buf, j))) j += 1;
      return { kind: 'param', start: i, end: j };
    }
    const delimiter = dollarDelimiter(buf, i);
    if (!delimiter) return single('op');
    const close = buf.indexOf(delimiter, i + delimiter.length);
    if (close < 0) throw new NeedMoreInput();
    return { kind: 'dollar', start: i, end: close + delimiter.length };
  }
  if (b === 0x3a && need(buf, i + 1) === 0x3a) return { kind: 'cast', start: i, end: i + 2 };
  if (b === BACKSLASH) throw new SqlLexError('a psql meta-command inside a statement');
  const kinds: Record<number, TokenKind> = { 0x2e: 'dot', 0x2c: 'comma', 0x28: 'lparen', 0x29: 'rparen', 0x3b: 'semicolon' };
  return single(kinds[b] ?? 'op');
}

export type StatementScan =
  /** tokens from the statement's first token through its `;`; `end` is after the `;`. */
  | { kind: 'statement'; tokens: Token[]; end: number }
  /** A psql meta-command line: `start` is its backslash, `end` is after its newline. */
  | { kind: 'meta'; start: number; end: number }
  /** Only whitespace and comments up to `end` (the end of the buffer). */
  | { kind: 'trivia'; end: number }
  | { kind: 'incomplete' };

const lowerWord = (buf: Buffer, t: Token): string => buf.toString('latin1', t.start, t.end).toLowerCase();

/** Scans the next statement of `buf` from `from`, the way psql would split it. */
export function scanStatement(buf: Buffer, from: number, settings: LexSettings): StatementScan {
  try {
    const first = skipTrivia(buf, from);
    if (first >= buf.length) return { kind: 'trivia', end: buf.length };
    if (buf[first] === BACKSLASH) {
      const nl = buf.indexOf(0x0a, first);
      return nl < 0 ? { kind: 'incomplete' } : { kind: 'meta', start: first, end: nl + 1 };
    }
    const tokens: Token[] = [];
    // psql's heuristic for CREATE [OR REPLACE] FUNCTION|PROCEDURE … BEGIN ATOMIC … END.
    const leading: string[] = [];
    let identCount = 0;
    let parenDepth = 0;
    let beginDepth = 0;
    let i = first;
    for (;;) {
      i = skipTrivia(buf, i);
      if (i >= buf.length) return { kind: 'incomplete' };
      const token = scanToken(buf, i, settings);
      tokens.push(token);
      i = token.end;
      if (token.kind === 'lparen') parenDepth += 1;
      else if (token.kind === 'rparen') parenDepth = Math.max(0, parenDepth - 1);
      else if (token.kind === 'semicolon' && parenDepth === 0 && beginDepth === 0) return { kind: 'statement', tokens, end: i };
      else if (token.kind === 'ident') {
        const word = lowerWord(buf, token);
        if (identCount < 4) leading.push(['create', 'function', 'procedure', 'or', 'replace'].includes(word) ? word[0] ?? '' : '');
        identCount += 1;
        const routine = leading[0] === 'c' && (['f', 'p'].includes(leading[1] ?? '') || (leading[1] === 'o' && leading[2] === 'r' && ['f', 'p'].includes(leading[3] ?? '')));
        if (routine && parenDepth === 0) {
          if (word === 'begin') beginDepth += 1;
          else if (word === 'case' && beginDepth >= 1) beginDepth += 1;
          else if (word === 'end' && beginDepth > 0) beginDepth -= 1;
        }
      }
    }
  } catch (error) {
    if (error instanceof NeedMoreInput) return { kind: 'incomplete' };
    throw error;
  }
}

/** Every token of a complete fragment (e.g. the text inside a '…'::regclass literal). */
export function tokenizeFragment(fragment: Buffer, settings: LexSettings): Token[] {
  // A trailing newline lets the last token end without asking for more input.
  const buf = Buffer.concat([fragment, Buffer.from('\n')]);
  const tokens: Token[] = [];
  try {
    for (let i = skipTrivia(buf, 0); i < fragment.length; i = skipTrivia(buf, i)) {
      const token = scanToken(buf, i, settings);
      if (token.end > fragment.length) throw new NeedMoreInput();
      tokens.push(token);
      i = token.end;
    }
  } catch (error) {
    if (error instanceof NeedMoreInput) throw new SqlLexError('an unterminated quote or comment');
    throw error;
  }
  return tokens;
}
