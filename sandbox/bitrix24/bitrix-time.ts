/** Dates as Bitrix24 prints them (ISO 8601 with an offset; the emulator's portals run in UTC). */

export function formatDateTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/** ISO dates and datetimes, and Bitrix's `DD.MM.YYYY[ HH:MM[:SS]]`; NaN when unparseable. */
export function parseDateTime(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string' || value.trim() === '') return NaN;
  const text = value.trim();
  const ru = /^(\d{2})\.(\d{2})\.(\d{4})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text);
  if (ru) {
    const [, d, m, y, hh = '00', mm = '00', ss = '00'] = ru;
    return Date.parse(`${y}-${m}-${d}T${hh}:${mm}:${ss}Z`);
  }
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(text);
  return Date.parse(dateOnly ? `${text}T00:00:00Z` : hasZone ? text : `${text}Z`);
}

export interface TimeEnvelope {
  start: number;
  finish: number;
  duration: number;
  processing: number;
  date_start: string;
  date_finish: string;
  operating_reset_at: number;
  operating: number;
}

/** The `time` block of every answer (A7). `operating` stays 0: no resource accounting. */
export function timeEnvelope(startMs: number, finishMs: number): TimeEnvelope {
  const duration = Math.max(0, finishMs - startMs) / 1000;
  return {
    start: startMs / 1000,
    finish: finishMs / 1000,
    duration,
    processing: duration,
    date_start: formatDateTime(startMs),
    date_finish: formatDateTime(finishMs),
    operating_reset_at: Math.floor(startMs / 1000) + 600,
    operating: 0,
  };
}
