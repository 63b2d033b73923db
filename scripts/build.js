#!/usr/bin/env node
'use strict';
// `npm run build` and npm's `prepare` (run by `npm ci`): compile src/ into dist/ with the TypeScript
// dev dependency. Installed without dev dependencies (`npm ci --omit=dev`) there is no compiler:
// say what to do instead of npm's bare "sh: tsc: not found" (exit 127).
const { spawnSync } = require('child_process');
const path = require('path');

let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc');
} catch {
  process.stderr.write(
    'callcenterd: cannot build dist/: TypeScript (a dev dependency) is not installed.\n' +
      '  Install with the dev dependencies, then drop them: npm ci && npm prune --omit=dev\n',
  );
  process.exit(1);
}
const r = spawnSync(process.execPath, [tsc, '-p', path.join(__dirname, '..', 'tsconfig.build.json')], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status === null ? 1 : r.status);
// The supervisor console (browser code, its own tsconfig) next to its module: dist/console/static.
const { buildConsole } = require('./build-console');
const consoleBuild = buildConsole(path.join(__dirname, '..', 'dist', 'console', 'static'));
if (!consoleBuild.ok) {
  process.stderr.write(`callcenterd: cannot build the supervisor console:\n${consoleBuild.output}\n`);
  process.exit(1);
}
