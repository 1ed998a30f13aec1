#!/usr/bin/env node
'use strict';
// Runs the CLI built by `npm run build` (npm install builds it through the prepare script).
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const built = join(__dirname, '..', 'out', 'main', 'cli.js');
if (!existsSync(built)) {
  process.stderr.write(
    'replica-desk: the CLI has not been built yet (out/main/cli.js is missing).\n' +
      'hint: run `npm run build` in the Replica Desk checkout (npm install does this too).\n',
  );
  process.exit(1);
}
require(built);
