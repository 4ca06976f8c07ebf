import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as english from '@zxcvbn-ts/language-en';
import { invalidField } from '../../platform/errors';

export interface PasswordRules {
  minLength: number;
  /** zxcvbn's 0 (guessable in a few tries) to 4 (very unguessable). */
  minScore: number;
}

export const MAX_PASSWORD_LENGTH = 200;

/** Warnings that mean the password is on (or close to) a list of common passwords. */
const COMMON_WARNINGS = new Set(['topTen', 'topHundred', 'common', 'similarToCommon', 'pwned']);

let estimator: ZxcvbnFactory | null = null;
/** Built on first use: the dictionaries take a moment to load and most processes never need them. */
const strength = () =>
  (estimator ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...english.dictionary },
    graphs: common.adjacencyGraphs,
    translations: english.translations,
  }));

/**
 * Why a password is refused, or null when it is acceptable: too short, only spaces, or too easy
 * to guess by zxcvbn's estimate (common passwords, sequences, repeats, the user's own name or
 * email count against it).
 */
export function passwordProblem(password: string, rules: PasswordRules, userInputs: string[] = []): string | null {
  if (password.length < rules.minLength) return `too short: use at least ${rules.minLength} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `too long: use at most ${MAX_PASSWORD_LENGTH} characters`;
  if (!password.trim()) return 'too weak: it is only spaces';
  const inputs = userInputs.flatMap((input) => [input, ...input.split(/[@\s.]+/)]).filter((input) => input.length >= 3);
  const result = strength().check(password, inputs);
  if (result.score >= rules.minScore) return null;
  const warningKey = Object.entries(english.translations.warnings).find(([, text]) => text === result.feedback.warning)?.[0];
  const hint = result.feedback.warning ?? result.feedback.suggestions[0] ?? 'add more words or characters';
  return `${warningKey && COMMON_WARNINGS.has(warningKey) ? 'too common' : 'too easy to guess'}: ${hint}`;
}

/** Throws VALIDATION_FAILED (field `password`) with the reason when the password is refused. */
export function assertStrongPassword(password: string, rules: PasswordRules, userInputs: string[] = [], field = 'password'): void {
  const problem = passwordProblem(password, rules, userInputs);
  if (problem) throw invalidField(field, `The password is ${problem}`);
}

/** The rules from the configuration. */
export const passwordRules = (config: { PASSWORD_MIN_LENGTH: number; PASSWORD_MIN_SCORE: number }): PasswordRules => ({
  minLength: config.PASSWORD_MIN_LENGTH,
  minScore: config.PASSWORD_MIN_SCORE,
});
