// The run record carries what steps captured as free-form JSON (`unknown` in the shared
// type); these readers pick out the values the detail page shows, and ignore anything
// shaped differently rather than guess.
import type { RunRecord } from '../../../shared/runRecord';

export interface BackupFacts {
  file: string;
  bytes: number | null;
  sha256: string | null;
  reused: boolean;
  elapsedMs: number | null;
  compression: string | null;
}

export interface ChangelogPosition {
  sequenceNo: string;
  idTag: string;
}

export interface VerificationCheckView {
  id: string;
  title: string;
  ok: boolean;
  detail: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : null);

export function readBackup(value: unknown): BackupFacts | null {
  if (!isObject(value) || typeof value.file !== 'string') return null;
  return {
    file: value.file,
    bytes: num(value.bytes),
    sha256: str(value.sha256),
    reused: value.reused === true,
    elapsedMs: num(value.elapsedMs),
    compression: str(value.compression),
  };
}

export function readChangelog(value: unknown): ChangelogPosition | null {
  if (!isObject(value)) return null;
  const sequenceNo = str(value.sequenceNo);
  const idTag = str(value.idTag);
  return sequenceNo !== null && idTag !== null ? { sequenceNo, idTag } : null;
}

export function readVerification(value: unknown): VerificationCheckView[] | null {
  if (!Array.isArray(value)) return null;
  return value.filter(isObject).map((c) => ({ id: str(c.id) ?? '', title: str(c.title) ?? str(c.id) ?? 'check', ok: c.ok === true, detail: str(c.detail) ?? '' }));
}

/** The run's backup: captured on the run, else on the dump step. */
export function runBackup(run: Pick<RunRecord, 'backup' | 'steps'>): BackupFacts | null {
  return readBackup(run.backup) ?? readBackup(run.steps.find((s) => s.id === 'dump-master')?.captured.backup);
}
