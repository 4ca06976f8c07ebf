import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * test/fixtures, found from both the source tree (test/fakes) and the compiled tree
 * (dist/test/fakes), since tsc does not copy the JSON files.
 */
export function fixturesDir(): string {
  const candidates = [path.resolve(__dirname, '../fixtures'), path.resolve(__dirname, '../../../test/fixtures')];
  const found = candidates.find((candidate) => existsSync(path.join(candidate, 'waha')));
  if (!found) throw new Error(`test fixtures not found (looked in ${candidates.join(', ')})`);
  return found;
}

/** Raw text of a fixture, e.g. `waha/message.json`. */
export function readFixtureText(relative: string): string {
  return readFileSync(path.join(fixturesDir(), relative), 'utf8');
}

/** Parsed fixture; a fresh copy on every call so tests may mutate it. */
export function readFixture<T = Record<string, unknown>>(relative: string): T {
  return JSON.parse(readFixtureText(relative)) as T;
}
