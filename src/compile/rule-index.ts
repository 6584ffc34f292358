/**
 * A set of rules ready to scan events: each event meets only the rules that can match it.
 * (First version: logsource buckets + the reference evaluator; compiled matchers and the needle
 * prefilter replace the inside, not this interface.)
 */
import type { SigmaRule } from '../sigma/load-rule.js';
import type { LogsourceMapping } from '../logsource/logsource.js';
import { LogsourceIndex } from '../logsource/logsource.js';
import { EventView, planMatches } from '../evaluate/evaluate.js';
import type { Event } from '../evaluate/evaluate.js';

export interface RuleIndexOptions {
  /** The logsource mapping to apply; null scans every rule against every event ("ignore"). */
  mapping: LogsourceMapping | null;
}

export class RuleIndex {
  private readonly byLogsource: LogsourceIndex<SigmaRule> | null;
  constructor(
    readonly rules: readonly SigmaRule[],
    options: RuleIndexOptions,
  ) {
    if (options.mapping === null) this.byLogsource = null;
    else {
      this.byLogsource = new LogsourceIndex<SigmaRule>(options.mapping);
      for (const r of rules) this.byLogsource.add(r.logsource, r);
    }
  }

  /** The rules that match `event`, in rule order. */
  matches(event: Event): SigmaRule[] {
    const view = new EventView(event);
    const candidates = this.byLogsource === null ? this.rules : this.byLogsource.candidates(event);
    return candidates.filter((r) => planMatches(r.plan, view));
  }
}
