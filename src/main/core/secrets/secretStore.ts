// The one small interface over the OS keychain. Accounts are `installation/server/db`
// and `installation/server/ssh` under the service `replica-desk` (see shared/contracts).
import type { SecretKind } from '../../../shared/api';
import type { ServerRef } from '../../../shared/profiles';
import type { Secret } from './secret';

export const KEYCHAIN_SERVICE = 'replica-desk';

export interface SecretStore {
  get(account: string): Promise<Secret | null>;
  set(account: string, secret: Secret): Promise<void>;
  /** Returns whether an entry existed. */
  delete(account: string): Promise<boolean>;
}

export const accountFor = (ref: ServerRef, kind: SecretKind): string => `${ref.installation}/${ref.server}/${kind}`;
