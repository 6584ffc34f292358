/**
 * The time of an event, for correlations: read from the first of the time fields the event has
 * (configurable; by default `TimeCreated_SystemTime` (EVTX), `@timestamp` (ECS, Elastic),
 * `UtcTime` (Sysmon) and `timestamp`), as ISO 8601 text or as epoch seconds or milliseconds.
 *
 * Times are milliseconds since the epoch with a fraction down to the microsecond (EVTX writes
 * 100-nanosecond ticks: `2022-04-12T22:52:00.6896546Z`; microseconds still fit exactly in a
 * double, nanoseconds would not).
 *
 * - ISO 8601: `YYYY-MM-DD`, then optionally `T` or a space and `hh:mm`, `:ss`, a fraction of any
 *   length (`.` or `,`), and a zone `Z`, `±hh:mm`, `±hhmm` or `±hh`. Without a zone the time is
 *   UTC (Sysmon's UtcTime has none). Each part is range-checked (month 13, 31 April, 25:00 are
 *   not times).
 * - Epoch: a JSON number, or text of digits with an optional fraction. Below 100,000,000,000 it
 *   counts seconds (that many seconds is the year 5138), from there milliseconds (that many
 *   milliseconds is 1973): so milliseconds before March 1973 are read as seconds.
 */
import { resolveField } from '../evaluate/field-access.js';

/** The time fields tried, in order, when none are configured. */
export const DEFAULT_TIME_FIELDS: readonly string[] = ['TimeCreated_SystemTime', '@timestamp', 'UtcTime', 'timestamp'];

/** Epoch values from this one on are milliseconds, below it seconds. */
export const EPOCH_MS_FROM = 100_000_000_000;

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const EPOCH_TEXT = /^-?\d+(?:\.\d+)?$/;

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days of a month (1-12) in the proleptic Gregorian calendar, as ISO 8601 counts them; no Date built per event. */
function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return MONTH_DAYS[month - 1] ?? 0;
}

/** A time value as milliseconds since the epoch (microsecond precision), or undefined when it is not one. */
export function parseTimeValue(v: unknown): number | undefined {
  if (typeof v === 'number') return epoch(v);
  if (typeof v !== 'string') return undefined;
  const text = v.trim();
  if (EPOCH_TEXT.test(text)) return epoch(Number(text));
  const m = ISO.exec(text);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = h === undefined ? 0 : Number(h);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return undefined;
  let ms = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC maps years 0-99 to 1900-1999.
  if (year < 100) ms = new Date(ms).setUTCFullYear(year);
  if (frac !== undefined) ms += Number(`0.${frac.slice(0, 9)}`) * 1000;
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const zh = Number(digits.slice(0, 2));
    const zm = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (zh > 23 || zm > 59) return undefined;
    ms -= sign * (zh * 60 + zm) * 60_000;
  }
  return roundMicros(ms);
}

function epoch(n: number): number | undefined {
  if (!Number.isFinite(n)) return undefined;
  const ms = Math.abs(n) < EPOCH_MS_FROM ? n * 1000 : n;
  // Beyond what a Date holds (±8.64e15 ms) it is not a time.
  if (Math.abs(ms) > 8.64e15) return undefined;
  return roundMicros(ms);
}

function roundMicros(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** What reading an event's time gave: the time and the field it came from, or why there is none. */
export type EventTime = { ok: true; ms: number; field: string } | { ok: false; reason: string };

/**
 * The event's time: the first of `fields` the event has decides (a present but unusable value is
 * an error, not a reason to look further: it would hide a broken field).
 */
export function eventTime(event: Record<string, unknown>, fields: readonly string[] = DEFAULT_TIME_FIELDS): EventTime {
  for (const field of fields) {
    const values = resolveField(event, field);
    if (values === undefined || values.length === 0 || (values.length === 1 && values[0] === null)) continue;
    const ms = values.length === 1 ? parseTimeValue(values[0]) : undefined;
    if (ms !== undefined) return { ok: true, ms, field };
    const shown = JSON.stringify(values.length === 1 ? values[0] : values);
    return { ok: false, reason: `its ${field} ${shown.length > 80 ? `${shown.slice(0, 77)}...` : shown} is neither an ISO 8601 time nor epoch seconds or milliseconds` };
  }
  return { ok: false, reason: `it has none of the time fields ${fields.join(', ')} (set them with --time-field or correlation.time_fields in the config)` };
}

/** A time as ISO 8601 UTC text: milliseconds, or microseconds when the time has them. */
export function formatTime(ms: number): string {
  const total = Math.round(ms * 1000);
  const whole = Math.floor(total / 1000);
  const iso = new Date(whole).toISOString();
  const micros = total - whole * 1000;
  if (micros === 0) return iso;
  return `${iso.slice(0, -1)}${String(micros).padStart(3, '0')}Z`;
}
