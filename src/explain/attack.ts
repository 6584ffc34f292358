/**
 * MITRE ATT&CK coverage of a rule, from its `attack.*` tags (Sigma tag convention): tactics
 * (`attack.persistence`), techniques (`attack.t1547.001`), groups (`attack.g0016`) and software
 * (`attack.s0002`). The tactics ship as facts (attack-data.ts: ATT&CK v19's 15 Enterprise tactics,
 * the legacy `defense-evasion`, the ICS-only ones) so a page needs no download; a MITRE ATT&CK
 * STIX 2.x bundle (`enterprise-attack.json`), when given, adds technique names and says under
 * which of the rule's tactics each technique belongs (its kill chain phases). Tactics only the
 * bundle knows are taken from its `x-mitre-tactic` objects.
 *
 * Placement of a technique under tactics (one row per tactic, in matrix order):
 * - with a bundle that knows the technique: the rule's tactics that are among its kill chain
 *   phases; when none of them is, its bundle phases (rows marked `tagged: false`);
 * - otherwise (no bundle, or a technique the bundle lacks — which gets a note): every tactic of
 *   the rule; a rule without tactic tags gets one row without a tactic.
 */
import { isJsonObject } from '../util/json-object.js';
import { ENTERPRISE_TACTICS, ICS_TACTICS, LEGACY_TACTICS } from './attack-data.js';
import type { Tactic } from './attack-data.js';

export type { Tactic } from './attack-data.js';
export { ATTACK_VERSION, ENTERPRISE_TACTICS } from './attack-data.js';

/**
 * Every tactic a tag may name, in the order coverage rows are listed: the Enterprise matrix, with
 * each legacy tactic right after the one it follows (`defense-evasion` after
 * `privilege-escalation`), then the ICS-only tactics.
 */
export const KNOWN_TACTICS: readonly Tactic[] = [
  ...ENTERPRISE_TACTICS.flatMap((t) => [t, ...LEGACY_TACTICS.filter((l) => l.after === t.slug).map(({ slug, id, name }) => ({ slug, id, name }))]),
  ...ICS_TACTICS,
];

const TACTIC_BY_SLUG = new Map(KNOWN_TACTICS.map((t, k) => [t.slug, { tactic: t, order: k }]));

/** The tactic of a slug; old Sigma tags use `_` (`attack.privilege_escalation`), so both spellings are accepted. */
export function tacticBySlug(slug: string): Tactic | undefined {
  return TACTIC_BY_SLUG.get(slug.toLowerCase().replace(/_/g, '-'))?.tactic;
}

const TECHNIQUE_ID = /^T\d{4}(\.\d{3})?$/;
const GROUP_ID = /^G\d{4}$/;
const SOFTWARE_ID = /^S\d{4}$/;

/** A rule's tags sorted into ATT&CK kinds (each list in tag order, without duplicates). */
export interface AttackTags {
  tactics: Tactic[];
  /** Technique ids, uppercase (`T1547.001`). */
  techniques: string[];
  /** Group ids (`G0016`). */
  groups: string[];
  /** Software ids (`S0002`). */
  software: string[];
  /** Every other tag, as written (`attack.foo`, `car.2016-04-005`, `cve.2021-44228`, …). */
  other: string[];
}

/**
 * Sorts tags into tactics, techniques, groups, software and other tags. `extraTactic` resolves
 * slugs that are not among the shipped tactics (e.g. from a bundle).
 */
export function parseAttackTags(tags: readonly string[], extraTactic?: (slug: string) => Tactic | undefined): AttackTags {
  const out: AttackTags = { tactics: [], techniques: [], groups: [], software: [], other: [] };
  const push = (list: string[], v: string): void => {
    if (!list.includes(v)) list.push(v);
  };
  for (const tag of tags) {
    const m = /^attack\.(.+)$/i.exec(tag.trim());
    const rest = m?.[1];
    if (rest === undefined) {
      push(out.other, tag);
      continue;
    }
    const tactic = tacticBySlug(rest) ?? extraTactic?.(rest.toLowerCase().replace(/_/g, '-'));
    const upper = rest.toUpperCase();
    if (tactic !== undefined) {
      if (!out.tactics.includes(tactic)) out.tactics.push(tactic);
    } else if (TECHNIQUE_ID.test(upper)) push(out.techniques, upper);
    else if (GROUP_ID.test(upper)) push(out.groups, upper);
    else if (SOFTWARE_ID.test(upper)) push(out.software, upper);
    else push(out.other, tag);
  }
  return out;
}

