// The schema as a contract. `--breaking`: compares schema.graphql with the last released copy
// (docs/schema.released.graphql) and fails on a breaking change that CHANGELOG.md does not
// announce (its coordinate, e.g. `Query.me`, in backticks). `--descriptions`: prints every public
// type, field, argument and enum value without a description (exit 1 when there is one beyond
// the baseline docs/schema-undocumented.txt; `--write-baseline` rewrites that file).
import fs from 'node:fs';
import path from 'node:path';
import { buildSchema, isEnumType, isInputObjectType, isInterfaceType, isObjectType, isIntrospectionType, isSpecifiedScalarType, type GraphQLSchema } from 'graphql';
import { diff, CriticalityLevel } from '@graphql-inspector/core';

const root = path.resolve(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

/** Schema coordinates (`Type`, `Type.field`, `Type.field(arg:)`, `Enum.VALUE`) that have no description. */
export function undocumented(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  const blank = (text: string | null | undefined) => !text || !text.trim();
  for (const type of Object.values(schema.getTypeMap())) {
    if (isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
    if (blank(type.description)) missing.push(type.name);
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (blank(field.description)) missing.push(`${type.name}.${field.name}`);
        for (const arg of 'args' in field ? field.args : []) if (blank(arg.description)) missing.push(`${type.name}.${field.name}(${arg.name}:)`);
      }
    }
    if (isEnumType(type)) for (const value of type.getValues()) if (blank(value.description)) missing.push(`${type.name}.${value.name}`);
  }
  return missing.sort();
}

export const BASELINE_FILE = 'docs/schema-undocumented.txt';

export function baseline(): Set<string> {
  const file = path.join(root, BASELINE_FILE);
  if (!fs.existsSync(file)) return new Set();
  return new Set(read(BASELINE_FILE).split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#')));
}

/** Breaking changes from the released schema that CHANGELOG.md does not announce. */
export async function unannouncedBreakingChanges(
  sources: { released?: string; current?: string; changelog?: string } = {},
): Promise<Array<{ path: string; message: string }>> {
  const released = buildSchema(sources.released ?? read('docs/schema.released.graphql'));
  const current = buildSchema(sources.current ?? read('schema.graphql'));
  const changelog = sources.changelog ?? (fs.existsSync(path.join(root, 'CHANGELOG.md')) ? read('CHANGELOG.md') : '');
  const changes = await diff(released, current);
  return changes
    .filter((change) => change.criticality.level === CriticalityLevel.Breaking)
    .map((change) => ({ path: change.path ?? '(schema)', message: change.message }))
    .filter((change) => !changelog.includes(`\`${change.path}\``));
}

async function main(): Promise<number> {
  if (process.argv.includes('--breaking')) {
    const unannounced = await unannouncedBreakingChanges();
    for (const change of unannounced) console.error(`BREAKING, not announced in CHANGELOG.md: ${change.path}: ${change.message}`);
    if (unannounced.length === 0) console.log('no unannounced breaking change against docs/schema.released.graphql');
    return unannounced.length === 0 ? 0 : 1;
  }
  const missing = undocumented(buildSchema(read('schema.graphql')));
  if (process.argv.includes('--write-baseline')) {
    fs.writeFileSync(path.join(root, BASELINE_FILE), `# Public schema coordinates still without a description (shrink me; never add to me).\n${missing.join('\n')}\n`);
    console.log(`wrote ${missing.length} coordinates to ${BASELINE_FILE}`);
    return 0;
  }
  const known = baseline();
  const fresh = missing.filter((coordinate) => !known.has(coordinate));
  if (process.argv.includes('--all')) for (const coordinate of missing) console.log(coordinate);
  else for (const coordinate of fresh) console.log(coordinate);
  console.error(`${missing.length} undocumented in all, ${fresh.length} beyond the baseline ${BASELINE_FILE}`);
  return fresh.length === 0 ? 0 : 1;
}

if (require.main === module) {
  main().then((code) => process.exit(code), (error) => {
    console.error(error);
    process.exit(1);
  });
}
