/**
 * When two events are the same case: their fields are equal once flattened (EVTX-JSON shape,
 * nesting as dotted names `a.b`, and key order aside), with typed values (1 is not '1').
 */
import { flattenEvent } from './flatten-event.js';

/** The key two events share when their flattened fields (names and typed values) are equal. */
export function flatEventKey(event: Record<string, unknown>): string {
  const flat: Array<[string, string]> = [];
  const walk = (v: unknown, path: string): void => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k, x] of Object.entries(v)) walk(x, path === '' ? k : `${path}.${k}`);
    } else flat.push([path, JSON.stringify(v) ?? 'null']);
  };
  walk(flattenEvent(event), '');
  return JSON.stringify(flat.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
