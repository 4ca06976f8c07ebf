import { parsePhoneNumberFromString } from 'libphonenumber-js';

/** Digits, spaces and the usual punctuation only; libphonenumber would also pick a number out of prose. */
const PHONE_CHARACTERS = /^\+?[0-9\s().\-/]+$/;

/**
 * A phone number as stored: E.164 digits without '+', e.g. '447911123456'. Input is taken as
 * international ('+44 7911 123456', '0044 7911 123456' or '447911123456'); null when it is not a
 * valid number for its country (libphonenumber's length and prefix rules).
 */
export function normalizePhone(input: string): string | null {
  let text = input.trim();
  if (!PHONE_CHARACTERS.test(text)) return null;
  if (text.startsWith('00')) text = text.slice(2);
  if (!text.startsWith('+')) text = `+${text}`;
  const parsed = parsePhoneNumberFromString(text);
  if (!parsed || !parsed.isValid()) return null;
  return parsed.number.slice(1);
}
