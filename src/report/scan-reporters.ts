/**
 * Output formats of `sigmatest scan`, all streamed (nothing is held until the end):
 * - `jsonl`: one JSON object per match on `out`; the summary as text on `err`;
 * - `json`: one JSON document `{"matches": [...], "summary": {...}}` on `out`;
 * - `text`: readable matches (rule, where, an excerpt of the event) and the summary on `out`.
 *
 * A match is `{"rule": <id or null>, "path": <rule file>, "title", "event": <the event as read>,
 * "file": <event file>, "index": <position of the event in its file>}`.
 */
import type { ScanMatch, ScanSummary } from '../scan/scan.js';
import { formatCount } from './progress-line.js';

export type ScanReporterName = 'jsonl' | 'json' | 'text';
export const SCAN_REPORTERS: readonly ScanReporterName[] = ['jsonl', 'json', 'text'];

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
 */
export function matchRecordJsonFactory(): (m: ScanMatch) => string {
  const rulePart = new Map<unknown, string>();
  let lastRaw: unknown;
  let lastJson = '';
  return (m) => {
    let head = rulePart.get(m.rule);
    if (head === undefined) {
      head = `{"rule":${JSON.stringify(m.rule.id ?? null)},"path":${JSON.stringify(m.rule.file)},"title":${JSON.stringify(m.rule.title)},"event":`;
      rulePart.set(m.rule, head);
    }
    if (m.raw !== lastRaw) {
      lastRaw = m.raw;
      lastJson = m.rawJson ?? JSON.stringify(m.raw);
    }
    return `${head}${lastJson},"file":${JSON.stringify(m.file)},"index":${m.index}}`;
  };
}

export interface ScanReporter {
  match(m: ScanMatch): void;
  /** Ends the report. */
  finish(s: ScanSummary): void;
}

export interface ReporterOutput {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** The summary as JSON data: times rounded to milliseconds, the rate to whole events. */
export function summaryData(s: ScanSummary): ScanSummary {
  return {
    ...s,
    loadSeconds: Math.round(s.loadSeconds * 1000) / 1000,
    seconds: Math.round(s.seconds * 1000) / 1000,
    eventsPerSecond: Math.round(s.eventsPerSecond),
  };
}

const plural = (n: number, one: string, many = `${one}s`): string => `${formatCount(n)} ${n === 1 ? one : many}`;

/** The summary as readable text. */
export function formatScanSummary(s: ScanSummary): string {
  const rules = [`${plural(s.rules, 'rule')}`];
  if (s.rulesFailed > 0) rules.push(`${formatCount(s.rulesFailed)} failed to load`);
  if (s.rulesNotEvaluated > 0) rules.push(`${formatCount(s.rulesNotEvaluated)} correlation/filter not evaluated`);
  const lines = [
    `scan: ${plural(s.events, 'event')} from ${plural(s.files, 'file')}, ${rules.join(', ')}, ${s.workers === 1 ? 'matched in the main thread' : `matched in ${s.workers} threads (the main thread and ${plural(s.workers - 1, 'worker')})`}`,
  ];
  const ruleCount = s.perRule.filter((r) => r.matches > 0).length;
  let matches = `  ${plural(s.matches, 'match', 'matches')} of ${plural(ruleCount, 'rule')}`;
  if (s.knownFps > 0 || s.suppressed > 0) {
    matches += `; ${plural(s.suppressed, 'known false positive')} suppressed (${plural(s.knownFps, 'entry', 'entries')}${s.expiredKnownFps > 0 ? `, ${formatCount(s.expiredKnownFps)} expired` : ''})`;
  }
  lines.push(matches);
  lines.push(
    `  ${plural(s.errors, 'error')}${s.warnings > 0 ? `, ${plural(s.warnings, 'warning')}` : ''}; ` +
      `${s.seconds.toFixed(2)} s (rules loaded in ${s.loadSeconds.toFixed(2)} s), ${formatCount(s.eventsPerSecond)} events/s`,
  );
  if (s.perRule.length > 0) {
    const width = Math.max(7, ...s.perRule.map((r) => formatCount(r.matches).length));
    const swidth = Math.max(10, ...s.perRule.map((r) => formatCount(r.suppressed).length));
    lines.push('', `  ${'matches'.padStart(width)}  ${'suppressed'.padStart(swidth)}  rule`);
    for (const r of s.perRule) {
      lines.push(`  ${formatCount(r.matches).padStart(width)}  ${formatCount(r.suppressed).padStart(swidth)}  ${r.title} [${r.id ?? 'no id'}] ${r.path}`);
    }
  }
  return lines.join('\n') + '\n';
}

const EXCERPT = 200;

/** A short `Field=value, …` view of an event (as rules see it), cut to about 200 characters. */
export function eventExcerpt(event: Record<string, unknown>, max = EXCERPT): string {
  let out = '';
  for (const [k, v] of Object.entries(event)) {
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    const part = `${out === '' ? '' : ', '}${k}=${text}`;
    out += part;
    if (out.length > max) return `${out.slice(0, max - 1)}…`;
  }
  return out;
}

function where(m: ScanMatch): string {
  return m.line > 0 ? `${m.file}:${m.line} (event ${m.index})` : `${m.file} (record ${m.index})`;
}

export function createScanReporter(name: ScanReporterName, output: ReporterOutput): ScanReporter {
  switch (name) {
    case 'jsonl': {
      const json = matchRecordJsonFactory();
      return {
        match: (m) => output.out(`${json(m)}\n`),
        finish: (s) => output.err(formatScanSummary(s)),
      };
    }
    case 'json': {
      const json = matchRecordJsonFactory();
      let first = true;
      output.out('{"matches": [');
      return {
        match(m) {
          output.out(`${first ? '\n' : ',\n'}${json(m)}`);
          first = false;
        },
        finish: (s) => output.out(`${first ? '' : '\n'}],\n"summary": ${JSON.stringify(summaryData(s), null, 2)}}\n`),
      };
    }
    case 'text':
      return {
        match: (m) => output.out(`${m.rule.title} [${m.rule.id ?? 'no id'}] ${m.rule.file}\n    ${where(m)}: ${eventExcerpt(m.event)}\n`),
        finish: (s) => output.out(`${s.matches > 0 ? '\n' : ''}${formatScanSummary(s)}`),
      };
  }
}
