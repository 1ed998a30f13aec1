// How long the side-by-side swap (and a rollback's swap back) waits for its schemas' table
// locks: `SET LOCAL lock_timeout` in its one short transaction, while the replica is down.
// 10 s unless the admin gives `--lock-timeout SECONDS` (validated here with zod); the value
// is recorded in the plan, so its SQL shows it and a resume swaps with the same one.
import { z } from 'zod';
import type { RestorePlan } from '../../../shared/restorePlan';
import { InvalidInputError } from '../errors';
import { DEFAULT_TIMEOUTS } from './stepContext';

export const MIN_LOCK_TIMEOUT_SECONDS = 0.1;
export const MAX_LOCK_TIMEOUT_SECONDS = 3600;

const LockTimeoutSeconds = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?$/, 'a number of seconds, like 10 or 2.5')
  .transform(Number)
  .pipe(z.number().min(MIN_LOCK_TIMEOUT_SECONDS, `at least ${MIN_LOCK_TIMEOUT_SECONDS} s`).max(MAX_LOCK_TIMEOUT_SECONDS, `at most ${MAX_LOCK_TIMEOUT_SECONDS} s`));

/** `--lock-timeout SECONDS` in milliseconds; InvalidInputError (exit 2) for anything else. */
export function parseLockTimeoutSeconds(text: string, option = '--lock-timeout'): number {
  const parsed = LockTimeoutSeconds.safeParse(text);
  if (!parsed.success) {
    throw new InvalidInputError(
      `${option} must be a number of seconds from ${MIN_LOCK_TIMEOUT_SECONDS} to ${MAX_LOCK_TIMEOUT_SECONDS}, not "${text}" (${parsed.error.issues[0]?.message ?? 'invalid'}).`,
      [],
      `Leave it out for the default of ${DEFAULT_TIMEOUTS.swap.lockTimeoutMs / 1000} s: how long the swap, while the replica is down, waits for sessions that still hold its tables.`,
    );
  }
  return Math.round(parsed.data * 1000);
}

/** The swap's lock_timeout for a plan: the one it records, else the default. */
export const swapLockTimeoutMs = (plan: Pick<RestorePlan, 'swapLockTimeoutMs'>): number => plan.swapLockTimeoutMs ?? DEFAULT_TIMEOUTS.swap.lockTimeoutMs;
