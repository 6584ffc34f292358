/**
 * Rule validation for `sigmatest gate`, at the level of SigmaHQ's own CI: metadata schema and
 * required fields, duplicate ids and titles over the whole rule tree, tag formats (ATT&CK, CVE,
 * CAR, detection, TLP, STP), known logsources, and the modifier/wildcard pitfalls rule authors hit.
 *
 * Every finding is a located Diagnostic with a stable code; each code has a default severity
 * (see VALIDATION_CODES) that the caller may override per code, or switch off.
 *
 * Some checks repeat what the loader already rejects (an invalid id, level or status, a missing
 * title...): they use the loader's codes and only fire for rules the loader could not fully accept
 * (a `partial` rule of `LoadedFile.invalid`), so a gate that validates partial rules reports them.
 *
 * Positions come from the loaded rule, never from its file again: metadata diagnostics point at
 * the value of their key (`rule.positions`; a missing key at the document start), detection
 * diagnostics at the item's key or the value (positions the plan keeps). Modifier checks read the
 * parsed chain (`item.chain`), never the written names.
 */
import { diagnostic } from '../diagnostics/diagnostics.js';
import type { Diagnostic, SourcePos } from '../diagnostics/diagnostics.js';
import { CODES, codesOf } from '../diagnostics/codes.js';
import type { CodeInfo, SeverityOverride, ValidationCode } from '../diagnostics/codes.js';
import { childPath } from '../diagnostics/doc-path.js';
import type { SigmaRule } from '../rules/load-rule.js';
import { ruleKey } from '../rules/rule-key.js';
import { isUuid } from '../rules/uuid.js';
import { builtinMapping, resolveLogsource } from '../logsource/logsource.js';
import type { LogsourceMapping } from '../logsource/logsource.js';
import { parsePattern } from '../sigma/pattern.js';
import type { PatternToken } from '../sigma/pattern.js';
import { ruleFieldOf, valuePath } from '../plan/plan.js';
import type { PlanItem } from '../plan/plan.js';
import { itemKeyText } from '../plan/modifier-chain.js';
import { ATTACK_VERSION, ENTERPRISE_TACTICS, ICS_TACTICS, LEGACY_TACTICS } from '../explain/attack-data.js';

/** A configurable severity: `off` drops the check. */
export type ValidationSeverity = SeverityOverride;

/**
 * Every code validateRules can produce, with its default severity and a one-line description: the
 * `validation` group of the code registry (src/diagnostics/codes.ts).
 */
export const VALIDATION_CODES: Readonly<Record<ValidationCode, CodeInfo>> = Object.fromEntries(codesOf('validation').map((c) => [c, CODES[c]])) as Record<ValidationCode, CodeInfo>;

export type ValidationCodeName = ValidationCode;

/** Options of validateRules: severity overrides, the logsource mapping, the whole rule tree, a source reader. */
export interface ValidateOptions {
  /** Per-code severity overrides (the config's `gate: severities:`); `off` drops the check. */
  severities?: Readonly<Partial<Record<ValidationCode, ValidationSeverity>>>;
  /** Logsource mapping for RULE_LOGSOURCE_UNKNOWN; the built-in one by default. */
  mapping?: LogsourceMapping;
  /** The whole rule tree, for duplicate ids and titles; the validated rules by default. */
  allRules?: readonly SigmaRule[];
}

const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'];
const STATUSES = ['stable', 'test', 'experimental', 'deprecated', 'unsupported'];
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * ATT&CK tactic short names a tag may use (explain/attack-data.ts): the Enterprise tactics of
 * the current ATT&CK version (v19: stealth and defense-impairment, which split defense-evasion),
 * the legacy defense-evasion, and the ICS-only evasion, inhibit-response-function,
 * impair-process-control.
 */
export const ATTACK_TACTICS: ReadonlySet<string> = new Set([...ENTERPRISE_TACTICS, ...LEGACY_TACTICS, ...ICS_TACTICS].map((t) => t.slug));
const DETECTION_TAGS = new Set(['dfir', 'emerging-threats', 'threat-hunting']);
const TLP_TAGS = new Set(['red', 'amber', 'amber-strict', 'green', 'clear']);

/**
 * Field names whose values are Windows file system paths, where `*` and `?` can never be literal
 * characters: Sysmon/Windows style names ending in Image, Path, Filename, FileName or Directory,
 * and ImageLoaded. Case-sensitive on purpose: lowercase names of other log sources (Zeek's SMB
 * `path`, proxy paths) hold share names or URLs, where a literal `*` or `?` is real.
 */
