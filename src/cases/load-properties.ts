/**
 * The `properties:` list of a case file: what must hold for the rule on every event a recipe
 * builds. A property starts from a case of the file (`from`) or from an event template with
 * `{gen: KIND, ...}` expressions (`event`), varies fields (`mutate`: an operator, a generator
 * expression, or a list of them applied in turn) and states the verdict (`expect`: match,
 * no-match, or `same` as the event before the mutations) and optionally stage truths.
 * `known_gap: <reason>` says it is known not to hold. `runs` (default 100) events are built.
 *
 * This module checks the shape only, with positions; which operators and kinds exist is
 * generators/' business and is checked where the properties run (src/properties/).
 */
import type { SourcePos } from '../diagnostics/diagnostics.js';
import { childPath } from '../diagnostics/doc-path.js';
import { mapGet, toPlain } from '../yaml/yaml-tree.js';
import type { YMap, YNode } from '../yaml/yaml-tree.js';

/** Offsets to positions in the case file's text (a LineIndex: see diagnostics/line-index.ts). */
type PosOf = (offset: number) => SourcePos;

/** The default number of events a property builds. */
export const DEFAULT_PROPERTY_RUNS = 100;
/** The most `runs` a property may ask for. */
export const MAX_PROPERTY_RUNS = 100_000;

/** The options of a generator expression as written (see generators/expressions.ts for their meaning). */
export interface GenOptionsSpec {
  under?: string;
  name?: string;
  dir?: 'user-writable' | 'system' | 'program';
  scope?: 'private' | 'public';
  min?: number;
  max?: number;
  contains?: string[];
  not?: string[];
}

/** Option names a generator expression may have besides `gen`. */
export const GEN_OPTION_KEYS = ['under', 'name', 'dir', 'scope', 'min', 'max', 'contains', 'not'] as const;

/** A `{gen: KIND, ...options}` expression, where it is written. */
export interface GenSpec {
  gen: string;
  options: GenOptionsSpec;
  /** The document path (`properties[1].event.Image`) and position of the expression. */
  path: string;
  pos: SourcePos;
  /** Position of each option's value, for an error about one option. */
  optionPos: Partial<Record<keyof GenOptionsSpec, SourcePos>>;
}

/** One step of a mutation: an operator by name, or a generator expression replacing the value. */
export type MutationStep = { kind: 'op'; name: string; path: string; pos: SourcePos } | { kind: 'gen'; spec: GenSpec };

/** What `mutate:` does to one field: steps applied in turn. */
export interface FieldMutation {
  field: string;
  steps: MutationStep[];
  path: string;
  pos: SourcePos;
}

/** A generator expression inside an event template, with the keys that lead to it. */
export interface TemplateSlot {
  keys: (string | number)[];
  spec: GenSpec;
}

/** One property of a case file. */
export interface Property {
  /** 0-based position in the file's `properties` list. */
  index: number;
  name: string;
  expect: 'match' | 'no-match' | 'same';
  /** Events built (default 100). */
  runs: number;
  /** The case (of the same file) whose event is the base. */
  from?: string;
  fromPos?: SourcePos;
  /** The event template: literal values as written, generator expressions as `null` (see `slots`). */
  event?: Record<string, unknown>;
  slots: TemplateSlot[];
  mutate: FieldMutation[];
  stages?: Record<string, boolean>;
  stagesPos?: SourcePos;
  /** The reason the property is known not to hold. */
  knownGap?: string;
  pos: SourcePos;
}

const PROPERTY_KEYS = ['name', 'description', 'from', 'event', 'mutate', 'expect', 'runs', 'stages', 'known_gap'];
const DIRS = new Set(['user-writable', 'system', 'program']);
const SCOPES = new Set(['private', 'public']);

/** Where problems go: a message at a node, under a document path. */
type Report = (message: string, node: YNode, path: string, code?: 'PROPERTY_INVALID' | 'PROPERTY_FROM_UNKNOWN') => void;

