/**
 * A correlation alert as output data, what the jsonl and json reporters of `scan` write and the
 * JSON report of `run` lists per correlation case:
 * `{"rule": <correlation id or null>, "correlation": <type>, "title", "path", "group": {<field or
 * alias>: <value>, ...}, "start", "end", "value", "events": [{"file", "index"}, ...]}`, times as
 * ISO 8601 UTC, and `"events_omitted": n` when more events contributed than are listed.
 */
import type { CorrelationAlert } from '../../correlation/engine.js';
import { formatTime } from '../../correlation/event-time.js';

export interface AlertRecord {
  rule: string | null;
  correlation: string;
  title: string;
  path: string;
  group: Record<string, unknown>;
  start: string;
  end: string;
  value: number;
  events: Array<{ file: string; index: number }>;
  events_omitted?: number;
}

export function alertRecord(a: CorrelationAlert): AlertRecord {
  const r: AlertRecord = {
    rule: a.correlation.id ?? null,
    correlation: a.type,
    title: a.correlation.title,
    path: a.correlation.file,
    group: a.group,
    start: formatTime(a.start),
    end: formatTime(a.end),
    value: a.value,
    events: a.events.map((e) => ({ file: e.file, index: e.index })),
  };
  if (a.omitted > 0) r.events_omitted = a.omitted;
  return r;
}
