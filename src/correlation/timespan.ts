/**
 * Time spans of correlation rules (`timespan: 90m`) and of the settings that take one (the
 * out-of-order tolerance): a positive whole number followed by one unit letter. The specification
 * names `s`, `m`, `h` and `d`; pySigma, the reference parser, also reads `w` (week), `M` (month:
 * 2,629,746 s, a Gregorian year over 12) and `y` (year: 31,556,952 s), and so do we.
 */

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800, M: 2629746, y: 31556952 };

/** A parsed time span: as written and in milliseconds. */
export interface Timespan {
  text: string;
  ms: number;
}

/** Parses a time span; a string saying what is wrong when it is not one. */
export function parseTimespan(text: unknown): Timespan | string {
  if (typeof text !== 'string') return `a time span is text such as 5m or 1h, not ${text === null ? 'null' : typeof text}`;
  const m = /^([0-9]+)([smhdwMy])$/.exec(text);
  if (m === null) return `'${text}' is not a time span: write a whole number and one of s, m, h, d (or w, M, y), e.g. 90m`;
  const count = Number(m[1]);
  if (count <= 0) return `'${text}' is not a time span: it must be greater than zero`;
  const ms = count * (UNIT_SECONDS[m[2] as string] as number) * 1000;
  if (!Number.isSafeInteger(ms)) return `'${text}' is too long a time span`;
  return { text, ms };
}

/** A duration in milliseconds as people read it: `90 s`, `10 min`, `2 h 30 min`, `1.5 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms * 1000) / 1000} ms`;
  if (ms < 60_000) return `${Math.round(ms) / 1000} s`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  const d = Math.floor(rest / 86400);
  rest -= d * 86400;
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  const s = rest - m * 60;
  if (d) parts.push(`${d} d`);
  if (h) parts.push(`${h} h`);
  if (m) parts.push(`${m} min`);
  if (s) parts.push(`${s} s`);
  return parts.join(' ');
}