const isText = (n: YNode | undefined): n is YNode & { kind: 'scalar' } => n !== undefined && n.kind === 'scalar' && n.value.type === 'string';
const nonBlank = (n: YNode | undefined): string | undefined => (isText(n) && n.value.type === 'string' && n.value.text.trim() !== '' ? n.value.text : undefined);

/** Parses `{gen: ...}`; undefined (with problems reported) when it is malformed. */
function parseGen(n: YMap, path: string, posOf: PosOf, bad: Report): GenSpec | undefined {
  let ok = true;
  const fail = (message: string, node: YNode, p: string): void => {
    bad(message, node, p);
    ok = false;
  };
  const genNode = mapGet(n, 'gen');
  const gen = nonBlank(genNode);
  if (gen === undefined) fail("'gen' names a generator kind (registry-key, path, command-line, ...)", genNode ?? n, childPath(path, 'gen'));
  const spec: GenSpec = { gen: gen ?? '', options: {}, path, pos: posOf(n.offset), optionPos: {} };
  /** A non-empty text or a non-empty list of them. */
  const texts = (v: YNode): string[] | undefined => {
    const items = v.kind === 'seq' ? v.items : [v];
    if (items.length === 0) return undefined;
    const out = items.map((i) => (isText(i) && i.value.type === 'string' && i.value.text !== '' ? i.value.text : undefined));
    return out.every((x): x is string => x !== undefined) ? out : undefined;
  };
  for (const e of n.entries) {
    const p = childPath(path, e.key);
    const v = e.value;
    const at = posOf(v.offset);
    switch (e.key) {
      case 'gen':
        break;
      case 'under':
      case 'name': {
        const s = isText(v) && v.value.type === 'string' && v.value.text !== '' ? v.value.text : undefined;
        if (s === undefined) fail(`'${e.key}' takes a non-empty text`, v, p);
        else {
          spec.options[e.key] = s;
          spec.optionPos[e.key] = at;
        }
        break;
      }
      case 'dir':
      case 'scope': {
        const allowed = e.key === 'dir' ? DIRS : SCOPES;
        const s = toPlain(v);
        if (typeof s !== 'string' || !allowed.has(s)) fail(`'${e.key}' is one of ${[...allowed].join(', ')}, not ${JSON.stringify(s)}`, v, p);
        else {
          if (e.key === 'dir') spec.options.dir = s as NonNullable<GenOptionsSpec['dir']>;
          else spec.options.scope = s as NonNullable<GenOptionsSpec['scope']>;
          spec.optionPos[e.key] = at;
        }
        break;
      }
      case 'min':
      case 'max': {
        const x = toPlain(v);
        if (typeof x !== 'number' || !Number.isSafeInteger(x)) fail(`'${e.key}' takes a whole number`, v, p);
        else {
          spec.options[e.key] = x;
          spec.optionPos[e.key] = at;
        }
        break;
      }
      case 'contains':
      case 'not': {
        const list = texts(v);
        if (list === undefined) fail(`'${e.key}' takes a non-empty text or a non-empty list of them${e.key === 'not' ? ' (Sigma wildcard patterns)' : ''}`, v, p);
        else {
          spec.options[e.key] = list;
          spec.optionPos[e.key] = at;
        }
        break;
      }
      default:
        fail(`unknown generator option '${e.key}' (options: ${GEN_OPTION_KEYS.join(', ')})`, e.keyNode, p);
    }
  }
  return ok ? spec : undefined;
}

const isGen = (n: YNode): n is YMap => n.kind === 'map' && n.entries.some((e) => e.key === 'gen');

