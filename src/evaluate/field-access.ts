/**
 * Field access on an event (semantics §2): an exact key first (dots included), then dotted
 * paths through objects and arrays; arrays make a field multi-valued. Also the scalar rendering
 * used whenever an event value is compared as text, and the keyword leaf walk (§6).
 */
import { isJsonObject } from '../util/json-object.js';
import { pushAll } from '../util/arrays.js';

/** The values a field resolves to, arrays flattened; undefined when the field is absent. */
export function resolveField(event: Record<string, unknown>, field: string): unknown[] | undefined {
  if (Object.prototype.hasOwnProperty.call(event, field)) return flattenValue(event[field]);
  let dot = field.indexOf('.');
  while (dot > 0) {
    const prefix = field.slice(0, dot);
    if (Object.prototype.hasOwnProperty.call(event, prefix)) {
      const v = event[prefix];
      const rest = field.slice(dot + 1);
      if (isJsonObject(v)) {
        const r = resolveField(v, rest);
        if (r !== undefined) return r;
      } else if (Array.isArray(v)) {
        const out: unknown[] = [];
        let found = false;
        for (const el of v) {
          if (!isJsonObject(el)) continue;
          const r = resolveField(el, rest);
          if (r !== undefined) {
            found = true;
            pushAll(out, r);
          }
        }
        if (found) return out;
      }
    }
    dot = field.indexOf('.', dot + 1);
  }
  return undefined;
}

function flattenValue(v: unknown): unknown[] {
  if (!Array.isArray(v)) return [v];
  const out: unknown[] = [];
  for (const el of v) {
    if (Array.isArray(el)) pushAll(out, flattenValue(el));
    else out.push(el);
  }
  return out;
}

/** Text form of a scalar event value (§2); undefined for objects and null. */
export function renderScalar(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string':
      return v;
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      return Number.isInteger(v) && Math.abs(v) < 1e21 ? v.toFixed(0) : String(v);
    case 'bigint':
      return v.toString();
    default:
      return undefined;
  }
}

/** All scalar leaves of an event rendered as text, nulls skipped, keys never (§6). */
export function eventLeaves(event: unknown, out: string[] = []): string[] {
  if (Array.isArray(event)) for (const el of event) eventLeaves(el, out);
  else if (isJsonObject(event)) for (const k in event) eventLeaves(event[k], out);
  else {
    const r = renderScalar(event);
    if (r !== undefined) out.push(r);
  }
  return out;
}

/** The numeric grammar of event strings (§4). */
export const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A number from an event value: numbers as they are, strings in the numeric grammar of §4. */
export function numericValue(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && NUMERIC.test(v)) return Number(v);
  return undefined;
}
