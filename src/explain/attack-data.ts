/**
 * MITRE ATT&CK facts sigmatest ships, in one place: the tactics (Sigma tag slug, ATT&CK id, name)
 * of the Enterprise matrix in matrix order, the tactic names older ATT&CK versions used, and the
 * ICS-only tactics. Rule validation (`gate/validate-rule.ts`), rule pages (`explain/attack.ts`)
 * and the HTML index read them from here; nothing else lists tactics.
 *
 * Current with ATT&CK v19, which split Defense Evasion (TA0005) into Stealth (keeping TA0005) and
 * Defense Impairment (TA0112). v18 and earlier have the 14 tactics with Defense Evasion; SigmaHQ
 * tags rules with the v19 names (`attack.stealth`, `attack.defense-impairment`), and older rules
 * still carry `attack.defense-evasion`, which stays a known (legacy) tactic.
 *
 * Technique names and the tactics a technique belongs to are not shipped (about 700 entries that
 * change with every release): a STIX bundle (`explain --attack enterprise-attack.json`) adds them.
 */

/** One ATT&CK tactic. */
export interface Tactic {
  /** The Sigma tag / STIX phase name, e.g. `privilege-escalation`. */
  slug: string;
  /** The ATT&CK id, e.g. `TA0004`. */
  id: string;
  /** The display name, e.g. `Privilege Escalation`. */
  name: string;
}

/** The ATT&CK version the tactic list follows. */
export const ATTACK_VERSION = '19';

/** The Enterprise tactics of ATT&CK v19 in matrix order (the order coverage rows are listed in). */
export const ENTERPRISE_TACTICS: readonly Tactic[] = [
  { slug: 'reconnaissance', id: 'TA0043', name: 'Reconnaissance' },
  { slug: 'resource-development', id: 'TA0042', name: 'Resource Development' },
  { slug: 'initial-access', id: 'TA0001', name: 'Initial Access' },
  { slug: 'execution', id: 'TA0002', name: 'Execution' },
  { slug: 'persistence', id: 'TA0003', name: 'Persistence' },
  { slug: 'privilege-escalation', id: 'TA0004', name: 'Privilege Escalation' },
  { slug: 'stealth', id: 'TA0005', name: 'Stealth' },
  { slug: 'defense-impairment', id: 'TA0112', name: 'Defense Impairment' },
  { slug: 'credential-access', id: 'TA0006', name: 'Credential Access' },
  { slug: 'discovery', id: 'TA0007', name: 'Discovery' },
  { slug: 'lateral-movement', id: 'TA0008', name: 'Lateral Movement' },
  { slug: 'collection', id: 'TA0009', name: 'Collection' },
  { slug: 'command-and-control', id: 'TA0011', name: 'Command and Control' },
  { slug: 'exfiltration', id: 'TA0010', name: 'Exfiltration' },
  { slug: 'impact', id: 'TA0040', name: 'Impact' },
];

/**
 * Tactics of earlier ATT&CK versions that rules still carry, each listed right before the tactic
 * that took its place in matrix order (`after` is the slug it follows).
 */
export const LEGACY_TACTICS: ReadonlyArray<Tactic & { after: string; replacedBy: readonly string[] }> = [
  { slug: 'defense-evasion', id: 'TA0005', name: 'Defense Evasion', after: 'privilege-escalation', replacedBy: ['stealth', 'defense-impairment'] },
];

/** Tactics of the ICS matrix only (the others share their Enterprise names). */
export const ICS_TACTICS: readonly Tactic[] = [
  { slug: 'evasion', id: 'TA0103', name: 'Evasion' },
  { slug: 'impair-process-control', id: 'TA0106', name: 'Impair Process Control' },
  { slug: 'inhibit-response-function', id: 'TA0107', name: 'Inhibit Response Function' },
];
