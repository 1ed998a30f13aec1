// A secret travels through the app in this one type. It cannot be printed, logged or
// serialised by accident: toString, toJSON and util.inspect all show a mask. Only
// `reveal()` gives the value, and only the code that hands it to a library calls it.
import { inspect } from 'node:util';

export const MASK = '********';

const registry = new Set<string>();

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    if (typeof value !== 'string' || value.length === 0) throw new TypeError('a secret must be a non-empty string');
    this.#value = value;
    registry.add(value);
  }

  reveal(): string {
    return this.#value;
  }

  equals(other: Secret): boolean {
    return this.#value === other.#value;
  }

  toString(): string {
    return MASK;
  }

  toJSON(): string {
    return MASK;
  }

  [inspect.custom](): string {
    return `Secret(${MASK})`;
  }
}

/**
 * Replaces every secret this process has seen with the mask. Loggers and error messages
 * that may quote a library's text (a libpq message, a command's stderr) go through this.
 */
export function maskSecrets(text: string): string {
  let out = text;
  for (const value of registry) {
    if (value.length >= 3 && out.includes(value)) out = out.split(value).join(MASK);
  }
  return out;
}
