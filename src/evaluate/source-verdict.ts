/**
 * A rule's verdict on an event as its logsource sees the event: through the source view when a
 * mapped source takes it (a Security 4688 event for a process_creation rule), where the rule must
 * hold whatever the fields the source does not record hold; else on the event as it is. The
 * same verdict as the rule index's (compile/rule-index.ts), for the one-event paths (case runs,
 * the gate's semantic diff).
 */
import { compileSourceView } from '../logsource/logsource.js';
import type { Logsource, LogsourceMapping, SourceViewResult } from '../logsource/logsource.js';
import type { MatchPlan } from '../plan/plan.js';
import { planMatches, planMatchesSurely } from './evaluate.js';
import type { Event } from './evaluate.js';

/** How a logsource sees events: `(event) => view` (undefined: as it is). */
export type SourceViewer = (event: Event) => (SourceViewResult & { key: string }) | undefined;

/** The viewer of a logsource under a mapping (never a view without a mapping or mapped sources). */
export function sourceViewer(ls: Logsource, mapping: LogsourceMapping | null): SourceViewer {
  const v = mapping === null ? undefined : compileSourceView(ls, mapping);
  return v ?? ((): undefined => undefined);
}

/** The rule's verdict on events as its logsource sees them (see the file comment). */
export function sourceVerdict(plan: MatchPlan, ls: Logsource, mapping: LogsourceMapping | null): (event: Event) => boolean {
  const view = sourceViewer(ls, mapping);
  return (event) => {
    const v = view(event);
    return v === undefined ? planMatches(plan, event) : planMatchesSurely(plan, v.event, v.unknown);
  };
}
