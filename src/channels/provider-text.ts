import { replaceUnstorableText } from '../platform/unstorable-text';

/**
 * Text from a provider as PostgreSQL can store it: U+0000 (text and jsonb refuse it) and lone
 * surrogates (not Unicode; jsonb refuses their escapes) become U+FFFD, the replacement character.
 * A customer's message with such bytes is still delivered, with a visible mark where they were.
 */
export function storableText(text: string): string {
  return replaceUnstorableText(text);
}

/**
 * storableText() applied to every string (values and keys) of decoded JSON, in place. Iterative:
 * a deeply nested body cannot overflow the stack here.
 */
export function storableJson<T>(value: T): T {
  if (typeof value === 'string') return storableText(value) as T;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null) continue;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i += 1) {
        if (typeof node[i] === 'string') node[i] = storableText(node[i]);
        else stack.push(node[i]);
      }
      continue;
    }
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const child = record[key];
      const cleanKey = storableText(key);
      const cleanChild = typeof child === 'string' ? storableText(child) : child;
      if (cleanKey !== key) delete record[key];
      // defineProperty, not assignment: a "__proto__" key from JSON.parse must stay a plain key.
      if (cleanKey !== key || cleanChild !== child) {
        Object.defineProperty(record, cleanKey, { value: cleanChild, enumerable: true, writable: true, configurable: true });
      }
      if (typeof cleanChild === 'object') stack.push(cleanChild);
    }
  }
  return value;
}
