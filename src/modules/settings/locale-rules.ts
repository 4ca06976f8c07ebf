/** The IANA name Intl knows a zone by ('utc' → 'UTC'), or null for anything that is not a zone name. */
export function canonicalTimeZone(timeZone: string): string | null {
  // Newer engines also accept offsets such as '+01:00'; business hours need a real zone (DST).
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(timeZone)) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** The canonical BCP 47 tag ('pt-br' → 'pt-BR'), or null. */
export function canonicalLocale(locale: string): string | null {
  try {
    const [canonical] = Intl.getCanonicalLocales(locale);
    return canonical && canonical.length <= 35 ? canonical : null;
  } catch {
    return null;
  }
}
