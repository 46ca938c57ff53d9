import { domainToASCII } from 'node:url';
import { badInput } from '../../kernel/errors.js';

export const MAX_EMAIL_LENGTH = 254;
const MAX_LOCAL_PART_LENGTH = 64;

/*
 * The address policy: every stored address is ASCII, so no two can look alike through Unicode.
 *
 * Local part: an RFC 5321 dot-atom in ASCII only: letters, digits and ! # $ % & ' * + - / = ? ^ _
 * ` { | } ~, in runs joined by single dots (none leading, trailing or doubled). Quoted local parts
 * and internationalised (SMTPUTF8) local parts are refused, and with them every invisible, control
 * and direction character and every lookalike of a Latin letter (Cyrillic а, Greek ο, fullwidth ａ,
 * the Kelvin sign, …). The check is made on the text as typed, before lower-casing.
 *
 * Domain: stored in ASCII. An internationalised domain is accepted and stored as its punycode
 * A-labels (UTS #46 processing, as browsers do: case-folded and compatibility-normalised), so
 * `münchen.de` is stored as `xn--mnchen-3ya.de`, and a lookalike of an ASCII domain (`exаmple.com`
 * with a Cyrillic а) is stored, and shown, as a visibly different `xn--…` name. Control, format
 * (zero-width, bidi) and space characters in the domain are refused, not silently dropped.
 *
 * Different ASCII spellings (`a1ice` and `alice`) are different mailboxes and both allowed.
 */
const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const LOCAL_PART = new RegExp(`^${ATOM}(?:\\.${ATOM})*$`);
const DOMAIN =
  /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
const PRINTABLE_ASCII = /^[\x21-\x7e]*$/;
const UNSAFE_IN_DOMAIN = /[\p{Cc}\p{Cf}\p{Z}\p{Cs}]/u;

/** An email address, trimmed and lower-cased so that one mailbox has one spelling (see the policy above). */
export class Email {
  private constructor(readonly value: string) {}

  static parse(input: string, field = 'email'): Email {
    const invalid = () => badInput(field, 'Enter a valid email address');
    const trimmed = input.trim();
    const at = trimmed.lastIndexOf('@');
    const local = trimmed.slice(0, Math.max(at, 0));
    const typedDomain = trimmed.slice(at + 1);
    if (at < 1 || local.length > MAX_LOCAL_PART_LENGTH || !LOCAL_PART.test(local)) throw invalid();
    if (UNSAFE_IN_DOMAIN.test(typedDomain)) throw invalid();
    const domain = PRINTABLE_ASCII.test(typedDomain) ? typedDomain.toLowerCase() : domainToASCII(typedDomain);
    const value = `${local.toLowerCase()}@${domain}`;
    if (value.length > MAX_EMAIL_LENGTH || !DOMAIN.test(domain)) throw invalid();
    return new Email(value);
  }

  get localPart(): string {
    return this.value.slice(0, this.value.lastIndexOf('@'));
  }

  toString(): string {
    return this.value;
  }
}
