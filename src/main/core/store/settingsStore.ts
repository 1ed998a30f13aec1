// App settings in SQLite (table `settings`, migration 7): one JSON value per setting name,
// checked with the setting's zod schema on the way in and on the way out. A value the schema
// refuses (hand-edited, or from another version) reads as the default instead of breaking.
import { InvalidInputError } from '../errors';
import type { SqliteDatabase } from './database';
import { jsonPath } from '../../../shared/profiles';
import { DEFAULT_SETTINGS, SettingsUpdateSchema, settingSchemas, type AppSettings, type SettingName } from '../../../shared/settings';

export class SettingsStore {
  constructor(private readonly db: SqliteDatabase) {}

  get<K extends SettingName>(name: K): AppSettings[K] {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(name) as { value: string } | undefined;
    if (!row) return DEFAULT_SETTINGS[name];
    const parsed = settingSchemas[name].safeParse(JSON.parse(row.value));
    return parsed.success ? (parsed.data as AppSettings[K]) : DEFAULT_SETTINGS[name];
  }

  all(): AppSettings {
    return Object.fromEntries((Object.keys(settingSchemas) as SettingName[]).map((k) => [k, this.get(k)])) as AppSettings;
  }

  /** Validates the whole update first: an invalid value changes nothing. */
  update(update: unknown): AppSettings {
    const parsed = SettingsUpdateSchema.safeParse(update);
    if (!parsed.success) {
      throw new InvalidInputError(
        'The settings are not valid.',
        parsed.error.issues.map((i) => ({ path: jsonPath(i.path), message: i.message })),
      );
    }
    const write = this.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    this.db.transaction(() => {
      for (const [key, value] of Object.entries(parsed.data)) if (value !== undefined) write.run(key, JSON.stringify(value));
    })();
    return this.all();
  }
}
