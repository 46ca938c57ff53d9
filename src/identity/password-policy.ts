import { badInput } from '../shared/errors.js';

export const PASSWORD_MAX_LENGTH = 128;
export const PASSWORD_DEFAULT_MIN_LENGTH = 12;
/** The configurable minimum never goes below this. */
export const PASSWORD_FLOOR_MIN_LENGTH = 8;

/** Length in Unicode code points, so an emoji counts once, not as two UTF-16 units. */
export const codePointLength = (s: string) => [...s].length;

/** Checks a new password; throws BAD_USER_INPUT on `field` with the reason. */
export function checkPassword(password: string, opts: { minLength: number }, field = 'password'): void {
  const length = codePointLength(password);
  if (length < opts.minLength)
    throw badInput(field, `Password must be at least ${opts.minLength} characters long`);
  if (length > PASSWORD_MAX_LENGTH)
    throw badInput(field, `Password must be at most ${PASSWORD_MAX_LENGTH} characters long`);
}
