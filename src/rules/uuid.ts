/**
 * Rule ids: a Sigma rule's `id` is a UUID (8-4-4-4-12 hex digits, any case). The loader, the
 * validator, case files (which name their rule by id or by path) and the gate all use this one test.
 */

/** A UUID in the canonical 8-4-4-4-12 form, upper- or lowercase hex digits. */
export const UUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Is `text` a UUID (see {@link UUID_PATTERN})? */
export function isUuid(text: string): boolean {
  return UUID_PATTERN.test(text);
}
