/**
 * Data read from files (rules, case files, events) names its own keys, and any name is an
 * ordinary key: `__proto__`, `constructor`, `toString`. Objects built from such data hold every key
 * as an own property, as `JSON.parse` makes them, and are read by own keys only ({@link ownValue}):
 * an inherited `Object.prototype` member is never a field, a rule id or a placeholder.
 */

/**
 * `obj[key] = value` that also makes `__proto__` an ordinary own field, as `JSON.parse` does:
 * an assignment to `__proto__` would replace the object's prototype instead (dropping a scalar
 * value, or grafting an event's fields onto the prototype, where they would be read as the
 * object's own and skip every check made on its keys).
 */
export function setOwnField(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** `obj[key]` when `obj` has it as its own key, else undefined (never an inherited member). */
export function ownValue<T>(obj: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return obj !== undefined && hasOwn.call(obj, key) ? obj[key] : undefined;
}

/** An empty dictionary for names taken from data: no prototype, so no name is inherited. */
export function dictionary<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
