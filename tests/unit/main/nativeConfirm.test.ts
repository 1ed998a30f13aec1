import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('../../mocks/electron'));
const electron = await import('../../mocks/electron');
const { nativeConfirm } = await import('../../../src/main/nativeConfirm');

const prompt = { title: 'Approve commands', message: 'Run these on prod/rls1?', detail: 'systemctl stop cm-rls', confirmLabel: 'Approve' };

describe('nativeConfirm', () => {
  beforeEach(() => electron.resetElectronMock());

  it('shows the full text in a native box whose default and cancel button is Cancel', async () => {
    electron.dialog.nextMessageBoxAnswer = 0;
    await expect(nativeConfirm(() => null)(prompt)).resolves.toBe(false);
    const shown = electron.dialog.messageBoxes[0]!.options as Record<string, unknown>;
    expect(shown).toMatchObject({ title: prompt.title, message: prompt.message, detail: prompt.detail, buttons: ['Cancel', 'Approve'], defaultId: 0, cancelId: 0 });
  });

  it('is true only when the confirming button was pressed', async () => {
    electron.dialog.nextMessageBoxAnswer = 1;
    await expect(nativeConfirm(() => null)(prompt)).resolves.toBe(true);
  });
});

