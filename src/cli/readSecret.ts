// Reads a secret from stdin: without echo from a terminal, or the whole of a pipe (with
// one trailing newline removed, as `echo pw |` and here-strings add one).
import { Secret } from '../main/core/secrets/secret';
import { UsageError } from './context';

export async function readSecret(stdin: NodeJS.ReadStream, prompt: string, stderr: (t: string) => void): Promise<Secret> {
  const text = stdin.isTTY ? await readFromTerminal(stdin, prompt, stderr) : await readAll(stdin);
  const value = text.replace(/\r?\n$/, '');
  if (value.length === 0) throw new UsageError('no secret was given on stdin');
  return new Secret(value);
}

async function readAll(stdin: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

function readFromTerminal(stdin: NodeJS.ReadStream, prompt: string, stderr: (t: string) => void): Promise<string> {
  stderr(prompt);
  return new Promise((resolve, reject) => {
    let value = '';
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      stderr('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(new UsageError('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
