#!/usr/bin/env node
'use strict';
// Thin launcher: the compiled CLI lives in dist/ (built by `npm ci` through the prepare script).
const path = require('path');
const fs = require('fs');
const entry = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!fs.existsSync(entry)) {
  process.stderr.write('callcenterd: not built yet, run `npm run build` (npm ci does it for you)\n');
  process.exit(1);
}
require(entry).main(process.argv).catch((err) => {
  process.stderr.write(`callcenterd: ${err && err.message ? err.message : String(err)}\n`);
  process.exit(1);
});
