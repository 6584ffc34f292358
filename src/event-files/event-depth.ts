/**
 * How deep an event may nest. Events come from files an attacker may write, and a JSON value
 * nested thousands of levels deep (`{"a":{"a":...}}`) overflows the stack of every recursive walk
 * after the parser (flattening, `JSON.stringify` of a match, the evaluator's dotted fields). The
 * readers refuse such an event with one located diagnostic (`EVENT_TOO_DEEP`) and read on: the
 * rest of the file is not lost. Real events nest a few levels (EVTX-JSON five or six, ECS under
 * ten); {@link MAX_EVENT_DEPTH} leaves room for any log shape.
 */

/** Objects and arrays an event may nest (an event `{}` is depth 1). */
export const MAX_EVENT_DEPTH = 100;

/**
 * The 0-based index in a JSON text where it opens its `max + 1`-th nested object or array, or -1
 * when it nests at most `max` deep. Cheap on ordinary events: a text with at most `max` opening
 * brackets in all cannot nest deeper, which two native searches find out; only a text with more
 * is walked character by character (strings skipped).
 */
export function depthExceededAt(text: string, max: number = MAX_EVENT_DEPTH): number {
  let count = 0;
  for (let i = text.indexOf('{'); i >= 0 && count <= max; i = text.indexOf('{', i + 1)) count++;
  for (let i = text.indexOf('['); i >= 0 && count <= max; i = text.indexOf('[', i + 1)) count++;
  if (count <= max) return -1;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return i;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return -1;
}

/** The message of an event nested deeper than `max`. */
export function tooDeepMessage(max: number = MAX_EVENT_DEPTH): string {
  return `the event nests objects and arrays more than ${max} levels deep (limits.event_depth); it is skipped`;
}

/** The message of an event larger than `max` (bytes of a JSON Lines line; characters of other JSON). */
export function tooLargeMessage(max: number): string {
  return `the event is larger than ${max.toLocaleString('en-US')} bytes (limits.event_bytes); it is skipped`;
}
