// The DO blocks that end a restore quote the target schema's name, which comes from the
// profile. Whatever the name holds, the generated SQL must stay the statements we wrote:
// split the way psql splits them, nothing of the name may start a statement of its own.
import { describe, expect, it } from 'vitest';
import { dollarQuote, randomDollarTag } from '../../../src/main/core/postgres/dollarQuote';
import { restoreEpilogue } from '../../../src/main/core/postgres/restoreTarget';
import { restoreWriteCheck } from '../../../src/main/core/postgres/restoreWriteCheck';
import { scanStatement } from '../../../src/main/core/postgres/sqlLexer';

const settings = { standardConformingStrings: true };

/** The statements of a script as psql would run them, each as its text. */
function statements(sql: string): string[] {
  const buf = Buffer.from(sql);
  const out: string[] = [];
  for (let at = 0; ; ) {
    const scan = scanStatement(buf, at, settings);
    if (scan.kind === 'trivia') return out;
    if (scan.kind !== 'statement') throw new Error(`unexpected ${scan.kind} at ${at}`);
    out.push(buf.toString('utf8', scan.tokens[0]!.start, scan.end));
    at = scan.end;
  }
}

// Closes the block with each tag this tool ever used, then runs SQL of its own.
const hostile = (tag: string) => `x${tag}; CREATE TABLE public.pwned(); DO ${tag} BEGIN --`;

describe('generated DO blocks', () => {
  it.each(['$replica_desk_writes$', '$replica_desk_verify$', '$$'])('stay one statement when the schema name contains %s', (tag) => {
    const check = statements(restoreWriteCheck(hostile(tag)));
    expect(check).toHaveLength(1);
    expect(check[0]).toMatch(/^DO \$rd_[0-9a-f]{16}\$/);

    const epilogue = statements(restoreEpilogue(hostile(tag), hostile(tag)));
    expect(epilogue).toHaveLength(2);
    expect(epilogue[0]).toMatch(/^DO \$rd_[0-9a-f]{16}\$/);
    expect(epilogue[1]).toBe('COMMIT;');
  });

  it('use a fresh tag each time', () => {
    const tags = new Set(Array.from({ length: 50 }, () => randomDollarTag()));
    expect(tags.size).toBe(50);
    for (const tag of tags) expect(tag).toMatch(/^\$rd_[0-9a-f]{16}\$$/);
  });

  it('never use a tag the body contains', () => {
    const queue = ['$rd_aaaaaaaaaaaaaaaa$', '$rd_bbbbbbbbbbbbbbbb$'];
    expect(dollarQuote('has $rd_aaaaaaaaaaaaaaaa$ inside', () => queue.shift()!)).toBe('$rd_bbbbbbbbbbbbbbbb$has $rd_aaaaaaaaaaaaaaaa$ inside$rd_bbbbbbbbbbbbbbbb$');
  });
});
