#!/usr/bin/env node
// Compiles with tsc when dist/ is missing or older than any source file, so `npm start` and the
// CLI commands work straight after `npm install` and after every edit; then builds the web inbox
// (scripts/build-web.js) when web/dist is older than its sources.
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const marker = path.join(root, 'dist', 'src', 'main.js');

function newestMtime(target) {
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return target.endsWith('.ts') ? stat.mtimeMs : 0;
  return fs.readdirSync(target).reduce((newest, name) => Math.max(newest, newestMtime(path.join(target, name))), 0);
}

const sources = ['src', 'migrations', 'scripts', 'test', 'bench', 'clients/typescript/src', 'clients/typescript/generated', 'clients/typescript/examples', 'ormconfig.ts', 'tsconfig.json']
  .map((name) => path.join(root, name))
  .filter((file) => fs.existsSync(file));
const built = fs.existsSync(marker) ? fs.statSync(marker).mtimeMs : 0;
const stale = sources.some((source) => {
  const stat = fs.statSync(source);
  return (stat.isDirectory() ? newestMtime(source) : stat.mtimeMs) > built;
});
if (stale) {
  process.stderr.write('Compiling TypeScript (tsc)...\n');
  fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit' });
  fs.utimesSync(marker, new Date(), new Date());
}
require('./build-web.js').buildIfStale();
