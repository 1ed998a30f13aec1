// The app's settings as main, the CLI and the renderer see them: each setting's zod schema
// and default. Stored in SQLite (main/core/store/settingsStore.ts), one row per setting.
import { z } from 'zod';
import { MAX_DUMPS_KEPT } from './settingLimits';

export { MAX_DUMPS_KEPT };

export const settingSchemas = {
  /** How many dumps of each installation retention keeps (the newest ones); at least 1. */
  dumpsKept: z.number().int().min(1, 'keep at least 1 dump').max(MAX_DUMPS_KEPT, `keep at most ${MAX_DUMPS_KEPT} dumps`),
} as const;

export type SettingName = keyof typeof settingSchemas;
export type AppSettings = { [K in SettingName]: z.infer<(typeof settingSchemas)[K]> };

export const DEFAULT_SETTINGS: AppSettings = { dumpsKept: 2 };

/** A partial update of the settings, as the app's settings control sends it. */
export const SettingsUpdateSchema = z.object({ dumpsKept: settingSchemas.dumpsKept.optional() }).strict();
