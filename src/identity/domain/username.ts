import { badInput } from '../../kernel/errors.js';

export const USERNAME_MIN_LENGTH = 3;
export const USERNAME_MAX_LENGTH = 32;
const USERNAME_PATTERN = /^[A-Za-z0-9_.-]+$/;

/**
 * Checks a username: 3–32 letters, digits, `_`, `.` or `-`. The spelling is kept as given;
 * uniqueness ignores case (a unique index on lower(username)) and lookalikes (a unique index on the
 * confusable skeleton, username-skeleton.ts: `aIice` with a capital i is taken when `alice` is).
 */
export function parseUsername(input: string, field = 'username'): string {
  const value = input.trim();
  if (value.length < USERNAME_MIN_LENGTH || value.length > USERNAME_MAX_LENGTH) {
    throw badInput(
      field,
      `Username must be ${USERNAME_MIN_LENGTH} to ${USERNAME_MAX_LENGTH} characters long`,
    );
  }
  if (!USERNAME_PATTERN.test(value)) {
    throw badInput(field, 'Username may contain only letters, digits, "_", "." and "-"');
  }
  return value;
}
