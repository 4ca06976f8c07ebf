/**
 * The one place that says how an auto-reply pattern is matched, used both to validate rules and
 * (later) by the evaluator, so what was validated is what runs.
 *
 * JavaScript regexes backtrack and cannot be interrupted, so REGEX rules are limited to patterns
 * that stay cheap: at most MAX_PATTERN_LENGTH characters, no backreferences, no repeated group that
 * itself contains a quantifier or an alternation (`(a+)+`, `(a|a)*`: exponential), at most
 * MAX_UNBOUNDED_QUANTIFIERS unbounded quantifiers (polynomial blow-up), and matching only ever
 * looks at the first MAX_MATCHED_CHARS characters of a message.
 */
export const MAX_PATTERN_LENGTH = 300;
export const MAX_KEYWORD_LENGTH = 200;
export const MAX_UNBOUNDED_QUANTIFIERS = 3;
export const MAX_MATCHED_CHARS = 1024;
/** `{n,m}` with m above this counts as unbounded. */
const MAX_BOUNDED_REPEAT = 10;

/** Case-insensitive, Unicode-aware. */
export const compileAutoReplyPattern = (pattern: string) => new RegExp(pattern, 'iu');

/** Whether `text` triggers a REGEX rule compiled by compileAutoReplyPattern. */
export const regexMatches = (regex: RegExp, text: string) => regex.test(text.slice(0, MAX_MATCHED_CHARS));

/** Keyword rules match a whole word or phrase, case-insensitively (punctuation separates words). */
export function keywordMatches(keyword: string, text: string): boolean {
  const haystack = ` ${text.slice(0, MAX_MATCHED_CHARS).toLocaleLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ')} `;
  const needle = keyword.toLocaleLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  return needle.length > 0 && haystack.includes(` ${needle} `);
}

/** Why a REGEX pattern is refused, or null when it is acceptable. */
export function regexPatternProblem(pattern: string): string | null {
  if (pattern.length === 0) return 'pattern must not be empty';
  if (pattern.length > MAX_PATTERN_LENGTH) return `pattern must be at most ${MAX_PATTERN_LENGTH} characters`;
  try {
    compileAutoReplyPattern(pattern);
  } catch (error) {
    return `pattern is not a valid regular expression: ${(error as Error).message}`;
  }
  return backtrackingProblem(pattern);
}

interface GroupFrame {
  hasQuantifier: boolean;
  hasUnbounded: boolean;
  hasAlternation: boolean;
}

const atom = (): GroupFrame => ({ hasQuantifier: false, hasUnbounded: false, hasAlternation: false });

/**
 * A small scan of a pattern that already compiled (so its syntax is sound): tracks groups and
 * quantifiers, skipping escapes and character classes.
 */
function backtrackingProblem(pattern: string): string | null {
  const stack: GroupFrame[] = [atom()];
  let unbounded = 0;
  // What the next quantifier would apply to: a group just closed, or a single atom.
  let lastAtom: GroupFrame | null = null;
  let i = 0;
  while (i < pattern.length) {
    const char = pattern[i];
    if (char === '\\') {
      const next = pattern[i + 1];
      if (/[1-9]/.test(next) || (next === 'k' && pattern[i + 2] === '<')) return 'backreferences are not allowed';
      if ((next === 'p' || next === 'P' || next === 'u') && pattern[i + 2] === '{') i = pattern.indexOf('}', i) + 1;
      else i += 2;
      lastAtom = atom();
      continue;
    }
    if (char === '[') {
      i += 1;
      while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
      i += 1;
      lastAtom = atom();
      continue;
    }
    if (char === '(') {
      stack.push(atom());
      const named = /^\(\?<(?![=!])/.test(pattern.slice(i));
      i += named ? pattern.indexOf('>', i) - i + 1 : pattern.startsWith('(?<=', i) || pattern.startsWith('(?<!', i) ? 4 : pattern[i + 1] === '?' ? 3 : 1;
      lastAtom = null;
      continue;
    }
    if (char === ')') {
      const group = stack.pop()!;
      const parent = stack[stack.length - 1];
      parent.hasQuantifier ||= group.hasQuantifier;
      parent.hasUnbounded ||= group.hasUnbounded;
      parent.hasAlternation ||= group.hasAlternation;
      lastAtom = group;
      i += 1;
      continue;
    }
    if (char === '|') {
      stack[stack.length - 1].hasAlternation = true;
      lastAtom = null;
      i += 1;
      continue;
    }
    const quantifier = /^(?:[*+?]|\{(\d+)(,(\d*))?\})/.exec(pattern.slice(i));
    if (quantifier && lastAtom) {
      const [text, , comma, max] = quantifier;
      const isUnbounded = text === '*' || text === '+' || (comma !== undefined && (max === '' || Number(max) > MAX_BOUNDED_REPEAT));
      const repeats = isUnbounded || (text !== '?' && Number(comma === undefined ? quantifier[1] : max) > 1);
      // (a+)+ and (a|a)* are exponential; (a+){5} is a polynomial of degree 5. (\d{1,3}\.){3} is fine.
      if ((isUnbounded && (lastAtom.hasQuantifier || lastAtom.hasAlternation)) || (repeats && lastAtom.hasUnbounded)) {
        return 'a repeated group must not contain a nested quantifier or alternation (catastrophic backtracking)';
      }
      if (isUnbounded && ++unbounded > MAX_UNBOUNDED_QUANTIFIERS) {
        return `at most ${MAX_UNBOUNDED_QUANTIFIERS} unbounded quantifiers (*, +, {n,}) are allowed`;
      }
      stack[stack.length - 1].hasQuantifier = true;
      if (isUnbounded) stack[stack.length - 1].hasUnbounded = true;
      i += text.length;
      if (pattern[i] === '?') i += 1; // lazy
      lastAtom = null;
      continue;
    }
    lastAtom = atom();
    i += 1;
  }
  return null;
}
