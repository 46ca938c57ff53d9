import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import { badInput } from '../../kernel/errors.js';
import { PASSWORD_MAX_LENGTH } from '../../kernel/password-limits.js';

export const SERVICE_NAME = 'elcorp';
/** zxcvbn scores 0–4; a password built on a common one must reach this to pass. */
const MIN_SCORE_WITH_COMMON_PART = 3;

// Only the common-password list (with keyboard graphs for patterns): the English
// word lists would add ~50 MB of memory for a score the policy does not rely on alone.
const estimator = new ZxcvbnFactory({
  dictionary: { 'passwords-common': common.dictionary['passwords-common'] },
  graphs: common.adjacencyGraphs,
  // The l33t matcher is exponential in the password length: with substitutions enabled a
  // 128-character password held the event loop for over 2 s. Common passwords in their usual
  // l33t spellings are in the list itself.
  l33tMaxSubstitutions: 0,
});
/** Only the start of a long password is estimated: a common password is not hidden behind 64 characters. */
const ESTIMATED_PREFIX = 64;

/** Length in Unicode code points, so an emoji counts once, not as two UTF-16 units. */
export const codePointLength = (s: string) => [...s].length;

export interface PasswordContext {
  username?: string;
  email?: string;
}

/**
 * The password policy for every new password (registration and change):
 * length in code points, no composition rules, nothing built on a common
 * password (zxcvbn-ts's list, with its case, l33t and reversal variants) unless
 * the rest makes it strong, and not containing the username, the email's local
 * part or the service name. Throws BAD_USER_INPUT on `field` with the reason.
 */
export function checkPassword(
  password: string,
  opts: { minLength: number; context?: PasswordContext },
  field = 'password',
): void {
  const length = codePointLength(password);
  if (length < opts.minLength)
    throw badInput(field, `Password must be at least ${opts.minLength} characters long`);
  if (length > PASSWORD_MAX_LENGTH)
    throw badInput(field, `Password must be at most ${PASSWORD_MAX_LENGTH} characters long`);

  const lower = password.toLowerCase();
  const localPart = opts.context?.email?.split('@')[0];
  const forbidden: [string | undefined, string][] = [
    [opts.context?.username, 'Password must not contain your username'],
    [localPart, 'Password must not contain your email address'],
    [SERVICE_NAME, `Password must not contain "${SERVICE_NAME}"`],
  ];
  for (const [part, reason] of forbidden) {
    if (part && part.length >= 3 && lower.includes(part.toLowerCase())) throw badInput(field, reason);
  }

  const result = estimator.check([...password].slice(0, ESTIMATED_PREFIX).join(''));
  const commonPart = result.sequence.some(
    (m) => m.pattern === 'dictionary' && m.dictionaryName === 'passwords-common',
  );
  if (commonPart && result.score < MIN_SCORE_WITH_COMMON_PART) {
    throw badInput(field, 'Password is too common or too easy to guess; try a longer passphrase');
  }
}