export function isPathLikeField(field: string): boolean {
  return /(Image|Path|Filename|FileName|Directory)$/.test(field) || field === 'ImageLoaded';
}

/** Where a metadata path is written: its value, else its top-level key's value, else the document start. */
function metadataPos(rule: SigmaRule, path: string): SourcePos {
  const exact = rule.positions.get(path);
  if (exact !== undefined) return exact;
  const top = /^[^.[]+/.exec(path)?.[0];
  return (top !== undefined && top !== path ? rule.positions.get(top) : undefined) ?? rule.pos;
}

// ---------------------------------------------------------------------------------------------
// Validation.

/** Reports a finding at a path; `pos` where the finding is located (metadata paths are looked up when omitted). */
type Emit = (code: ValidationCodeName, message: string, path: string, pos?: SourcePos) => void;

/** Validates rules; diagnostics are in rule order, then check order. */
export function validateRules(rules: readonly SigmaRule[], options: ValidateOptions = {}): Diagnostic[] {
  const out: Diagnostic[] = [];
  const mapping = options.mapping ?? builtinMapping;
  const all = options.allRules ?? rules;
  const severityOf = (code: ValidationCodeName): ValidationSeverity => options.severities?.[code] ?? VALIDATION_CODES[code].severity;

  // Duplicate ids and titles over the whole tree (a rule present in both lists counts once).
  const byId = new Map<string, SigmaRule[]>();
  const byTitle = new Map<string, SigmaRule[]>();
  const seen = new Set<string>();
  for (const r of [...all, ...rules]) {
    const k = ruleKey(r);
    if (seen.has(k)) continue;
    seen.add(k);
    const id = typeof r.raw.id === 'string' ? r.raw.id.trim().toLowerCase() : '';
    if (id !== '') byId.set(id, [...(byId.get(id) ?? []), r]);
    const title = r.title.trim().toLowerCase();
    if (title !== '') byTitle.set(title, [...(byTitle.get(title) ?? []), r]);
  }

  for (const rule of rules) {
    const emit: Emit = (code, message, path, pos) => {
      const severity = severityOf(code);
      if (severity === 'off') return;
      out.push(diagnostic(code, message, { file: rule.file, path, pos: pos ?? metadataPos(rule, path) }, severity));
    };
    checkMetadata(rule, emit);
    const others = (m: Map<string, SigmaRule[]>, key: string): SigmaRule[] => (m.get(key) ?? []).filter((r) => ruleKey(r) !== ruleKey(rule));
    if (typeof rule.raw.id === 'string' && rule.raw.id.trim() !== '') {
      const dups = others(byId, rule.raw.id.trim().toLowerCase());
      if (dups.length > 0) emit('RULE_ID_DUPLICATE', `the id ${rule.raw.id} is also the id of ${describeRules(dups)}; every rule needs its own id (generate a new UUID)`, 'id');
    }
    if (rule.title.trim() !== '') {
      const dups = others(byTitle, rule.title.trim().toLowerCase());
      if (dups.length > 0) emit('RULE_TITLE_DUPLICATE', `the title '${rule.title}' is also the title of ${describeRules(dups)}`, 'title');
    }
    checkTags(rule, emit);
    checkLogsource(rule, mapping, emit);
    for (const item of rule.plan.items) checkItem(rule, item, emit);
  }
  return out;
}

function describeRules(rules: SigmaRule[]): string {
  const shown = rules.slice(0, 3).map((r) => `'${r.title}' in ${r.file}${r.document > 0 ? ` (document ${r.document + 1})` : ''}`);
  return shown.join(', ') + (rules.length > 3 ? ` and ${rules.length - 3} more` : '');
}

/** A YYYY-MM-DD date as days since the epoch, undefined when not a valid calendar date. */
export function parseSigmaDate(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const m = DATE.exec(v.trim());
  if (m === null) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return undefined;
  return t / 86_400_000;
}

function show(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : JSON.stringify(v) ?? String(v);
}

function isStringList(v: unknown): boolean {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

function checkMetadata(rule: SigmaRule, emit: Emit): void {
  const raw = rule.raw;
  const has = (k: string): boolean => Object.hasOwn(raw, k) && raw[k] !== null && raw[k] !== undefined;

  if (!has('title')) emit('RULE_TITLE_MISSING', "the rule has no 'title'", 'title');
  else if (typeof raw.title !== 'string' || raw.title.trim() === '') emit('RULE_TITLE_INVALID', "'title' must be a non-empty string", 'title');
  else if (raw.title.length > 256) emit('RULE_TITLE_INVALID', `'title' is ${raw.title.length} characters long; at most 256 are allowed`, 'title');

  if (!has('id')) emit('RULE_ID_MISSING', "the rule has no 'id'; add a fresh UUID (e.g. from `uuidgen`) so the rule keeps its identity across renames", 'id');
  else if (typeof raw.id !== 'string' || !isUuid(raw.id)) emit('RULE_ID_INVALID', `'id' must be a UUID such as 929a690e-bef0-4204-a928-ef5e620d6fcc, not ${show(raw.id)}`, 'id');

  if (!has('status')) emit('RULE_STATUS_MISSING', `the rule has no 'status' (one of ${STATUSES.join(', ')})`, 'status');
  else if (typeof raw.status !== 'string' || !STATUSES.includes(raw.status)) emit('RULE_STATUS_INVALID', `'status' must be one of ${STATUSES.join(', ')}, not ${show(raw.status)}`, 'status');

  if (!has('level')) emit('RULE_LEVEL_MISSING', `the rule has no 'level' (one of ${LEVELS.join(', ')})`, 'level');
  else if (typeof raw.level !== 'string' || !LEVELS.includes(raw.level)) emit('RULE_LEVEL_INVALID', `'level' must be one of ${LEVELS.join(', ')}, not ${show(raw.level)}`, 'level');

  if (typeof raw.description !== 'string' || raw.description.trim() === '') emit('RULE_DESCRIPTION_MISSING', "the rule has no 'description' text", 'description');
  if (typeof raw.author !== 'string' || raw.author.trim() === '') emit('RULE_AUTHOR_MISSING', "the rule has no 'author' text", 'author');

  let date: number | undefined;
  if (!has('date')) emit('RULE_DATE_MISSING', "the rule has no 'date' (the creation date, YYYY-MM-DD)", 'date');
  else {
    date = parseSigmaDate(raw.date);
    if (date === undefined) emit('RULE_DATE_INVALID', `'date' must be a date written YYYY-MM-DD, not ${show(raw.date)}`, 'date');
  }
  if (has('modified')) {
    const modified = parseSigmaDate(raw.modified);
    if (modified === undefined) emit('RULE_MODIFIED_INVALID', `'modified' must be a date written YYYY-MM-DD, not ${show(raw.modified)}`, 'modified');
    else if (date !== undefined && modified < date) emit('RULE_MODIFIED_BEFORE_DATE', `'modified' (${String(raw.modified)}) is before 'date' (${String(raw.date)})`, 'modified');
  }

  const ls = raw.logsource;
  if (!has('logsource')) emit('RULE_LOGSOURCE_MISSING', "the rule has no 'logsource'", 'logsource');
  else if (typeof ls !== 'object' || ls === null || Array.isArray(ls)) emit('RULE_LOGSOURCE_INVALID', "'logsource' must be a mapping with category, product and/or service", 'logsource');
  else {
    const l = ls as Record<string, unknown>;
    if (!['category', 'product', 'service'].some((k) => typeof l[k] === 'string' && l[k] !== '')) {
      emit('RULE_LOGSOURCE_INVALID', "'logsource' needs at least one of category, product or service", 'logsource');
    }
  }

  const det = raw.detection;
  if (typeof det !== 'object' || det === null || Array.isArray(det)) emit('RULE_DETECTION_MISSING', "the rule has no 'detection' mapping", 'detection');
  else if (!Object.hasOwn(det, 'condition') || (det as Record<string, unknown>).condition === null) emit('RULE_CONDITION_MISSING', "'detection' has no 'condition'", 'detection');

  if (has('references') && !isStringList(raw.references)) emit('RULE_REFERENCES_INVALID', "'references' must be a list of strings (one URL per item)", 'references');
  if (has('falsepositives') && !isStringList(raw.falsepositives)) emit('RULE_FALSEPOSITIVES_INVALID', "'falsepositives' must be a list of strings (write '- Unknown' for none known)", 'falsepositives');
  if (has('tags') && !isStringList(raw.tags)) emit('RULE_TAGS_INVALID', "'tags' must be a list of strings", 'tags');
}

/** The problem of one (lowercased) tag, or undefined when its format is fine. */
export function checkTagFormat(tag: string): { code: ValidationCodeName; message: string } | undefined {
  const dot = tag.indexOf('.');
  if (dot <= 0) return { code: 'TAG_NAMESPACE_UNKNOWN', message: `the tag '${tag}' has no namespace (attack., car., cve., detection., stp., tlp.)` };
  const ns = tag.slice(0, dot);
  const name = tag.slice(dot + 1);
  switch (ns) {
    case 'attack': {
      if (/^t\d{4}(\.\d{3})?$/.test(name) || /^[gs]\d{4}$/.test(name) || /^ds\d{4}$/.test(name) || ATTACK_TACTICS.has(name)) return undefined;
      const hyphenated = name.replace(/_/g, '-');
      if (name.includes('_') && ATTACK_TACTICS.has(hyphenated)) {
        return { code: 'TAG_ATTACK_UNDERSCORE', message: `the ATT&CK tactic '${tag}' is written with underscores; SigmaHQ uses hyphens: 'attack.${hyphenated}'` };
      }
      // A word that reads like a tactic (`attack.defence-evasion`, `attack.evasion-defense`) but is none.
      if (/^[a-z]+([-_][a-z]+)*$/.test(name) && !/^(t|g|s|ds|ta)\d/.test(name)) {
        return {
          code: 'TAG_ATTACK_TACTIC_UNKNOWN',
          message: `'${tag}' is not an ATT&CK v${ATTACK_VERSION} tactic (tactics: ${ENTERPRISE_TACTICS.map((t) => t.slug).join(', ')})`,
        };
      }
      let hint = '';
      if (/^t\d+(\.\d+)?$/.test(name)) hint = ' (technique ids are t + 4 digits, sub-techniques add . + 3 digits: attack.t1059.001)';
      else if (/^ta\d{4}$/.test(name)) hint = ' (write the tactic by name, e.g. attack.execution for TA0002)';
      return { code: 'TAG_ATTACK_INVALID', message: `'${tag}' is not an ATT&CK technique, group, software or tactic tag${hint}` };
    }
    case 'cve': {
      if (/^\d{4}-\d{4,}$/.test(name)) return undefined;
      const fixed = /^(\d{4})[._](\d{4,})$/.exec(name);
      return { code: 'TAG_CVE_INVALID', message: `'${tag}' is not a CVE tag of the form cve.2021-44228${fixed ? ` (write 'cve.${fixed[1]}-${fixed[2]}')` : ''}` };
    }
    case 'car':
      return /^\d{4}-\d{2}-\d{3}$/.test(name) ? undefined : { code: 'TAG_CAR_INVALID', message: `'${tag}' is not a CAR tag of the form car.2016-04-005` };
    case 'detection':
      return DETECTION_TAGS.has(name) ? undefined : { code: 'TAG_DETECTION_INVALID', message: `'${tag}' is not one of detection.dfir, detection.emerging-threats, detection.threat-hunting` };
    case 'tlp':
      return TLP_TAGS.has(name)
        ? undefined
        : { code: 'TAG_TLP_INVALID', message: `'${tag}' is not a TLP 2.0 level (tlp.red, tlp.amber, tlp.amber-strict, tlp.green, tlp.clear)${name === 'white' ? "; TLP:WHITE is now 'tlp.clear'" : ''}` };
    case 'stp':
      return /^[1-5][auk]?$/.test(name) ? undefined : { code: 'TAG_STP_INVALID', message: `'${tag}' is not a Summiting the Pyramid score (stp.1 to stp.5, optionally followed by a, u or k)` };
    default:
      return { code: 'TAG_NAMESPACE_UNKNOWN', message: `the tag namespace '${ns}' is not one SigmaHQ uses (attack, car, cve, detection, stp, tlp)` };
  }
}

function checkTags(rule: SigmaRule, emit: Emit): void {
  if (!Array.isArray(rule.raw.tags)) return;
  const seen = new Set<string>();
  rule.raw.tags.forEach((t: unknown, k: number) => {
    if (typeof t !== 'string') return;
    const path = childPath('tags', k);
    const tag = t.trim();
    const lower = tag.toLowerCase();
    if (tag !== lower) emit('TAG_UPPERCASE', `the tag '${tag}' has uppercase letters; tags are lowercase ('${lower}')`, path);
    if (seen.has(lower)) emit('TAG_DUPLICATE', `the tag '${tag}' is listed twice`, path);
    seen.add(lower);
    const problem = checkTagFormat(lower);
    if (problem !== undefined) emit(problem.code, problem.message, path);
  });
}

function checkLogsource(rule: SigmaRule, mapping: LogsourceMapping, emit: Emit): void {
  const ls = rule.logsource;
  if (ls.category === undefined && ls.product === undefined && ls.service === undefined) return; // RULE_LOGSOURCE_*
  if (resolveLogsource(ls, mapping).known) return;
  const text = (['category', 'product', 'service'] as const)
    .filter((k) => ls[k] !== undefined)
    .map((k) => `${k}: ${ls[k] as string}`)
    .join(', ');
  emit('RULE_LOGSOURCE_UNKNOWN', `unknown logsource (${text}): the logsource mapping has no events for it, so the rule is run against every event`, 'logsource');
}

// ---------------------------------------------------------------------------------------------
// Detection item pitfalls.

/** Positions of `\*` / `\?` escapes in a Sigma string, as parsePattern reads them. */
function escapedWildcards(text: string): number[] {
  const at: number[] = [];
  const chars = Array.from(text);
  let offset = 0;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (c === '\\') {
      const n = chars[i + 1];
      if (n === '*' || n === '?') at.push(offset);
      if (n === '*' || n === '?' || n === '\\') {
        offset += c.length + n.length;
        i++;
        continue;
      }
    }
    offset += c.length;
  }
  return at;
}

const isWild = (t: PatternToken | undefined): boolean => t?.t === 'any' || t?.t === 'one';

/** The modifier and wildcard pitfalls of one detection item, located at the item's key or the value. */
function checkItem(rule: SigmaRule, item: PlanItem, emit: Emit): void {
  const chain = item.chain;
  const keyPath = item.path;
  const field = item.field;
  const shown = field === null ? 'the keyword search' : `'${itemKeyText(field, chain)}'`;
  // Hand-built plans may lack positions: the metadata lookup then gives the detection's line.
  const keyPos = item.pos ?? metadataPos(rule, keyPath);

  if (item.all && item.values.length < 2) {
    emit('MODIFIER_ALL_SINGLE_VALUE', `${shown} has 'all' but only one value: there is nothing to AND together (remove '|all')`, keyPath, keyPos);
  }
  if (item.all && chain.windash) {
    emit(
      'MODIFIER_WINDASH_ALL',
      `${shown} combines 'windash' with 'all': every value must be present (each in any of its dash forms), but some converters AND the dash variants together and the rule then never matches; SigmaHQ never combines them (use one selection per value)`,
      keyPath,
      keyPos,
    );
  }

  // Only string patterns as written: not regexes, networks, comparisons, existence tests, field
  // references, nor base64 (which rejects wildcards anyway).
  if (chain.kind !== 'plain' && chain.kind !== 'pattern') return;
  // Values a processing pipeline rewrote carry its wildcards, not the author's: nothing to say about them.
  if (item.pipelineValues === true) return;
  if (chain.encodings.includes('base64') || chain.encodings.includes('base64offset')) return;
  const expand = chain.expand;
  const contains = chain.match === 'contains';
  const startswith = chain.match === 'startswith';
  const endswith = chain.match === 'endswith';
  // Path-like by the name the rule gives the field (a pipeline may have mapped Image to process.executable).
  const ruleField = ruleFieldOf(item);
  const pathLike = ruleField !== null && isPathLikeField(ruleField);

  item.values.forEach((v, k) => {
    const kind = v.matcher.kind;
    if (kind !== 'string' && kind !== 'anyOf') return;
    const path = valuePath(item, k);
    const valuePos = v.pos ?? keyPos;
    const tokens = parsePattern(v.source, expand).tokens;
    const first = tokens[0];
    const last = tokens[tokens.length - 1];
    const inner = tokens.slice(1, -1);
    const hasLiteral = tokens.some((t) => t.t === 'lit' || t.t === 'ph');

    // Wildcards where a modifier belongs (field items only: keywords already match anywhere).
    if (field !== null && !contains && !startswith && !endswith && hasLiteral && tokens.length >= 2) {
      let suggest: 'contains' | 'startswith' | 'endswith' | undefined;
      let bare = '';
      if (first?.t === 'any' && last?.t === 'any' && tokens.length >= 3 && !inner.some(isWild)) {
        suggest = 'contains';
        bare = stripEnds(v.source, true, true);
      } else if (first?.t !== 'any' && last?.t === 'any' && !tokens.slice(0, -1).some(isWild)) {
        suggest = 'startswith';
        bare = stripEnds(v.source, false, true);
      } else if (first?.t === 'any' && last?.t !== 'any' && !tokens.slice(1).some(isWild)) {
        suggest = 'endswith';
        bare = stripEnds(v.source, true, false);
      }
      if (suggest !== undefined) {
        emit(
          'WILDCARD_INSTEAD_OF_MODIFIER',
          `'${v.source}' uses wildcards where a modifier belongs: write ${itemKeyText(field, chain, suggest)}: ${quote(bare)} (the same match, and the SigmaHQ style)`,
          path,
          valuePos,
        );
      }
    }

    // A wildcard the modifier already adds, or one that turns it into another modifier.
    if (contains && (first?.t === 'any' || last?.t === 'any') && hasLiteral) {
      emit('WILDCARD_REDUNDANT', `'${v.source}' with 'contains': the leading/trailing * is redundant (contains already matches anywhere): write ${quote(stripEnds(v.source, first?.t === 'any', last?.t === 'any'))}`, path, valuePos);
    } else if (startswith && !contains && hasLiteral && (first?.t === 'any' || last?.t === 'any')) {
      const msg =
        first?.t === 'any'
          ? `'${v.source}' with 'startswith' begins with *, so it matches anywhere: use 'contains' (or remove the *)`
          : `'${v.source}' with 'startswith': the trailing * is redundant (write ${quote(stripEnds(v.source, false, true))})`;
      emit('WILDCARD_REDUNDANT', msg, path, valuePos);
    } else if (endswith && !contains && hasLiteral && (first?.t === 'any' || last?.t === 'any')) {
      const msg =
        last?.t === 'any'
          ? `'${v.source}' with 'endswith' ends with *, so it matches anywhere: use 'contains' (or remove the *)`
          : `'${v.source}' with 'endswith': the leading * is redundant (write ${quote(stripEnds(v.source, true, false))})`;
      emit('WILDCARD_REDUNDANT', msg, path, valuePos);
    }

    if (pathLike && tokens.some((t) => t.t === 'one')) {
      emit(
        'PATH_SINGLE_WILDCARD',
        `'${v.source}': in Sigma '?' matches any one character; escape it as \\? if it is a literal question mark (the NT prefix \\??\\ is written \\\\\\?\\?\\\\)`,
        path,
        valuePos,
      );
    }

    // `\*` is an escaped, literal star. In a path-like field it can never match (no Windows path
    // holds a `*`); elsewhere (command lines) it is often deliberate (`-Filter \*`, `/text:\*`), so
    // only a value ending in `folder\*` after an earlier backslash is taken for a mistyped path.
    // Escaped `?` is left alone: `\??\` paths do hold literal question marks.
    const stars = escapedWildcards(v.source).filter((at) => v.source[at + 1] === '*');
    const trailingFolderStar = endsWithEscapedStar(v.source) && /\\[^\\*?]*[\w$)\]}-]\\\*$/.test(v.source);
    if (stars.length > 0 && (pathLike || trailingFolderStar)) {
      let fixed = v.source;
      for (const at of [...stars].reverse()) fixed = `${fixed.slice(0, at)}\\\\${fixed.slice(at + 1)}`;
      const alt =
        endsWithEscapedStar(v.source) && !contains && !endswith && field !== null
          ? ` (or ${itemKeyText(field, chain, 'startswith')}: ${quote(v.source.slice(0, -1))})`
          : '';
      emit(
        'VALUE_ESCAPED_WILDCARD',
        `'${v.source}': in Sigma a backslash before * escapes it, so this is a literal '*'${pathLike ? ', which no file path contains' : ', not a wildcard'}; for a folder followed by a wildcard write ${quote(fixed)}${alt}`,
        path,
        valuePos,
      );
    }
  });
}

function endsWithEscapedStar(s: string): boolean {
  const esc = escapedWildcards(s);
  return esc.length > 0 && esc[esc.length - 1] === s.length - 2 && s.endsWith('*');
}

/** Drops a leading and/or trailing unescaped `*` from a Sigma string. */
function stripEnds(s: string, start: boolean, end: boolean): string {
  let out = s;
  if (start && out.startsWith('*')) out = out.slice(1);
  if (end && out.endsWith('*')) out = out.slice(0, -1);
  return out;
}

function quote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
