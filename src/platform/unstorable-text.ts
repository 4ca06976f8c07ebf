/**
 * What PostgreSQL cannot store in text or jsonb: U+0000, and UTF-16 surrogates without their pair
 * (not Unicode at all). Both reach us in JSON ("\u0000", "\ud800") from webhooks and GraphQL.
 */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

export const hasUnstorableText = (text: string): boolean => UNSTORABLE.test(text);

/** The text with each unstorable character replaced by U+FFFD, the replacement character. */
export const replaceUnstorableText = (text: string): string => (UNSTORABLE.test(text) ? text.replace(UNSTORABLE_ALL, '\uFFFD') : text);
