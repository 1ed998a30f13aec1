#!/usr/bin/env node
// `node scripts/run-ts.mjs FILE.ts [ARGS...]`: runs a TypeScript script on plain Node 20, which
// cannot load .ts itself. rolldown bundles FILE.ts with the project's own sources into
// .cache/run-ts/; every bare import (pg, zod, node:*) stays external, so node_modules load
// as usual and native modules keep working. The bundle then runs in this process, with
// process.argv as if FILE.ts had been started directly.
import { mkdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'rolldown';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-ts.mjs FILE.ts [ARGS...]');
  process.exit(2);
}

const input = resolve(entry);
const outDir = join(projectRoot, '.cache', 'run-ts');
const outFile = join(outDir, `${basename(input).replace(/\.[cm]?tsx?$/, '')}.mjs`);
mkdirSync(outDir, { recursive: true });

await build({
  input,
  platform: 'node',
  cwd: projectRoot,
  // Bare specifiers only: relative and absolute paths are our own code and get bundled.
  external: (id) => !id.startsWith('.') && !id.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(id) && id !== input,
  logLevel: 'warn',
  output: { file: outFile, format: 'esm', sourcemap: 'inline' },
});

process.setSourceMapsEnabled(true);
process.argv = [process.argv[0], input, ...args];
await import(pathToFileURL(outFile).href);
