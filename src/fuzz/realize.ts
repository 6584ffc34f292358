/**
 * Realising one matcher as a field value: a value the matcher holds for, built from the rule's
 * own literals (re-cased unless `cased`, a random windash character for each dash class) with
 * realistic filler from the field generators around and between them. The result is what the
 * matcher is *meant* to accept; whether the engine agrees is what the properties check.
 */
import fc from 'fast-check';
import type { Matcher } from '../plan/plan.js';
import type { Pattern } from '../sigma/pattern.js';
import { WINDASH_CHARS } from '../sigma/pattern.js';
import { isoWeek } from '../sigma/timestamp.js';

/** Randomness and realistic filler for one synthesis. */
export interface RealizeContext {
  rnd: () => number;
  /** Realistic values of a field (from the generators). */
  pool: (field: string) => readonly string[];
}

export function pick<T>(rnd: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rnd() * xs.length)] as T;
}

/** Changes the case of letters the way log sources and attackers do. */
export function recase(text: string, rnd: () => number): string {
  const r = rnd();
  if (r < 0.4) return text;
  if (r < 0.6) return text.toLowerCase();
  if (r < 0.75) return text.toUpperCase();
  return Array.from(text, (c) => (rnd() < 0.5 ? c.toUpperCase() : c.toLowerCase())).join('');
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A realistic piece to stand for a wildcard: the start, middle or end of a value of the field. */
function fill(field: string | null, where: 'start' | 'mid' | 'end', next: string | undefined, ctx: RealizeContext): string {
  if (where === 'mid' || field === null) {
    const n = Math.floor(ctx.rnd() * 6);
    return Array.from({ length: n }, () => pick(ctx.rnd, [...ALNUM])).join('');
  }
  // A literal that starts with the drive colon (`:\Program Files\`) wants a drive letter before it.
  if (where === 'start' && next !== undefined && next.startsWith(':')) return pick(ctx.rnd, ['C', 'C', 'D', 'c']);
  // A literal that starts with a drive (`C:\...`) starts the path.
  if (where === 'start' && next !== undefined && /^[a-z]:/i.test(next)) return '';
  const pool = ctx.pool(field);
  if (pool.length === 0 || ctx.rnd() < 0.15) return '';
  const v = pick(ctx.rnd, pool);
  // Cut at a separator when the literal that follows (or precedes) starts (ends) with one: C:\Users\x + \cmd.exe.
  const seps: number[] = [];
  for (let i = 0; i <= v.length; i++) if (i === 0 || i === v.length || '\\/ '.includes(v[i] ?? '')) seps.push(i);
  const useSep = next !== undefined && next !== '' && '\\/ '.includes(where === 'start' ? next[0] ?? '' : next[next.length - 1] ?? '');
  const cut = useSep ? pick(ctx.rnd, seps) : Math.floor(ctx.rnd() * (v.length + 1));
  if (where === 'start') return useSep && '\\/ '.includes(v[cut] ?? '') ? v.slice(0, cut) : v.slice(0, cut);
  return v.slice(cut);
}

/** A text the pattern matches (wildcards filled, literals re-cased unless cased). */
export function realizePattern(p: Pattern, cased: boolean, field: string | null, ctx: RealizeContext): string {
  const toks = p.tokens;
  let out = '';
  toks.forEach((t, i) => {
    switch (t.t) {
      case 'lit':
        out += cased || p.bytes ? t.s : recase(t.s, ctx.rnd);
        break;
      case 'any': {
        const where = i === 0 ? 'start' : i === toks.length - 1 ? 'end' : 'mid';
        const near = where === 'start' ? toks[i + 1] : toks[i - 1];
        out += fill(field, where, near?.t === 'lit' ? near.s : undefined, ctx);
        break;
      }
      case 'one':
        out += pick(ctx.rnd, [...ALNUM]);
        break;
      case 'dash':
        out += pick(ctx.rnd, WINDASH_CHARS);
        break;
      case 'ph':
        break;
    }
  });
  return out;
}

const regexPools = new WeakMap<object, string[]>();

/** Strings matching a regular expression (fast-check's generator), memoised per regex. */
function regexSamples(source: string, flags: string, key: object): string[] {
  let pool = regexPools.get(key);
  if (pool === undefined) {
    // Leading inline flags ((?i), (?s)...) of the Sigma regex become JavaScript flags; a text
    // matching case-sensitively also matches with `i`, so the generator may drop that flag.
    const inline = /^\(\?([ims]+)\)/.exec(source);
    const body = inline ? source.slice(inline[0].length) : source;
    const f = [...new Set((flags + (inline?.[1] ?? '')).replace(/[^ims]/g, ''))].join('');
    pool = [];
    for (const tryFlags of [f, f.replace('i', ''), '']) {
      try {
        pool = fc.sample(fc.stringMatching(new RegExp(body, tryFlags)), { numRuns: 24, seed: 42 });
        break;
      } catch {
        // the generator does not support this flag or construct; try simpler
      }
    }
    regexPools.set(key, pool);
  }
  return pool;
}

function ipInside(m: Extract<Matcher, { kind: 'cidr' }>, rnd: () => number): string {
  const bits = m.family === 4 ? 32 : 128;
  let host = 0n;
  for (let i = 0; i < bits - m.prefix; i++) if (rnd() < 0.5) host |= 1n << BigInt(i);
  const v = m.network | host;
  if (m.family === 4) return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join('.');
  const words: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) words.push(((v >> s) & 0xffffn).toString(16));
  return words.join(':');
}

