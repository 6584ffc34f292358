/** The scan summary: as JSON data (the json reporter) and as text (the text reporter; stderr for jsonl). */
import type { ScanSummary } from '../../scan/scan.js';
import { formatCount } from '../progress-line.js';
import { terminalLine } from '../escape.js';
import { maxOf } from '../../util/arrays.js';

/** The summary as JSON data: times rounded to milliseconds, the rate to whole events. */
export function summaryData(s: ScanSummary): ScanSummary {
  return {
    ...s,
    loadSeconds: Math.round(s.loadSeconds * 1000) / 1000,
    deferredLoadSeconds: Math.round(s.deferredLoadSeconds * 1000) / 1000,
    seconds: Math.round(s.seconds * 1000) / 1000,
    eventsPerSecond: Math.round(s.eventsPerSecond),
  };
}

const plural = (n: number, one: string, many = `${one}s`): string => `${formatCount(n)} ${n === 1 ? one : many}`;

/** The summary as readable text (terminal-safe). */
export function formatScanSummary(s: ScanSummary): string {
  const rules = [`${plural(s.rules, 'rule')}`];
  if (s.rulesFailed > 0) rules.push(`${formatCount(s.rulesFailed)} failed to load`);
  if (s.correlations > 0) rules.push(plural(s.correlations, 'correlation'));
  if (s.filters > 0) rules.push(plural(s.filters, 'filter'));
  if (s.skipped.length > 0) rules.push(`${formatCount(s.skipped.length)} skipped (--placeholders skip)`);
  if ((s.belowLevel ?? 0) > 0) rules.push(`${formatCount(s.belowLevel)} below --min-level left out`);
  const lines = [
    `scan: ${plural(s.events, 'event')} from ${plural(s.files, 'file')}, ${rules.join(', ')}, ${s.workers === 1 ? 'matched in the main thread' : `matched in ${s.workers} threads (the main thread and ${plural(s.workers - 1, 'worker')})`}`,
  ];
  const ruleCount = s.perRule.filter((r) => r.matches > 0).length;
  let matches = `  ${plural(s.matches, 'match', 'matches')} of ${plural(ruleCount, 'rule')}`;
  if (s.knownFps > 0 || s.suppressed > 0) {
    matches += `; ${plural(s.suppressed, 'known false positive')} suppressed (${plural(s.knownFps, 'entry', 'entries')}${s.expiredKnownFps > 0 ? `, ${formatCount(s.expiredKnownFps)} expired` : ''})`;
  }
  lines.push(matches);
  if (s.correlations > 0) {
    lines.push(
      `  ${plural(s.alerts, 'correlation alert')} of ${plural(s.perCorrelation.length, 'correlation')}${s.correlationOnly > 0 ? `; ${plural(s.correlationOnly, 'match', 'matches')} only counted by correlations (not reported)` : ''}`,
    );
  }
  lines.push(
    `  ${plural(s.errors, 'error')}${s.warnings > 0 ? `, ${plural(s.warnings, 'warning')}` : ''}; ` +
      `rules loaded in ${s.loadSeconds.toFixed(2)} s, then events matched in ${s.seconds.toFixed(2)} s (${formatCount(s.eventsPerSecond)} events/s)`,
  );
  for (const k of s.skipped) lines.push(`  skipped: ${k.path}${k.title !== null ? ` (${k.title})` : ''}: ${k.reason}`);
  if (s.perRule.length > 0) {
    const width = maxOf(s.perRule.map((r) => formatCount(r.matches).length), 7);
    const swidth = maxOf(s.perRule.map((r) => formatCount(r.suppressed).length), 10);
    lines.push('', `  ${'matches'.padStart(width)}  ${'suppressed'.padStart(swidth)}  rule`);
    for (const r of s.perRule) {
      lines.push(`  ${formatCount(r.matches).padStart(width)}  ${formatCount(r.suppressed).padStart(swidth)}  ${r.title} [${r.id ?? 'no id'}] ${r.path}`);
    }
  }
  if (s.perCorrelation.length > 0) {
    const width = Math.max(6, ...s.perCorrelation.map((c) => formatCount(c.alerts).length));
    lines.push('', `  ${'alerts'.padStart(width)}  correlation`);
    for (const c of s.perCorrelation) lines.push(`  ${formatCount(c.alerts).padStart(width)}  ${c.title} [${c.id ?? 'no id'}] ${c.path} (${c.type})`);
  }
  return `${lines.map(terminalLine).join('\n')}\n`;
}
