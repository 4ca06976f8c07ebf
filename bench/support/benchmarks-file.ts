import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';

const FILE = path.resolve(__dirname, '..', '..', '..', 'BENCHMARKS.md');
const HEADER = '# Benchmarks\n\nFigures written by the scripts under `bench/`; each section is replaced when its bench runs again.\n';

/**
 * BENCH_SMOKE=1: every bench at a tiny size, to prove it still runs (`npm run bench:smoke`, part
 * of `npm test`). Its figures mean nothing, so BENCHMARKS.md is left alone.
 */
export const SMOKE = process.env.BENCH_SMOKE === '1';

/**
 * A bench's size knob: the value of `source`, an environment variable (`BENCH_SECONDS`) or a
 * command-line option (`--seconds 5`), else the normal size, or the smoke size under BENCH_SMOKE.
 */
export function benchKnob(source: string, normal: number, smoke = normal): number {
  const index = source.startsWith('--') ? process.argv.indexOf(source) : -1;
  const given = source.startsWith('--') ? (index >= 0 ? process.argv[index + 1] : undefined) : process.env[source];
  const value = Number(given ?? (SMOKE ? smoke : normal));
  if (!Number.isFinite(value)) throw new Error(`${source} must be a number, not ${given}`);
  return value;
}

/** Replaces (or appends) the section `name` of BENCHMARKS.md, leaving other benches' sections alone. */
export function writeBenchmarkSection(name: string, markdown: string): void {
  if (SMOKE) {
    process.stderr.write(`smoke run: BENCHMARKS.md left alone (section ${name})\n`);
    return;
  }
  const begin = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const machine = `_${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}_`;
  const section = `${begin}\n${markdown.trim()}\n\n${machine}\n${end}`;
  const current = fs.existsSync(FILE) ? fs.readFileSync(FILE, 'utf8') : HEADER;
  const start = current.indexOf(begin);
  const stop = current.indexOf(end);
  const next = start >= 0 && stop > start
    ? current.slice(0, start) + section + current.slice(stop + end.length)
    : `${current.trimEnd()}\n\n${section}\n`;
  fs.writeFileSync(FILE, next);
}

/** Markdown table from rows of equal keys. */
export function markdownTable(rows: Array<Record<string, string | number>>): string {
  if (rows.length === 0) return '';
  const columns = Object.keys(rows[0]);
  const line = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
  return [line(columns), line(columns.map(() => '---')), ...rows.map((row) => line(columns.map((c) => row[c])))].join('\n');
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}
