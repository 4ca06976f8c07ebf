#!/usr/bin/env node
// Builds the web inbox (web/ → web/dist) with Vite when web/dist is missing or older than its
// sources (web/, clients/typescript/), then reports its JavaScript size gzipped and fails above the
// budget. `--force` builds anyway; `--size` only reports (`--size --record` writes BENCHMARKS.md).
// Skipped, with a note, when Vite is not installed (a production install without devDependencies serves whatever web/dist holds).
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const { execFileSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const webDir = path.join(root, 'web');
const distDir = path.join(webDir, 'dist');
const marker = path.join(distDir, 'index.html');
/** The budget for the inbox's JavaScript, gzipped (GraphiQL is served separately). */
const BUDGET_BYTES = 250 * 1024;

function newestMtime(target) {
  if (!fs.existsSync(target)) return 0;
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return fs
    .readdirSync(target)
    .filter((name) => name !== 'dist' && name !== 'node_modules')
    .reduce((newest, name) => Math.max(newest, newestMtime(path.join(target, name))), stat.mtimeMs);
}

function isStale() {
  if (!fs.existsSync(marker)) return true;
  const built = fs.statSync(marker).mtimeMs;
  const sources = [webDir, path.join(root, 'clients', 'typescript', 'src'), path.join(root, 'clients', 'typescript', 'generated')];
  return sources.some((source) => newestMtime(source) > built);
}

/** Every JavaScript file of the build, with its size raw and gzipped (level 9). */
function jsSizes() {
  const files = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.m?js$/.test(entry.name)) {
        const bytes = fs.readFileSync(full);
        files.push({ file: path.relative(distDir, full), raw: bytes.length, gzip: zlib.gzipSync(bytes, { level: 9 }).length });
      }
    }
  };
  walk(distDir);
  return files.sort((a, b) => b.gzip - a.gzip);
}

function reportSize() {
  const files = jsSizes();
  const total = files.reduce((sum, f) => sum + f.gzip, 0);
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  for (const f of files) process.stderr.write(`  ${f.file}: ${kb(f.raw)} raw, ${kb(f.gzip)} gzipped\n`);
  process.stderr.write(`Web inbox JavaScript: ${kb(total)} gzipped (budget ${kb(BUDGET_BYTES)})\n`);
  if (total > BUDGET_BYTES) {
    process.stderr.write(`The web inbox's JavaScript is over its budget by ${kb(total - BUDGET_BYTES)}\n`);
    process.exitCode = 1;
  }
  return total;
}

/** Writes the figures into BENCHMARKS.md's "Web inbox JavaScript" section (replacing it). */
function record(total) {
  const file = path.join(root, 'BENCHMARKS.md');
  const heading = '## Web inbox JavaScript (npm run web:size)';
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  const files = jsSizes();
  const section = [
    heading,
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on the production build (\`vite build\`, minified), each file`,
    'gzipped at level 9. Budget: 250 KB gzipped for all of the inbox\'s JavaScript; GraphiQL at',
    '/graphiql is served separately from node_modules and not counted. The build fails above the budget.',
    '',
    '| file | raw | gzipped |',
    '|---|---:|---:|',
    ...files.map((f) => `| ${f.file.replace(/-[A-Za-z0-9_-]{8}\.js$/, '.js')} | ${kb(f.raw)} | ${kb(f.gzip)} |`),
    `| **total** | ${kb(files.reduce((sum, f) => sum + f.raw, 0))} | **${kb(total)}** (${((total / BUDGET_BYTES) * 100).toFixed(0)}% of the budget) |`,
    '',
  ].join('\n');
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  const start = text.indexOf(heading);
  let next;
  if (start >= 0) {
    const after = text.indexOf('\n## ', start + heading.length);
    next = text.slice(0, start) + section + (after >= 0 ? text.slice(after + 1) : '');
  } else {
    next = `${text.trimEnd()}\n\n${section}`;
  }
  fs.writeFileSync(file, next);
  process.stderr.write(`Recorded in ${path.relative(root, file)}\n`);
}

function main() {
  const args = process.argv.slice(2);
  if (args.includes('--size')) {
    if (!fs.existsSync(marker)) throw new Error('web/dist does not exist: run `npm run web:build` first');
    const total = reportSize();
    if (args.includes('--record')) record(total);
    return;
  }
  build(args.includes('--force'));
}

/** Builds when web/dist is missing or stale (or always, with force), then checks the size. */
function build(force) {
  if (!force && !isStale()) return;
  let viteBin;
  try {
    viteBin = path.join(path.dirname(require.resolve('vite/package.json', { paths: [root] })), 'bin', 'vite.js');
  } catch {
    process.stderr.write('Vite is not installed (devDependencies): the web inbox is not rebuilt\n');
    return;
  }
  process.stderr.write('Building the web inbox (vite)...\n');
  execFileSync(process.execPath, [viteBin, 'build', '--config', path.join(webDir, 'vite.config.mts'), '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
  fs.utimesSync(marker, new Date(), new Date());
  if (reportSize() > BUDGET_BYTES) throw new Error('The web inbox is over its JavaScript budget');
}

if (require.main === module) main();
module.exports = { jsSizes, BUDGET_BYTES, buildIfStale: () => build(false) };
