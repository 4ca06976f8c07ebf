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
  const national = defaultCountry ? nationalPhone(text, defaultCountry) : null;
  if (national) return national;
  if (text.startsWith('00')) text = text.slice(2);
  if (!text.startsWith('+')) text = `+${text}`;
  const parsed = parsePhoneNumberFromString(text);
  if (!parsed || !parsed.isValid()) return null;
  return parsed.number.slice(1);
}

/** E.164 digits of a number written the national way in `country` ('07911 123456' in GB); null otherwise. */
export function nationalPhone(input: string, country: string): string | null {
  const text = input.trim();
  if (!PHONE_CHARACTERS.test(text) || text.startsWith('+') || text.startsWith('00')) return null;
  const parsed = parsePhoneNumberFromString(text, country as CountryCode);
  return parsed?.isValid() ? parsed.number.slice(1) : null;
}

/** The tenant's country for numbers typed without a country code (master config), if set. */
export async function tenantDefaultCountry(manager: EntityManager): Promise<string | null> {
  const [row]: Array<{ default_country: string | null }> = await manager.query('SELECT default_country FROM master_config WHERE id = 1');
  return row?.default_country ?? null;
}
