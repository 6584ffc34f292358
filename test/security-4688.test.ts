/**
 * SigmaHQ's process_creation rules on the real Security 4688 events of the evtx-to-mitre-attack
 * set (../shared; skipped with a message when absent): the rule index sees each event as a
 * Sysmon 1 event (logsource/source-view.ts), finds matches, and every match holds under the
 * rule's meaning:
 * - on the event translated to Sysmon 1 here, by hand, independently of the view's code;
 * - whatever the fields 4688 does not record hold: each item of the rule on such a field is made
 *   true (a value realising it) and false (the field absent), and the rule still matches.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { collectRules } from '../src/rules/collect-rules.js';
import { listEventFiles } from '../src/event-files/list-event-files.js';
import { readEventFileSync } from '../src/event-files/read-events.js';
import { RuleIndex } from '../src/compile/rule-index.js';
import { builtinMapping } from '../src/logsource/logsource.js';
import { evaluatePlan } from '../src/evaluate/evaluate.js';
import type { Event } from '../src/evaluate/evaluate.js';
import { realizeMatcher } from '../src/fuzz/realize.js';
import { realizeContext } from '../src/fuzz/witness.js';

const ATTACK = fileURLToPath(new URL('../../shared/corpus/evtx-to-mitre-attack', import.meta.url));
const RULES = fileURLToPath(new URL('../../shared/corpus/sigmahq/rules/windows/process_creation', import.meta.url));
const HAVE = existsSync(ATTACK) && existsSync(RULES);
if (!HAVE) console.warn(`security-4688.test.ts: skipped, ${ATTACK} or ${RULES} is absent`);

/** Sysmon 1 fields that Security 4688 never records (from Sysmon's event schema), written down here on their own. */
const NOT_IN_4688 = ['OriginalFileName', 'Hashes', 'Company', 'Description', 'Product', 'FileVersion', 'CurrentDirectory', 'ParentCommandLine', 'ParentUser', 'ProcessGuid', 'ParentProcessGuid', 'LogonGuid', 'TerminalSessionId', 'UtcTime', 'RuleName'];

const nothing = (v: unknown): boolean => v === undefined || v === null || v === '' || v === '-';

/** The Sysmon 1 event of a 4688 event, translated by hand from Microsoft's description of 4688 and Sysmon's of event 1. */
function toSysmon1(e: Event): Event {
  const out: Event = { Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1 };
  out['Image'] = e['NewProcessName'];
  if (!nothing(e['ParentProcessName'])) out['ParentImage'] = e['ParentProcessName'];
  if (!nothing(e['CommandLine'])) out['CommandLine'] = e['CommandLine'];
  out['ProcessId'] = Number.parseInt(String(e['NewProcessId']).replace(/^0x/i, ''), 16);
  out['ParentProcessId'] = Number.parseInt(String(e['ProcessId']).replace(/^0x/i, ''), 16);
  const names: Record<string, string> = { 'S-1-5-18': 'NT AUTHORITY\\SYSTEM', 'S-1-5-19': 'NT AUTHORITY\\LOCAL SERVICE', 'S-1-5-20': 'NT AUTHORITY\\NETWORK SERVICE' };
  const account = (sid: unknown, domain: unknown, name: unknown): string | undefined => names[String(sid)] ?? (nothing(name) ? undefined : `${String(domain)}\\${String(name)}`);
  out['User'] = account(e['TargetUserSid'], e['TargetDomainName'], e['TargetUserName']) ?? account(e['SubjectUserSid'], e['SubjectDomainName'], e['SubjectUserName']);
  const level: Record<string, string> = { 'S-1-16-8192': 'Medium', 'S-1-16-12288': 'High', 'S-1-16-16384': 'System' };
  if (level[String(e['MandatoryLabel'])] !== undefined) out['IntegrityLevel'] = level[String(e['MandatoryLabel'])];
  out['LogonId'] = !nothing(e['TargetUserName']) && !/^0x0$/i.test(String(e['TargetLogonId'])) ? String(e['TargetLogonId']) : String(e['SubjectLogonId']);
  return out;
}

describe.runIf(HAVE)('SigmaHQ process_creation rules on real Security 4688 events', () => {
  const events: Event[] = [];
  for (const f of listEventFiles([ATTACK]).files) {
    for (const r of readEventFileSync(f).events) if (r.event['Channel'] === 'Security' && r.event['EventID'] === 4688) events.push(r.event);
  }
  const rules = collectRules([RULES]).rules;

  it('finds matches, more than on the events as they are, and each holds on the hand-made Sysmon 1 event', () => {
    expect(events.length).toBeGreaterThan(0);
    const viewed = new RuleIndex(rules, { mapping: builtinMapping });
    const plain = new RuleIndex(rules, { mapping: null, views: null });
    const pairs = viewed.matchBatch(events);
    const before = plain.matchBatch(events).length / 2;
    const matches = pairs.length / 2;
    console.log(`security-4688: ${events.length} events, ${rules.length} rules: ${matches} matches through the view, ${before} on the events as they are`);
    expect(matches).toBeGreaterThan(before);
    for (let k = 0; k < pairs.length; k += 2) {
      const e = events[pairs[k] as number] as Event;
      const rule = rules[pairs[k + 1] as number];
      if (rule === undefined) throw new Error('no rule');
      expect(evaluatePlan(rule.plan, toSysmon1(e)).match, `${rule.file} on ${JSON.stringify(e)}`).toBe(true);
    }
  });

  it('each match holds whatever the fields 4688 does not record hold (each such item made true, then false)', () => {
    const viewed = new RuleIndex(rules, { mapping: builtinMapping });
    const pairs = viewed.matchBatch(events);
    let probes = 0;
    for (let k = 0; k < pairs.length; k += 2) {
      const e = toSysmon1(events[pairs[k] as number] as Event);
      const rule = rules[pairs[k + 1] as number];
      if (rule === undefined) throw new Error('no rule');
      const missing = new Set(NOT_IN_4688);
      if (e['ParentImage'] === undefined) missing.add('ParentImage');
      if (e['IntegrityLevel'] === undefined) missing.add('IntegrityLevel');
      if (e['CommandLine'] === undefined) missing.add('CommandLine');
      for (const item of rule.plan.items) {
        if (item.field === null || !missing.has(item.field)) continue;
        for (const [j, v] of item.values.entries()) {
          const value = realizeMatcher(v.matcher, item.field, realizeContext(1000 + j));
          if (value === undefined) continue;
          probes++;
          expect(evaluatePlan(rule.plan, { ...e, [item.field]: value }).match, `${rule.file}: ${item.field} = ${JSON.stringify(value)}`).toBe(true);
        }
      }
    }
    console.log(`security-4688: ${probes} probes of fields 4688 does not record`);
    expect(probes).toBeGreaterThan(0);
  });
});
