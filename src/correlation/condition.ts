/**
 * A correlation condition against an aggregated value, and when it can be decided: a condition
 * made of lower bounds only (`gt`, `gte`, which includes a temporal correlation's default "every
 * rule") on an aggregate that only grows as events join a window (event_count, value_count,
 * value_sum, temporal, temporal_ordered) is decided as each event arrives (sliding windows,
 * engine.ts); any other (`lt`, `lte`, `eq`, `neq`, a range with an upper bound, and every
 * value_avg and value_percentile) needs the whole window and is decided when it closes.
 */
import type { CorrelationCondition, CorrelationType } from './documents.js';

/** Does the value satisfy every threshold of the condition? */
export function conditionHolds(c: CorrelationCondition, value: number): boolean {
  for (const { op, value: t } of c.ops) {
    switch (op) {
      case 'gt':
        if (!(value > t)) return false;
        break;
      case 'gte':
        if (!(value >= t)) return false;
        break;
      case 'lt':
        if (!(value < t)) return false;
        break;
      case 'lte':
        if (!(value <= t)) return false;
        break;
      case 'eq':
        if (value !== t) return false;
        break;
      case 'neq':
        if (value === t) return false;
        break;
    }
  }
  return true;
}

/** The condition as written: `gte 10`, `gt 100 and lte 200`. */
export function conditionText(c: CorrelationCondition): string {
  return c.ops.map((o) => `${o.op} ${o.value}`).join(' and ');
}

/** The condition in words, for explanations: `at least 10`, `more than 100 and at most 200`. */
export function conditionWords(c: CorrelationCondition): string {
  const words = { gt: 'more than', gte: 'at least', lt: 'fewer than', lte: 'at most', eq: 'exactly', neq: 'other than' } as const;
  return c.ops.map((o) => `${words[o.op]} ${o.value}`).join(' and ');
}

/** How a correlation's windows are decided (see the module comment). */
export type WindowMode = 'sliding' | 'closing';

/** The window mode of a correlation of this type and condition. */
export function windowMode(type: CorrelationType, c: CorrelationCondition): WindowMode {
  if (type === 'value_avg' || type === 'value_percentile') return 'closing';
  return c.ops.every((o) => o.op === 'gt' || o.op === 'gte') ? 'sliding' : 'closing';
}
