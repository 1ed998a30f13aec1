// Dollar-quoted bodies for the SQL this tool generates (the DO blocks that end a restore).
// A fixed tag such as `$replica_desk_verify$` can be closed early by any text inside the
// body that contains it, and the body quotes schema names from the profile: a schema named
// `x$replica_desk_verify$; …` would end the block there and run the rest as SQL. A random
// tag per block cannot be guessed by whoever wrote the profile, and is checked against the
// body anyway.
import { randomBytes } from 'node:crypto';

/** `$rd_<16 hex>$`: letters, digits and `_` only, as a dollar-quote tag must be. */
export function randomDollarTag(): string {
  return `$rd_${randomBytes(8).toString('hex')}$`;
}

/** `body` between a fresh random tag on both sides. */
export function dollarQuote(body: string, newTag: () => string = randomDollarTag): string {
  for (let attempt = 0; attempt < 8; attempt++) {
    const tag = newTag();
    if (!body.includes(tag)) return `${tag}${body}${tag}`;
  }
  throw new Error('no dollar-quote tag found that the body does not contain');
}
