// Writes schema.graphql from the code (sorted, so diffs are stable); --check fails when stale.
import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { buildAppSchema, createAppModules, type PlatformServices } from '../src/app';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/platform/logger';

/**
 * The modules are built (not started) to get their resolvers; printing never calls them, so the
 * services that would need a database are stand-ins that fail loudly if touched.
 */
function schemaOnlyPlatform(): PlatformServices {
  const unavailable = new Proxy({}, {
    get: (_target, property) => {
      throw new Error(`${String(property)}: no platform services while printing the schema`);
    },
  }) as never;
  return {
    config: loadConfig({}),
    log: createLogger('silent'),
    control: unavailable,
    tokens: unavailable,
    memberships: unavailable,
    identityChanges: unavailable,
    authenticator: unavailable,
    registry: unavailable,
    router: unavailable,
    provisioner: unavailable,
    dispatcher: unavailable,
    tenancyMode: 'database',
    events: unavailable,
    storage: unavailable,
    secrets: unavailable,
    mediaUrls: unavailable,
    jobs: unavailable,
    rateLimits: unavailable,
    ownUrl: () => null,
  };
}

async function main(): Promise<number> {
  const modules = createAppModules(schemaOnlyPlatform());
  const schema = await buildAppSchema(modules);
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
