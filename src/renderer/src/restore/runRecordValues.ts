// The run record carries some values as the core captured them (typed `unknown` in the
// shared contract); these read them defensively for display.

export interface VerificationCheckView {
  id: string;
  title: string;
  ok: boolean;
  detail: string;
}

export interface ChangelogView {
  sequenceNo: string;
  idTag: string;
  lastNonLocal: { sequenceNo: string; idTag: string } | null;
  newestIsLocal: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

export function verificationChecks(value: unknown): VerificationCheckView[] | null {
  if (!Array.isArray(value)) return null;
  return value.filter(isObject).map((c) => ({ id: text(c.id), title: text(c.title) || text(c.id), ok: c.ok === true, detail: text(c.detail) }));
}

export function changelogPosition(value: unknown): ChangelogView | null {
  if (!isObject(value) || text(value.sequenceNo) === '') return null;
  const last = isObject(value.lastNonLocal) ? { sequenceNo: text(value.lastNonLocal.sequenceNo), idTag: text(value.lastNonLocal.idTag) } : null;
  return { sequenceNo: text(value.sequenceNo), idTag: text(value.idTag), lastNonLocal: last, newestIsLocal: value.newestIsLocal === true };
}

export function backupFile(value: unknown): { file: string; bytes: number | null } | null {
  if (!isObject(value) || typeof value.file !== 'string') return null;
  return { file: value.file, bytes: typeof value.bytes === 'number' ? value.bytes : null };
}
