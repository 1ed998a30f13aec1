import { Writable } from 'node:stream';
import { Console } from 'node:console';
import { format, inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { MASK, Secret, maskSecrets } from '../../../src/main/core/secrets/secret';

const VALUE = 'Tr0ub4dor&3-unit';

/** Everything a real Console writes, for the given calls. */
function consoleOutput(write: (c: Console) => void): string {
  let out = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      out += chunk.toString();
      done();
    },
  });
  write(new Console({ stdout: sink, stderr: sink }));
  return out;
}

describe('Secret', () => {
  const secret = new Secret(VALUE);

  it('gives its value only through reveal()', () => {
    expect(secret.reveal()).toBe(VALUE);
  });

  it.each([
    ['String()', () => String(secret)],
    ['template string', () => `password=${secret}`],
    ['concatenation', () => 'password=' + secret],
    ['JSON.stringify', () => JSON.stringify({ password: secret, nested: [secret] })],
    ['util.inspect', () => inspect({ password: secret }, { showHidden: true, depth: 5 })],
    ['util.format %s %o %O %j', () => format('%s %o %O %j', secret, secret, secret, { secret })],
    ['Object.entries', () => JSON.stringify(Object.entries(secret))],
    ['structuredClone', () => JSON.stringify(structuredClone(secret))],
    ['an Error message', () => new Error(`failed with ${secret}`).message],
  ])('does not reveal through %s', (_name, render) => {
    const text = render();
    expect(text).not.toContain(VALUE);
  });

  it('shows the mask where it is printed', () => {
    expect(String(secret)).toBe(MASK);
    expect(JSON.stringify({ secret })).toBe(`{"secret":"${MASK}"}`);
    expect(inspect(secret)).toBe(`Secret(${MASK})`);
  });

  it('does not reveal through console.log, console.error, console.table or console.dir', () => {
    const out = consoleOutput((c) => {
      c.log(secret);
      c.log('%s and %o', secret, { secret });
      c.error({ secret });
      c.table([{ secret }]);
      c.dir(secret, { showHidden: true });
    });
    expect(out).toContain(MASK);
    expect(out).not.toContain(VALUE);
  });

  it('refuses an empty value and compares by value', () => {
    expect(() => new Secret('')).toThrow(TypeError);
    expect(secret.equals(new Secret(VALUE))).toBe(true);
    expect(secret.equals(new Secret(`${VALUE}-other`))).toBe(false);
  });
});

describe('maskSecrets', () => {
  it('masks every secret this process has created, wherever it appears in a text', () => {
    const a = new Secret('first-Pa55word');
    const b = new Secret('second-Pa55word');
    const quoted = `FATAL: password authentication failed; tried "${a.reveal()}", then ${b.reveal()} and ${a.reveal()}`;
    const masked = maskSecrets(quoted);
    expect(masked).toBe(`FATAL: password authentication failed; tried "${MASK}", then ${MASK} and ${MASK}`);
  });

  it('leaves text without secrets alone, and values shorter than 3 characters unmasked', () => {
    new Secret('ab');
    expect(maskSecrets('nothing to hide: ab')).toBe('nothing to hide: ab');
  });
});
