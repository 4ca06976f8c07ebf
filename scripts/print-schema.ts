// Writes schema.graphql from the code (sorted, so diffs are stable); --check fails when stale.
import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { buildGraphQLSchema } from '../src/platform/graphql/schema-builder';
import { moduleResolvers } from '../src/modules/resolvers';

async function main(): Promise<number> {
  const schema = await buildGraphQLSchema({ resolvers: moduleResolvers, services: {} });
  const sdl = `# Generated from the code by \`npm run schema:print\`; do not edit.\n\n${printSchema(lexicographicSortSchema(schema))}\n`;
  const file = path.resolve(__dirname, '..', '..', 'schema.graphql');
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (current !== sdl) {
      console.error('schema.graphql is stale: run `npm run schema:print` and commit it.');
      return 1;
    }
    console.log('schema.graphql is up to date');
    return 0;
  }
  fs.writeFileSync(file, sdl);
  console.log(`wrote ${file}`);
  return 0;
}

main().then((code) => process.exit(code), (error) => { console.error(error); process.exit(1); });
