import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { README_PATH, renderEnvTable, schemaVariables, withEnvTable } from '../../scripts/env-table';
import { CONFIG_ENV_DOCS, OTHER_ENV_DOCS } from '../../src/config-env-docs';

const ROOT = path.dirname(README_PATH);

/** Upper-case variables read as `process.env.X`, `env.X` or `env['X']` in the given folders' TypeScript files. */
function variablesReadIn(folders: string[]): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) {
        const text = fs.readFileSync(full, 'utf8');
        for (const match of text.matchAll(/\benv(?:\.([A-Z][A-Z0-9_]{2,})|\[['"]([A-Z][A-Z0-9_]{2,})['"]\])/g)) {
          found.set(match[1] ?? match[2], path.relative(ROOT, full));
        }
      }
    }
  };
  for (const folder of folders) walk(path.join(ROOT, folder));
  return found;
}

describe('operations: every environment variable is documented in the README table', () => {
  test('every variable of the config schema has an entry (src/config-env-docs.ts)', () => {
    const missing = schemaVariables().filter((name) => !(name in CONFIG_ENV_DOCS));
    assert.deepEqual(missing, [], `undocumented: ${missing.join(', ')} — add them to src/config-env-docs.ts, then npm run docs:env`);
    const stale = Object.keys(CONFIG_ENV_DOCS).filter((name) => !schemaVariables().includes(name));
    assert.deepEqual(stale, [], `documented but not in the schema: ${stale.join(', ')}`);
  });

  test('every variable the server, the CLI and the scripts read is documented', () => {
    const documented = new Set([...Object.keys(CONFIG_ENV_DOCS), ...Object.keys(OTHER_ENV_DOCS)]);
    const read = variablesReadIn(['src', 'scripts']);
    const undocumented = [...read].filter(([name]) => !documented.has(name) && !['HOME', 'PATH'].includes(name));
    assert.deepEqual(undocumented, [], `read but undocumented: ${JSON.stringify(undocumented)}`);
  });

  test('the README table is the generated one (npm run docs:env)', () => {
    const readme = fs.readFileSync(README_PATH, 'utf8');
    assert.equal(withEnvTable(readme), readme, 'README.md is stale: run npm run docs:env');
    for (const name of ['EMBEDDED_PG_PORT', 'GRAPHQL_INTROSPECTION', 'METRICS_TOKEN']) assert.match(readme, new RegExp(`\\| \`${name}\` \\|`));
  });

  test('a README missing a row is found stale, and an undocumented variable is flagged in the table', () => {
    const readme = fs.readFileSync(README_PATH, 'utf8');
    const without = readme.replace(/^\| `EMBEDDED_PG_PORT` .*\n/m, '');
    assert.notEqual(without, readme);
    assert.notEqual(withEnvTable(without), without);
    const saved = CONFIG_ENV_DOCS.EMBEDDED_PG_PORT;
    delete CONFIG_ENV_DOCS.EMBEDDED_PG_PORT;
    try {
      assert.match(renderEnvTable(), /\| `EMBEDDED_PG_PORT` \| `54329` \| \*\*UNDOCUMENTED\*\*/);
    } finally {
      CONFIG_ENV_DOCS.EMBEDDED_PG_PORT = saved;
    }
  });
});
