import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { EntityManager } from 'typeorm';

/** Digits, spaces and the usual punctuation only; libphonenumber would also pick a number out of prose. */
const PHONE_CHARACTERS = /^\+?[0-9\s().\-/]+$/;

/**
 * A phone number as stored: E.164 digits without '+', e.g. '447911123456'. Input with '+' or '00'
 * is international; other input is read as a national number of `defaultCountry` when that gives
 * a valid number ('07911 123456' in GB), otherwise as international digits ('447911123456').
 * Null when it is not a valid number for its country (libphonenumber's length and prefix rules).
 */
export function normalizePhone(input: string, defaultCountry?: string | null): string | null {
  let text = input.trim();
  if (!PHONE_CHARACTERS.test(text)) return null;
  if (defaultCountry && !text.startsWith('+') && !text.startsWith('00')) {
    const national = parsePhoneNumberFromString(text, defaultCountry as CountryCode);
    if (national?.isValid()) return national.number.slice(1);
  }
  if (text.startsWith('00')) text = text.slice(2);
  if (!text.startsWith('+')) text = `+${text}`;
  const parsed = parsePhoneNumberFromString(text);
  if (!parsed || !parsed.isValid()) return null;
  return parsed.number.slice(1);
}

/** The tenant's country for numbers typed without a country code (master config), if set. */
export async function tenantDefaultCountry(manager: EntityManager): Promise<string | null> {
  const [row]: Array<{ default_country: string | null }> = await manager.query('SELECT default_country FROM master_config WHERE id = 1');
  return row?.default_country ?? null;
}
