'use strict';
// The supervisor console's files (src/console): the browser TypeScript (src/console/web, its own
// tsconfig with the DOM library) compiled to ES modules in <outDir>/js, and src/console/static
// (index.html, console.css) copied to <outDir>. Used by scripts/build.js (outDir
// dist/console/static, where the daemon serves /console/ from) and by the tests (a temp dir).
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..');
const WEB_TSCONFIG = path.join(ROOT, 'src', 'console', 'web', 'tsconfig.json');
const STATIC_SRC = path.join(ROOT, 'src', 'console', 'static');

/** Returns { ok, output }: output is the compiler's messages when it failed. */
function buildConsole(outDir) {
  const tsc = require.resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', WEB_TSCONFIG, '--outDir', path.join(outDir, 'js')], { encoding: 'utf8' });
  if (r.status !== 0) return { ok: false, output: `${r.stdout || ''}${r.stderr || ''}`.trim() || `tsc exited ${r.status}` };
  fs.cpSync(STATIC_SRC, outDir, { recursive: true });
  return { ok: true, output: '' };
}

module.exports = { buildConsole, WEB_TSCONFIG };
