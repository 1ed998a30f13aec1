// The runtime boundaries are enforced by ESLint; this proves the rules fire where they must.
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '../../..');
const eslint = new ESLint({ cwd: root });

async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, filePath) });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

// The first lint loads ESLint's config and the TypeScript parser: seconds on a loaded machine.
describe('lint boundaries', { timeout: 60_000 }, () => {
  it('forbids electron in src/main/core', async () => {
    expect(await ruleIds("import { app } from 'electron';\nexport const a = app;\n", 'src/main/core/profiles/x.ts')).toContain('no-restricted-imports');
  });

  it('allows electron in the glue outside core', async () => {
    expect(await ruleIds("import { app } from 'electron';\nexport const a = app;\n", 'src/main/window-x.ts')).not.toContain('no-restricted-imports');
  });

  it('forbids Node built-ins in the renderer and in shared code', async () => {
    expect(await ruleIds("import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n", 'src/renderer/src/x.ts')).toContain('no-restricted-imports');
    expect(await ruleIds("import path from 'path';\nexport const p = path;\n", 'src/shared/x.ts')).toContain('no-restricted-imports');
  });

  it('forbids spawning through a shell', async () => {
    const code = "import { spawn } from 'node:child_process';\nexport const c = spawn('ls', [], { shell: true });\n";
    expect(await ruleIds(code, 'src/main/core/hosts/x.ts')).toContain('no-restricted-syntax');
  });
});
