import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

// Armenian numbers may be local (`091 23-45-67`, `91234567`); others need their country code.
export function normalizePhone(input: string): string | undefined {
  const trimmed = input.trim();
  if (!/^[+\d\s().-]+$/.test(trimmed)) return undefined;
  const parsed = parsePhoneNumberFromString(trimmed, 'AM');
  return parsed?.isValid() ? parsed.number : undefined;
}