/** The template as plain data (generator expressions as null) and its slots; undefined when malformed. */
function parseTemplate(n: YMap, path: string, posOf: PosOf, bad: Report): { event: Record<string, unknown>; slots: TemplateSlot[] } | undefined {
  const slots: TemplateSlot[] = [];
  let ok = true;
  const walk = (node: YNode, keys: (string | number)[], p: string): unknown => {
    if (keys.length > 0 && isGen(node)) {
      const spec = parseGen(node, p, posOf, bad);
      if (spec === undefined) ok = false;
      else slots.push({ keys, spec });
      return null;
    }
    if (node.kind === 'map') return Object.fromEntries(node.entries.map((e) => [e.key, walk(e.value, [...keys, e.key], childPath(p, e.key))]));
    if (node.kind === 'seq') return node.items.map((item, i) => walk(item, [...keys, i], childPath(p, i)));
    return toPlain(node);
  };
  const event = walk(n, [], path) as Record<string, unknown>;
  return ok ? { event, slots } : undefined;
}

/** One mutate step: an operator name or a generator expression. */
function parseStep(n: YNode, path: string, posOf: PosOf, bad: Report): MutationStep | undefined {
  if (n.kind === 'scalar') {
    const name = nonBlank(n);
    if (name === undefined) {
      bad('a mutate step is an operator name (recase, respell, relocate, ...) or a {gen: KIND} expression', n, path);
      return undefined;
    }
    return { kind: 'op', name, path, pos: posOf(n.offset) };
  }
  if (n.kind === 'map' && isGen(n)) {
    const spec = parseGen(n, path, posOf, bad);
    return spec === undefined ? undefined : { kind: 'gen', spec };
  }
  bad('a mutate step is an operator name (recase, respell, relocate, ...) or a {gen: KIND} expression', n, path);
  return undefined;
}

/**
 * Parses the `properties` list. `caseEvents` are the names of the file's cases that have a single
 * `event` (what `from` may name); `allCases` every case name (for a clearer message).
 */