/** A technique as read from a STIX bundle. */
export interface BundleTechnique {
  id: string;
  /** The technique's own name (`Registry Run Keys / Startup Folder`). */
  name: string;
  /** Kill chain phases of the enterprise matrix (`mitre-attack`), i.e. tactic slugs. */
  phases: string[];
  subtechnique: boolean;
  /** Revoked or deprecated in the bundle (kept when no current object has the id). */
  retired: boolean;
}

/** What a page needs from an ATT&CK STIX bundle: techniques, groups and software by ATT&CK id. */
export interface AttackBundle {
  techniques: Map<string, BundleTechnique>;
  /** Group names by id (`intrusion-set` objects). */
  groups: Map<string, string>;
  /** Software names by id (`malware` and `tool` objects). */
  software: Map<string, string>;
  /** Tactics by slug (`x-mitre-tactic` objects), in bundle order. */
  tactics: Map<string, Tactic>;
}

/** Why a bundle could not be read. */
export interface AttackBundleError {
  error: string;
}

/** The `mitre-attack` external id of a STIX object, if any. */
function attackId(o: Record<string, unknown>): string | undefined {
  const refs = o.external_references;
  if (!Array.isArray(refs)) return undefined;
  for (const r of refs) {
    if (isJsonObject(r) && r.source_name === 'mitre-attack' && typeof r.external_id === 'string') return r.external_id.toUpperCase();
  }
  return undefined;
}

/**
 * Reads a MITRE ATT&CK STIX 2.x bundle (JSON text). Only `attack-pattern`, `intrusion-set`,
 * `malware` and `tool` objects with a `mitre-attack` external id are used. A current object wins
 * over a revoked or deprecated one with the same id. Not JSON, no `objects` list, or no technique
 * at all is an error.
 */
export function parseAttackBundle(text: string): AttackBundle | AttackBundleError {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { error: `not valid JSON: ${(e as Error).message}` };
  }
  if (!isJsonObject(data) || !Array.isArray(data.objects)) {
    return { error: "not a STIX bundle: expected a JSON object with an 'objects' list" };
  }
  if (data.type !== undefined && data.type !== 'bundle') return { error: `not a STIX bundle: its type is '${String(data.type)}'` };
  const bundle: AttackBundle = { techniques: new Map(), groups: new Map(), software: new Map(), tactics: new Map() };
  for (const o of data.objects) {
    if (!isJsonObject(o) || typeof o.name !== 'string') continue;
    const id = attackId(o);
    if (id === undefined) continue;
    const retired = o.revoked === true || o.x_mitre_deprecated === true;
    if (o.type === 'attack-pattern' && TECHNIQUE_ID.test(id)) {
      const known = bundle.techniques.get(id);
      if (known !== undefined && (retired || !known.retired)) continue;
      const phases: string[] = [];
      if (Array.isArray(o.kill_chain_phases)) {
        for (const p of o.kill_chain_phases) {
          if (isJsonObject(p) && p.kill_chain_name === 'mitre-attack' && typeof p.phase_name === 'string') phases.push(p.phase_name);
        }
      }
      bundle.techniques.set(id, {
        id,
        name: o.name,
        phases,
        subtechnique: o.x_mitre_is_subtechnique === true || id.includes('.'),
        retired,
      });
    } else if (o.type === 'intrusion-set' && GROUP_ID.test(id)) {
      if (!retired || !bundle.groups.has(id)) bundle.groups.set(id, o.name);
    } else if ((o.type === 'malware' || o.type === 'tool') && SOFTWARE_ID.test(id)) {
      if (!retired || !bundle.software.has(id)) bundle.software.set(id, o.name);
    } else if (o.type === 'x-mitre-tactic' && /^TA\d{4}$/.test(id) && typeof o.x_mitre_shortname === 'string' && !retired) {
      bundle.tactics.set(o.x_mitre_shortname, { slug: o.x_mitre_shortname, id, name: o.name });
    }
  }
  if (bundle.techniques.size === 0) {
    return { error: "the bundle has no ATT&CK technique (an 'attack-pattern' object with a 'mitre-attack' external id)" };
  }
  return bundle;
}

/** The display name of a technique: sub-techniques are prefixed by their parent's name (ATT&CK style). */
export function techniqueDisplayName(bundle: AttackBundle, id: string): string | undefined {
  const t = bundle.techniques.get(id);
  if (t === undefined) return undefined;
  const dot = id.indexOf('.');
  if (dot < 0) return t.name;
  const parent = bundle.techniques.get(id.slice(0, dot));
  return parent === undefined ? t.name : `${parent.name}: ${t.name}`;
}

