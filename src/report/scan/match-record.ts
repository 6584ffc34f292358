/**
 * A scan match as output data: `{"rule": <id or null>, "path": <rule file>, "title", "event":
 * <the event as read>, "file": <event file>, "index": <position of the event in its file>}`,
 * what the jsonl and json reporters write and other tools read.
 */
import type { ScanMatch } from '../../scan/scan.js';
import { jsonTerminalSafe } from '../escape.js';

export interface MatchRecord {
  rule: string | null;
  path: string;
  title: string;
  event: unknown;
  file: string;
  index: number;
}

export function matchRecord(m: ScanMatch): MatchRecord {
  return { rule: m.rule.id ?? null, path: m.rule.file, title: m.rule.title, event: m.raw, file: m.file, index: m.index };
}

/**
 * `JSON.stringify(matchRecord(m))`, built from parts: the rule's part is made once per rule and
 * the event's JSON once per event (or taken from the match), since one event may match many rules.
 * Safe on a terminal: C1 controls and bidi characters of rule and event text are `\u` escapes
 * (jsonTerminalSafe; JSON.stringify escapes the others).
 */
export function matchRecordJsonFactory(): (m: ScanMatch) => string {
  const rulePart = new Map<unknown, string>();
  let lastRaw: unknown;
  let lastJson = '';
  return (m) => {
    let head = rulePart.get(m.rule);
    if (head === undefined) {
      head = jsonTerminalSafe(`{"rule":${JSON.stringify(m.rule.id ?? null)},"path":${JSON.stringify(m.rule.file)},"title":${JSON.stringify(m.rule.title)},"event":`);
      rulePart.set(m.rule, head);
    }
    if (m.raw !== lastRaw) {
      lastRaw = m.raw;
      lastJson = jsonTerminalSafe(m.rawJson ?? JSON.stringify(m.raw));
    }
    return `${head}${lastJson},"file":${jsonTerminalSafe(JSON.stringify(m.file))},"index":${m.index}}`;
  };
}
