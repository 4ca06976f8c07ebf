import { getMetadataStorage, registerDecorator, validate, type ValidationError, type ValidatorOptions } from 'class-validator';
import { ArgumentValidationError, type ValidatorFn } from 'type-graphql';

const OPTIONS: ValidatorOptions = { skipMissingProperties: true, forbidUnknownValues: false };
/** class-validator's names for "at least N characters". */
const MIN_LENGTH_RULES = new Set(['isLength', 'minLength']);
const NOT_BLANK = 'isNotBlank';

/**
 * Validates resolver arguments with class-validator, as type-graphql does by default, except:
 * - only instances of input classes are validated. A scalar's object value (a JSON argument
 *   written inline is an object without a prototype) has no rules, and handing it to
 *   class-validator made it throw, which crashed the error formatter.
 * - a string that must have at least one character (`@Length(1, n)`, `@MinLength(n)`) must
 *   also have one that is not white space: names of contacts, labels, groups, organisations and
 *   members were stored empty. Applied here to every input class at once (see requireNonBlank).
 */
export const validateArgument: ValidatorFn = async (value) => {
  const items = (Array.isArray(value) ? value : [value]).filter(isInputInstance);
  if (items.length === 0) return;
  const errors: ValidationError[] = [];
  for (const item of items) errors.push(...(await validate(item, OPTIONS)));
  if (errors.length > 0) throw new ArgumentValidationError(errors);
};

function isInputInstance(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype !== null && prototype !== Object.prototype && prototype !== Array.prototype;
}

let registered = false;

/**
 * Adds a not-blank rule next to every minimum-length rule of at least one character that
 * input classes declared. Call once, after the resolvers (and so their input classes) are loaded.
 */
export function requireNonBlank(): void {
  if (registered) return;
  registered = true;
  const storage = getMetadataStorage() as unknown as {
    validationMetadatas: Map<Function, Array<{ name?: string; propertyName: string; constraints?: unknown[]; each?: boolean; groups?: string[]; always?: boolean; target: Function | string }>>;
  };
  const seen = new Set<string>();
  for (const [target, metadatas] of storage.validationMetadatas) {
    if (typeof target !== 'function') continue;
    for (const metadata of metadatas) {
      const min = metadata.constraints?.[0];
      if (!metadata.name || !MIN_LENGTH_RULES.has(metadata.name) || typeof min !== 'number' || min < 1) continue;
      const key = `${target.name}.${metadata.propertyName}`;
      if (seen.has(key)) continue;
      seen.add(key);
      registerDecorator({
        name: NOT_BLANK,
        target,
        propertyName: metadata.propertyName,
        options: { each: metadata.each, groups: metadata.groups, always: metadata.always, message: `${metadata.propertyName} must not be blank` },
        validator: { validate: (text: unknown) => typeof text !== 'string' || text.trim().length > 0 },
      });
    }
  }
}
