// Decisions that grant trust (approving a control command, letting a stored secret go to a
// new endpoint, deleting a dump) are never the renderer's to make: a compromised renderer
// could call any operation. The operation asks the admin in the main process instead, where
// the renderer cannot answer: Electron shows a native dialog (src/main/nativeConfirm.ts),
// the tests' HTTP bridge a scripted answer. Without a prompt, the answer is no.

/** What the admin is shown: `detail` carries the full text being trusted (commands, endpoints). */
export interface TrustPrompt {
  title: string;
  message: string;
  detail: string;
  /** The label of the button that confirms, e.g. "Approve". The other button cancels. */
  confirmLabel: string;
}

/** Resolves true only when the admin explicitly confirmed. */
export type ConfirmInMain = (prompt: TrustPrompt) => Promise<boolean>;

/** The default where nothing can ask the admin: refuse. */
export const refuseWithoutPrompt: ConfirmInMain = async () => false;
