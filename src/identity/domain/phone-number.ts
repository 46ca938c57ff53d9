import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { badInput } from '../../kernel/errors.js';

/**
 * A Namibian phone number, accepted as +264… or national 0… (spaces, dashes and
 * brackets tolerated) and kept in E.164 form. Validity comes from libphonenumber's metadata.
 */
export function parseNamibianPhone(input: string, field = 'phone'): string {
  const text = input.trim();
  if (text.length > 32 || !/^[+\d\s().-]+$/.test(text))
    throw badInput(field, 'Enter a Namibian phone number');
  const parsed = parsePhoneNumberFromString(text, 'NA');
  if (parsed?.country !== 'NA' || !parsed.isValid()) {
    throw badInput(field, 'Enter a valid Namibian phone number (+264… or 0…)');
  }
  return parsed.number;
}
