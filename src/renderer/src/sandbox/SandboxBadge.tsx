import './sandbox.css';

/** Marks the sandbox installation wherever it appears, so it is never taken for production. */
export function SandboxBadge() {
  return (
    <span className="badge badge-sandbox" title="The sandbox: a throwaway installation on this workstation, built by Try the sandbox. Not production.">
      Sandbox
    </span>
  );
}
