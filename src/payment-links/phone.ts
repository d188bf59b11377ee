import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * Normalizes a customer phone to E.164, validated against the country's real numbering plan.
 * Armenian numbers may be written locally (`091 23-45-67`, `91234567`, `37491234567`,
 * `0037491234567`); others must carry their country code (`+7 …`, `00 7 …`).
 */
export function normalizePhone(input: string): string | undefined {
  const trimmed = input.trim();
  if (!/^[+\d\s().-]+$/.test(trimmed)) return undefined;
  const parsed = parsePhoneNumberFromString(trimmed, 'AM');
  return parsed?.isValid() ? parsed.number : undefined;
}
