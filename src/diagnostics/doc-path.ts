/**
 * Logical addresses inside a YAML document (`detection.sel["Image|endswith"][2]`), the `path` of
 * every diagnostic: dotted for simple keys, bracketed (JSON-quoted) otherwise, `[k]` for list items.
 */

/** The address of `key` under `base`. */
export function childPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) return base === '' ? key : `${base}.${key}`;
  return `${base}[${JSON.stringify(key)}]`;
}
