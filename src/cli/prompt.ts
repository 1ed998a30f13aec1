// Questions on the terminal: typed confirmations for destructive steps and yes/no for
// manual ones. Only ever used when stdin is a TTY.
import { createInterface } from 'node:readline/promises';

export async function ask(stdin: NodeJS.ReadStream, stderr: NodeJS.WriteStream, question: string): Promise<string> {
  const rl = createInterface({ input: stdin, output: stderr, terminal: true });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}
