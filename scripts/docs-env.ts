import fs from 'node:fs';
import { README_PATH, schemaVariables, withEnvTable } from './env-table';
import { CONFIG_ENV_DOCS } from '../src/config-env-docs';

/**
 * `npm run docs:env`: rewrites the README's environment variable table from the config schema.
 * `--check`: exits 1 when the README is stale or a variable has no entry in src/config-env-docs.ts.
 */
const readme = fs.readFileSync(README_PATH, 'utf8');
const updated = withEnvTable(readme);
const missing = schemaVariables().filter((name) => !(name in CONFIG_ENV_DOCS));
if (process.argv.includes('--check')) {
  if (missing.length > 0) console.error(`Undocumented environment variables (add them to src/config-env-docs.ts): ${missing.join(', ')}`);
  if (updated !== readme) console.error('README.md environment table is stale: run `npm run docs:env`');
  process.exit(missing.length > 0 || updated !== readme ? 1 : 0);
}
fs.writeFileSync(README_PATH, updated);
if (missing.length > 0) console.error(`Undocumented environment variables (add them to src/config-env-docs.ts): ${missing.join(', ')}`);
console.log(updated === readme ? 'README.md environment table is up to date' : 'README.md environment table rewritten');
