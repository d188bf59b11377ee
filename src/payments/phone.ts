/**
 * Normalizes a customer phone to E.164. Armenian numbers written locally are accepted:
 * `091 23-45-67`, `91234567`, `37491234567`, `0037491234567` all become `+37491234567`.
 * Others must carry their country code (`+7 …`, `00 7 …`). Returns undefined when invalid.
 */
export function normalizePhone(input: string): string | undefined {
  const trimmed = input.trim();
  if (!/^[+\d\s().-]+$/.test(trimmed)) return undefined;
  const plus = trimmed.startsWith('+');
  let digits = trimmed.replace(/\D/g, '');
  if (!plus && digits.startsWith('00')) digits = digits.slice(2);
  else if (!plus) {
    // Armenian national formats: 0 + 8 digits, or the 8 digits alone.
    if (/^0\d{8}$/.test(digits)) digits = `374${digits.slice(1)}`;
    else if (/^\d{8}$/.test(digits)) digits = `374${digits}`;
    else if (!/^374\d{8}$/.test(digits)) return undefined;
  }
  if (digits.startsWith('374') && digits.length !== 11) return undefined;
  if (!/^[1-9]\d{7,14}$/.test(digits)) return undefined;
  return `+${digits}`;
}
