/**
 * `obj[key] = value` that also makes `__proto__` an ordinary own field, as `JSON.parse` does:
 * an assignment to `__proto__` would replace the object's prototype instead (dropping a scalar
 * value, or grafting an event's fields onto the prototype). Event data names its own keys.
 */
export function setOwnField(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}
