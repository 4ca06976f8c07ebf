/**
 * WhatsApp addresses as the unofficial engines spell them (WAHA):
 *   `<digits>@c.us` user, `<digits>@s.whatsapp.net` user (NOWEB internals), `<id>@g.us` group,
 *   `<id>@lid` hidden user id (no phone number), `<id>@newsletter` channel, `status@broadcast`.
 * NOWEB may add a device suffix (`<digits>:12@s.whatsapp.net`); it is not part of the user.
 */

export type AddressKind = 'user' | 'group' | 'lid' | 'newsletter' | 'broadcast' | 'other';

export interface WhatsAppAddress {
  /** The address normalised to WAHA's chat id spelling (`@s.whatsapp.net` becomes `@c.us`). */
  id: string;
  kind: AddressKind;
  /** E.164 digits without '+', only for `user` addresses. */
  phone: string | null;
}

const ADDRESS = /^([^@\s]+)@([a-z.]+)$/;

/** Parses a chat or author id; returns null for anything that is not an address. */
export function parseWhatsAppAddress(value: string): WhatsAppAddress | null {
  const match = ADDRESS.exec(value.trim());
  if (!match) return null;
  const [, userWithDevice, server] = match;
  const user = userWithDevice.split(':')[0];
  switch (server) {
    case 'c.us':
    case 's.whatsapp.net':
      return /^\d{5,15}$/.test(user) ? { id: `${user}@c.us`, kind: 'user', phone: user } : null;
    case 'g.us':
      return { id: `${user}@g.us`, kind: 'group', phone: null };
    case 'lid':
      return { id: `${user}@lid`, kind: 'lid', phone: null };
    case 'newsletter':
      return { id: `${user}@newsletter`, kind: 'newsletter', phone: null };
    case 'broadcast':
      return { id: `${user}@broadcast`, kind: 'broadcast', phone: null };
    default:
      return { id: `${user}@${server}`, kind: 'other', phone: null };
  }
}

/** E.164 digits from `+1 (650) 555-1234`, `16505551234` or `16505551234@c.us`; null when not a phone. */
export function toE164Digits(value: string): string | null {
  const trimmed = value.trim();
  if (trimmed.includes('@')) return parseWhatsAppAddress(trimmed)?.phone ?? null;
  const digits = trimmed.replace(/[\s()+.-]/g, '');
  return /^\d{5,15}$/.test(digits) ? digits : null;
}

/**
 * The WAHA chat id to send to: a phone (any spelling) becomes `<digits>@c.us`; group, lid and
 * other explicit addresses are kept. Throws on anything else so a typo never reaches WhatsApp.
 */
export function toWahaChatId(to: string): string {
  const trimmed = to.trim();
  if (trimmed.includes('@')) {
    const address = parseWhatsAppAddress(trimmed);
    if (!address || address.kind === 'broadcast') throw new TypeError(`not a WhatsApp chat id: ${to}`);
    return address.id;
  }
  const digits = toE164Digits(trimmed);
  if (!digits) throw new TypeError(`not a phone number: ${to}`);
  return `${digits}@c.us`;
}
