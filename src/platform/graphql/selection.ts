import type { FieldNode, GraphQLResolveInfo, SelectionSetNode } from 'graphql';

/**
 * Looking ahead at what the client selected below the current field, through fragments and
 * aliases. Conservative: @skip/@include are not evaluated, so a conditionally selected field
 * counts as selected. For resolvers that fetch in one query what would otherwise take several.
 */

function fieldsIn(info: GraphQLResolveInfo, selectionSet: SelectionSetNode | undefined, visited = new Set<string>()): FieldNode[] {
  const fields: FieldNode[] = [];
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === 'Field') fields.push(selection);
    else if (selection.kind === 'InlineFragment') fields.push(...fieldsIn(info, selection.selectionSet, visited));
    else if (!visited.has(selection.name.value)) {
      visited.add(selection.name.value);
      fields.push(...fieldsIn(info, info.fragments[selection.name.value]?.selectionSet, visited));
    }
  }
  return fields;
}

/**
 * Names of the fields selected at `path` below the current field (e.g. ['edges', 'node',
 * 'contact']), merged over every alias and fragment; null when nothing at that path is selected.
 */
export function selectedFieldNames(info: GraphQLResolveInfo, path: readonly string[]): Set<string> | null {
  let level: FieldNode[] = [...info.fieldNodes];
  for (const name of path) {
    level = level.flatMap((node) => fieldsIn(info, node.selectionSet)).filter((node) => node.name.value === name);
    if (level.length === 0) return null;
  }
  return new Set(level.flatMap((node) => fieldsIn(info, node.selectionSet)).map((node) => node.name.value));
}

/** Whether `field` is selected directly under the current field. */
export function selectsField(info: GraphQLResolveInfo, field: string): boolean {
  return selectedFieldNames(info, [])?.has(field) ?? false;
}
