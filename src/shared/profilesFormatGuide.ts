// The profiles@1 format in words, as the app shows it (the import dialog's format guide)
// and `replica-desk profiles format` prints it. Keep it in step with profiles.ts and the
// README's "Profiles file" section.

export interface FormatGuideSection {
  title: string;
  /** One paragraph or list item per line; `code` spans are written with backticks. */
  lines: string[];
}

export const PROFILES_FORMAT_GUIDE: FormatGuideSection[] = [
  {
    title: 'Database connection through SSH (db.tunnel)',
    lines: [
      'Leave `db.tunnel` out to connect directly, as before.',
      '`"tunnel": { "via": "host" }` reaches the database through the server\'s own SSH host (`host.access: "ssh"`, after its `host.jumpHosts`).',
      '`"tunnel": { "via": "ssh", "hostname": …, "port": 22, "user": …, "identityFile": …, "hostKey": "SHA256:…", "jumpHosts": [ … ] }` goes through an explicit SSH endpoint.',
      '`db.host` and `db.port` are then the database as the last hop sees it.',
    ],
  },
];
