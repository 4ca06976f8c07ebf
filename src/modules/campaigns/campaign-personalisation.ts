/** What a campaign message may name about its recipient and the business. */
export interface PersonalisationValues {
  /** The contact's name; a name that is only the phone number counts as none. */
  name: string | null;
  phone: string | null;
  business: string | null;
}

const PLACEHOLDER = /\{\{\s*(name|phone|business)\s*(?:\|([^}]*))?\}\}/gi;

/**
 * Fills `{{name}}`, `{{phone}}` and `{{business}}`, each with an optional fallback after a bar
 * (`{{name|there}}`) for when the value is unknown; unknown placeholders stay as written.
 */
export function personalise(body: string, values: PersonalisationValues): string {
  return body.replace(PLACEHOLDER, (_match, key: string, fallback: string | undefined) => {
    const value = values[key.toLowerCase() as keyof PersonalisationValues];
    return value?.trim() ? value.trim() : (fallback ?? '').trim();
  });
}

/** The values of one contact; contacts made from a phone number carry the number as their name. */
export function contactValues(contact: { name: string | null; phone: string | null }, business: string | null): PersonalisationValues {
  const name = contact.name && contact.name !== contact.phone && !/^\+?[0-9 ]+$/.test(contact.name) ? contact.name : null;
  return { name, phone: contact.phone ? `+${contact.phone}` : null, business: business || null };
}
