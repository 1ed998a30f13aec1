// `replica-desk profiles format` prints the guide the app shows, and the guide names every
// field the profiles@1 schema has (so a new field cannot go undocumented).
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/main';
import type { Output } from '../../../src/cli/output';
import { ControlSchema, DbSchema, HostSchema, InstallationSchema, ServerSchema, SshHopSchema } from '../../../src/shared/profiles';
import { formatGuideText, PROFILES_FORMAT_GUIDE } from '../../../src/shared/profilesFormatGuide';

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const output: Output = { json: args.includes('--json'), stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) };
  const code = await runCli(args, { env: {}, stdin: process.stdin, output, version: 'test' });
  return { code, stdout, stderr };
}

const keysOf = (schema: unknown): string[] => {
  const s = schema as { shape?: Record<string, unknown>; in?: { shape?: Record<string, unknown> }; def?: { in?: { shape?: Record<string, unknown> } } };
  return Object.keys(s.shape ?? s.in?.shape ?? s.def?.in?.shape ?? {});
};

describe('profiles format', () => {
  it('prints every section of the guide', async () => {
    const { code, stdout } = await cli(['profiles', 'format']);
    expect(code).toBe(0);
    expect(stdout).toContain('replica-desk/profiles@1');
    for (const section of PROFILES_FORMAT_GUIDE) expect(stdout).toContain(`${section.title}\n${'-'.repeat(section.title.length)}`);
    expect(stdout).toContain(formatGuideText());
  });

  it('--json prints the sections as the app receives them', async () => {
    const { code, stdout } = await cli(['profiles', 'format', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ format: 'replica-desk/profiles@1', sections: PROFILES_FORMAT_GUIDE });
  });

  it('takes no arguments (exit 2)', async () => {
    expect((await cli(['profiles', 'format', 'extra'])).code).toBe(2);
  });

  it('names every field of the schema, the tunnel extension included', () => {
    const text = formatGuideText();
    const hostSsh = (HostSchema as unknown as { options: unknown[] }).options.flatMap(keysOf);
    const fields = new Set([...keysOf(InstallationSchema), ...keysOf(ServerSchema), ...keysOf(DbSchema), ...hostSsh, ...keysOf(ControlSchema), ...keysOf(SshHopSchema), 'via', 'jumpHosts', 'tunnel']);
    expect(fields.size).toBeGreaterThan(20);
    const missing = [...fields].filter((field) => !text.includes(`\`${field}\``) && !text.includes(`"${field}"`) && !text.includes(`.${field}\``));
    expect(missing).toEqual([]);
  });
});
