import { badInput } from '../../kernel/errors.js';

export const MAX_EMAIL_LENGTH = 254;

// Deliberately permissive local part (RFC 5321 allows much); the domain needs a dot and sane labels.
const EMAIL_PATTERN = /^[^\s@]{1,64}@(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** An email address, trimmed and lower-cased so that one mailbox has one spelling. */
export class Email {
  private constructor(readonly value: string) {}

  static parse(input: string, field = 'email'): Email {
    const value = input.trim().toLowerCase();
    if (value.length > MAX_EMAIL_LENGTH || !EMAIL_PATTERN.test(value)) {
      throw badInput(field, 'Enter a valid email address');
    }
    return new Email(value);
  }

  get localPart(): string {
    return this.value.slice(0, this.value.lastIndexOf('@'));
  }

  toString(): string {
    return this.value;
  }
}
