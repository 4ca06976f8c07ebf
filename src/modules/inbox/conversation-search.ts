/** Escapes LIKE wildcards so a search for '50%' means the characters. */
const likePrefix = (text: string) => `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** What a phone number is typed with; anything else is a name. */
const PHONE_LIKE = /^[+0-9\s().\-/]+$/;

/**
 * The conversations whose contact matches `search`, as a condition on `conversations c`: the
 * contact's name starts with it or has a word starting with each of its words (case-insensitive),
 * or, when it looks like a phone number, the contact's phone starts with its digits. Each part
 * has an index of contacts (IDX_contacts_name_lower, IDX_contacts_name_words,
 * IDX_contacts_phone_prefix), and conversations are reached by UQ_conversations_contact_session.
 * Soft-deleted contacts count: their conversations stay in the inbox. Null when there is nothing
 * to search for.
 */
export function contactSearchCondition(search: string, bind: (value: unknown) => string): string | null {
  const text = search.trim().toLowerCase();
  if (!text) return null;
  const parts = [`lower(s.name) LIKE ${bind(likePrefix(text))}`];
  // Words of letters and digits only, so the tsquery needs no quoting: 'anna':* & 'smi':*
  const words = text.split(/[^\p{L}\p{N}]+/u).filter(Boolean).slice(0, 8);
  if (words.length) {
    parts.push(`to_tsvector('simple', s.name) @@ to_tsquery('simple', ${bind(words.map((word) => `'${word}':*`).join(' & '))})`);
  }
  const digits = text.replace(/[^0-9]/g, '');
  if (PHONE_LIKE.test(text) && digits.length > 0) parts.push(`s.phone LIKE ${bind(likePrefix(digits))}`);
  return `c.contact_id IN (SELECT s.id FROM contacts s WHERE ${parts.join(' OR ')})`;
}