export function parseProperties(
  list: YNode,
  posOf: PosOf,
  caseEvents: ReadonlySet<string>,
  allCases: ReadonlySet<string>,
  report: Report,
): Property[] {
  const out: Property[] = [];
  if (list.kind !== 'seq' || list.items.length === 0) {
    report("'properties' must be a non-empty list", list, 'properties');
    return out;
  }
  const names = new Map<string, number>();
  list.items.forEach((n, index) => {
    const path = childPath('properties', index);
    if (n.kind !== 'map') {
      report('a property is a mapping with name, expect and from or event', n, path);
      return;
    }
    let ok = true;
    const bad: Report = (message, node, p, code) => {
      report(message, node, p, code);
      ok = false;
    };
    for (const e of n.entries) {
      if (!PROPERTY_KEYS.includes(e.key)) bad(`unknown key '${e.key}' (expected ${PROPERTY_KEYS.join(', ')})`, e.keyNode, childPath(path, e.key));
    }
    const p: Property = { index, name: '', expect: 'match', runs: DEFAULT_PROPERTY_RUNS, slots: [], mutate: [], pos: posOf(n.offset) };
    const nameNode = mapGet(n, 'name');
    const name = nonBlank(nameNode);
    if (name === undefined) bad("a property needs a 'name'", nameNode ?? n, childPath(path, 'name'));
    else {
      p.name = name;
      const prev = names.get(name);
      if (prev !== undefined) bad(`two properties are named '${name}' (properties[${prev}] and properties[${index}]); names identify properties in reports`, nameNode ?? n, childPath(path, 'name'));
      names.set(name, index);
    }
    const descriptionNode = mapGet(n, 'description');
    if (descriptionNode !== undefined && !isText(descriptionNode)) bad("'description' must be text", descriptionNode, childPath(path, 'description'));

    const expectNode = mapGet(n, 'expect');
    const expect = expectNode === undefined ? undefined : toPlain(expectNode);
    if (expectNode === undefined) bad("a property needs 'expect: match', 'expect: no-match' or 'expect: same'", n, path);
    else if (expect === 'match' || expect === 'no-match' || expect === 'same') p.expect = expect;
    else bad(`'expect' must be match, no-match or same, not '${String(expect)}'`, expectNode, childPath(path, 'expect'));

    const runsNode = mapGet(n, 'runs');
    if (runsNode !== undefined) {
      const r = toPlain(runsNode);
      if (typeof r !== 'number' || !Number.isInteger(r) || r < 1 || r > MAX_PROPERTY_RUNS) bad(`'runs' must be a whole number from 1 to ${MAX_PROPERTY_RUNS}`, runsNode, childPath(path, 'runs'));
      else p.runs = r;
    }

    const gapNode = mapGet(n, 'known_gap');
    if (gapNode !== undefined) {
      const g = nonBlank(gapNode);
      if (g === undefined) bad("'known_gap' gives the reason the property does not hold (text)", gapNode, childPath(path, 'known_gap'));
      else p.knownGap = g;
    }

    const stagesNode = mapGet(n, 'stages');
    if (stagesNode !== undefined) {
      if (stagesNode.kind !== 'map') bad("'stages' maps stage names to true or false", stagesNode, childPath(path, 'stages'));
      else {
        const stages: Record<string, boolean> = {};
        for (const e of stagesNode.entries) {
          if (e.value.kind !== 'scalar' || e.value.value.type !== 'bool') bad(`stage '${e.key}' must be true or false`, e.value, childPath(childPath(path, 'stages'), e.key));
          else stages[e.key] = e.value.value.value;
        }
        p.stages = stages;
        p.stagesPos = posOf(stagesNode.offset);
      }
    }

    const fromNode = mapGet(n, 'from');
    const eventNode = mapGet(n, 'event');
    if (fromNode !== undefined) {
      const from = nonBlank(fromNode);
      if (from === undefined) bad("'from' names a case of this file", fromNode, childPath(path, 'from'));
      else if (!caseEvents.has(from)) {
        const why = allCases.has(from) ? `case '${from}' has no single 'event' to start from (it reads an events_file)` : `no case of this file is named '${from}'`;
        bad(`'from': ${why}`, fromNode, childPath(path, 'from'), 'PROPERTY_FROM_UNKNOWN');
      } else {
        p.from = from;
        p.fromPos = posOf(fromNode.offset);
      }
    }
    if (eventNode !== undefined) {
      if (eventNode.kind !== 'map') bad("'event' is a mapping: an event template with literal values and {gen: KIND} expressions", eventNode, childPath(path, 'event'));
      else {
        const t = parseTemplate(eventNode, childPath(path, 'event'), posOf, bad);
        if (t !== undefined) {
          p.event = t.event;
          p.slots = t.slots;
        }
      }
    }
    if ((fromNode === undefined) === (eventNode === undefined)) bad("a property starts from one case ('from') or one event template ('event'): give exactly one", n, path);

    const mutateNode = mapGet(n, 'mutate');
    if (mutateNode !== undefined) {
      const mp = childPath(path, 'mutate');
      if (mutateNode.kind !== 'map' || mutateNode.entries.length === 0) bad("'mutate' maps field names to an operator, a {gen: KIND} expression or a list of them", mutateNode, mp);
      else {
        for (const e of mutateNode.entries) {
          const fp = childPath(mp, e.key);
          const items = e.value.kind === 'seq' ? e.value.items : [e.value];
          if (items.length === 0) {
            bad(`'mutate.${e.key}' is an empty list of steps`, e.value, fp);
            continue;
          }
          const steps = items.map((item, k) => parseStep(item, e.value.kind === 'seq' ? childPath(fp, k) : fp, posOf, bad));
          if (steps.every((s): s is MutationStep => s !== undefined)) p.mutate.push({ field: e.key, steps, path: fp, pos: posOf(e.keyNode.offset) });
        }
      }
    }
    if (mutateNode === undefined && fromNode !== undefined) bad("a property 'from' a case needs 'mutate' (the case alone is already a case)", n, path);
    if (mutateNode === undefined && expect === 'same') bad("'expect: same' compares with the event before 'mutate': it needs 'mutate'", expectNode ?? n, childPath(path, 'expect'));
    if (ok) out.push(p);
  });
  return out;
}
