/** Emails are stored lower-cased and trimmed, so lookups are exact. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();