/** A technique as listed on a page. */
export interface TechniqueRef {
  id: string;
  /** Display name from the bundle; absent without a bundle or when the bundle lacks the id. */
  name?: string;
}

/** One row of the coverage table: a tactic and the rule's techniques under it. */
export interface TacticRow {
  /** null: techniques of a rule without tactic tags (and without a bundle placing them). */
  tactic: Tactic | null;
  /** False when the tactic comes from the bundle (a technique's phase) rather than the rule's tags. */
  tagged: boolean;
  techniques: TechniqueRef[];
}

/** A group or software tag, named when the bundle knows it. */
export interface NamedRef {
  id: string;
  name?: string;
}

/** ATT&CK coverage of a rule. */
export interface AttackCoverage {
  rows: TacticRow[];
  groups: NamedRef[];
  software: NamedRef[];
  /** Tags that are neither tactics, techniques, groups nor software. */
  otherTags: string[];
  /** Remarks, e.g. technique ids the given bundle does not know. */
  notes: string[];
}

/** The ATT&CK coverage of a rule's tags, optionally with a bundle (see the placement rules above). */
export function attackCoverage(tags: readonly string[], bundle?: AttackBundle): AttackCoverage {
  const fromBundle = (slug: string): Tactic | undefined => bundle?.tactics.get(slug);
  const tacticOf = (slug: string): Tactic | undefined => tacticBySlug(slug) ?? fromBundle(slug);
  const parsed = parseAttackTags(tags, fromBundle);
  const notes: string[] = [];
  const rows = new Map<string, TacticRow>();
  const rowFor = (tactic: Tactic | null, tagged: boolean): TacticRow => {
    const key = tactic?.slug ?? '';
    let row = rows.get(key);
    if (row === undefined) {
      row = { tactic, tagged, techniques: [] };
      rows.set(key, row);
    }
    return row;
  };
  for (const t of parsed.tactics) rowFor(t, true);
  for (const id of parsed.techniques) {
    const ref: TechniqueRef = { id };
    const known = bundle?.techniques.get(id);
    if (bundle !== undefined) {
      const name = techniqueDisplayName(bundle, id);
      if (name !== undefined) ref.name = name;
      if (known === undefined) notes.push(`${id} is not in the ATT&CK bundle (unknown or mistyped technique id)`);
      else if (known.retired) notes.push(`${id} is revoked or deprecated in the ATT&CK bundle`);
    }
    let targets: Array<{ tactic: Tactic | null; tagged: boolean }>;
    if (known !== undefined) {
      const phases = known.phases.map(tacticOf).filter((t): t is Tactic => t !== undefined);
      const shared = parsed.tactics.filter((t) => phases.includes(t));
      targets = shared.length > 0 ? shared.map((t) => ({ tactic: t, tagged: true })) : phases.map((t) => ({ tactic: t, tagged: false }));
      if (targets.length === 0) targets = parsed.tactics.map((t) => ({ tactic: t, tagged: true }));
    } else targets = parsed.tactics.map((t) => ({ tactic: t, tagged: true }));
    if (targets.length === 0) targets = [{ tactic: null, tagged: false }];
    for (const { tactic, tagged } of targets) {
      const row = rowFor(tactic, tagged);
      if (!row.techniques.some((x) => x.id === id)) row.techniques.push(ref);
    }
  }
  // Shipped tactics in matrix order, then bundle-only tactics in bundle order, then the tactic-less row.
  const bundleOrder = [...(bundle?.tactics.keys() ?? [])];
  const order = (r: TacticRow): number =>
    r.tactic === null ? Number.MAX_SAFE_INTEGER : (TACTIC_BY_SLUG.get(r.tactic.slug)?.order ?? KNOWN_TACTICS.length + bundleOrder.indexOf(r.tactic.slug));
  const named = (ids: string[], names: Map<string, string> | undefined): NamedRef[] =>
    ids.map((id) => {
      const ref: NamedRef = { id };
      const name = names?.get(id);
      if (name !== undefined) ref.name = name;
      return ref;
    });
  return {
    rows: [...rows.values()].sort((a, b) => order(a) - order(b)),
    groups: named(parsed.groups, bundle?.groups),
    software: named(parsed.software, bundle?.software),
    otherTags: parsed.other,
    notes,
  };
}