function timestampWith(part: string, value: number, rnd: () => number): string | undefined {
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  let y = 2026;
  let mo = 1 + Math.floor(rnd() * 12);
  let d = 1 + Math.floor(rnd() * 28);
  let h = Math.floor(rnd() * 24);
  let mi = Math.floor(rnd() * 60);
  switch (part) {
    case 'year':
      y = value;
      break;
    case 'month':
      mo = value;
      break;
    case 'day':
      d = value;
      break;
    case 'hour':
      h = value;
      break;
    case 'minute':
      mi = value;
      break;
    case 'week': {
      // Walk the days of 2026 to find one in that ISO week.
      for (let day = 0; day < 371; day++) {
        const t = new Date(Date.UTC(2026, 0, 1 + day));
        if (isoWeek(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate()) === value) {
          y = t.getUTCFullYear();
          mo = t.getUTCMonth() + 1;
          d = t.getUTCDate();
          break;
        }
      }
      break;
    }
  }
  if (!Number.isInteger(y) || y < 0 || y > 9999) return undefined;
  return `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(Math.floor(rnd() * 60))}Z`;
}

/**
 * A value the matcher is meant to hold for, or undefined when it cannot be made here
 * (`fieldref` is realised by the caller, which knows the other field).
 * `ABSENT` asks for the field to be left out.
 */
export const ABSENT = Symbol('absent');
export function realizeMatcher(m: Matcher, field: string | null, ctx: RealizeContext): unknown {
  switch (m.kind) {
    case 'string':
      return realizePattern(m.pattern, m.cased, field, ctx);
    case 're': {
      const pool = regexSamples(m.source, m.regex.flags, m.regex);
      return pool.length === 0 ? undefined : pick(ctx.rnd, pool);
    }
    case 'number':
      return ctx.rnd() < 0.7 ? m.value : String(m.value);
    case 'bool':
      return m.value;
    case 'null':
      return ctx.rnd() < 0.5 ? ABSENT : null;
    case 'exists':
      return m.value ? (field !== null ? pick(ctx.rnd, ctx.pool(field).length ? ctx.pool(field) : ['x']) : 'x') : ABSENT;
    case 'cidr':
      return ipInside(m, ctx.rnd);
    case 'compare': {
      if (m.part !== undefined) {
        const target = m.op === 'gt' ? m.value + 1 : m.op === 'lt' ? m.value - 1 : m.value;
        return timestampWith(m.part, target, ctx.rnd);
      }
      const step = 1 + Math.floor(ctx.rnd() * 100);
      switch (m.op) {
        case 'eq':
        case 'gte':
        case 'lte':
          return ctx.rnd() < 0.5 ? m.value : m.op === 'gte' ? m.value + step : m.op === 'lte' ? m.value - step : m.value;
        case 'gt':
          return m.value + step;
        case 'lt':
          return m.value - step;
      }
      return undefined;
    }
    case 'fieldref':
      return undefined;
    case 'anyOf':
      return realizeMatcher(pick(ctx.rnd, m.members), field, ctx);
  }
}
