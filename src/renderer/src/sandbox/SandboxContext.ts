// Hands the window's one SandboxState (App's useSandbox) to every view that marks the sandbox
// or drives it. Outside a provider (a view rendered on its own), the sandbox is known by name.
import { createContext, useContext } from 'react';
import { SANDBOX_INSTALLATION } from '../../../shared/sandbox';
import type { SandboxState } from './useSandbox';

export const SandboxContext = createContext<SandboxState | null>(null);

export function useSandboxState(): SandboxState | null {
  return useContext(SandboxContext);
}

const byName = (installation: string): boolean => installation === SANDBOX_INSTALLATION;

/** Tells whether an installation (by name) is the sandbox, for lists that mark several. */
export function useSandboxMark(): (installation: string) => boolean {
  return useContext(SandboxContext)?.isSandbox ?? byName;
}

/** Whether the installation of this name is the sandbox (never production). */
export function useIsSandbox(installation: string | null | undefined): boolean {
  const isSandbox = useSandboxMark();
  return Boolean(installation) && isSandbox(installation ?? '');
}
