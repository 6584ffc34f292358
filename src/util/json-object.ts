/**
 * The one test for "a JSON object": a non-null object that is not an array. Parsed JSON and
 * YAML values, events, config sections and STIX objects are all checked with it.
 */

/** A plain object of string keys (not null, not an array). */
export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
