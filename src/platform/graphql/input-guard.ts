import { Kind, visit, type DocumentNode } from 'graphql';
import { AppError, ErrorCode } from '../errors';
import { hasUnstorableText as isPoisonText } from '../unstorable-text';

/** Variables nested deeper than this are refused: no input of this API comes close. */
export const MAX_VARIABLE_DEPTH = 64;

/**
 * Refuses, with VALIDATION_FAILED, GraphQL input that no resolver should ever see: text holding
 * U+0000 or a lone surrogate (PostgreSQL rejects both, which surfaced as internal errors), in
 * the document's string literals or anywhere in the variables, and variables nested deeper than
 * MAX_VARIABLE_DEPTH (a 20,000-level value overflowed the stack of JSON.stringify and the cost
 * check). Runs once per operation on both transports, before anything else reads the variables.
 * The variables walk is iterative, so it cannot overflow on what it refuses.
 */
export function assertCleanInput(document: DocumentNode | undefined, variables: unknown): void {
  const stack: Array<{ value: unknown; depth: number; path: string }> = [{ value: variables, depth: 0, path: '' }];
  while (stack.length > 0) {
    const { value, depth, path } = stack.pop()!;
    if (typeof value === 'string') {
      if (isPoisonText(value)) throw poisonError(path || '(variables)');
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_VARIABLE_DEPTH) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, `Variables may be nested at most ${MAX_VARIABLE_DEPTH} levels deep`, {
        maxDepth: MAX_VARIABLE_DEPTH,
      });
    }
    for (const [key, child] of Object.entries(value)) {
      const childPath = path ? `${path}.${key}` : key;
      if (isPoisonText(key)) throw poisonError(childPath);
      stack.push({ value: child, depth: depth + 1, path: childPath });
    }
  }
  if (!document) return;
  visit(document, {
    [Kind.STRING]: (node) => {
      if (isPoisonText(node.value)) throw poisonError('(query text)');
    },
  });
}

function poisonError(field: string): AppError {
  const message = 'Text may not contain U+0000 or unpaired surrogate characters';
  return new AppError(ErrorCode.VALIDATION_FAILED, message, { fields: [{ field, messages: [message] }] });
}
