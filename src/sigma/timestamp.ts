/**
 * Timestamp parts for the `minute` … `year` modifiers (§7.14). Parts are read from the text as
 * written: no time zone conversion. `week` is the ISO-8601 week number.
 */
import { assertNever } from '../diagnostics/diagnostics.js';
/** A part of a timestamp that a modifier compares (§7.14). */
export type TimePart = 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';

const TS = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** ISO-8601 week number of a calendar date. */
export function isoWeek(year: number, month: number, day: number): number {
  // setUTCFullYear, not Date.UTC: Date.UTC maps the years 0 to 99 to 1900 to 1999.
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  const dow = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - dow); // the Thursday of this week decides the year
  const yearStart = new Date(0);
  yearStart.setUTCFullYear(d.getUTCFullYear(), 0, 1);
  return Math.ceil(((d.getTime() - yearStart.getTime()) / 86_400_000 + 1) / 7);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Extracts a part from a timestamp text; undefined when the text is not a timestamp or lacks the part. */
export function timestampPart(text: string, part: TimePart): number | undefined {
  const m = TS.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  // An impossible time (24:00, 22:60, :61) is not a timestamp either; :60 is a leap second.
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || (m[6] !== undefined && Number(m[6]) > 60))) return undefined;
  switch (part) {
    case 'year':
      return year;
    case 'month':
      return month;
    case 'day':
      return day;
    case 'week':
      return isoWeek(year, month, day);
    case 'hour':
      return m[4] === undefined ? undefined : Number(m[4]);
    case 'minute':
      return m[5] === undefined ? undefined : Number(m[5]);
    default:
      return assertNever(part);
  }
}
