/**
 * Flat rendering of a template instance: the event exactly as
 * `flattenEvent(templateJson(nodes, values))` gives it, built straight from the template
 * definition and the values, without the EVTX-JSON in between (rendering and then flattening it
 * is a third of the cost of reading a record). The EVTX-JSON itself is then rendered only when
 * something asks for it (a match to print).
 *
 * Technique: a plan is worked out once per template definition, for the shape nearly every
 * Windows record has: `<Event>` holding `<System>` (child elements with attributes and text) and
 * an optional `<EventData>` of `<Data Name="...">` elements with constant, distinct names. The
 * plan lists, in the order flattening visits them, each field's name and where its content comes
 * from (a constant, one substitution, or a mix). Templates of any other shape (UserData, unnamed
 * or repeated Data, nested elements in System...) get no plan, and a record whose values leave
 * the shape (a BinXml value other than a tail EventData, a field name met twice) gives undefined:
 * the caller then renders and flattens the JSON as before, so the result never differs (see
 * to-flat.test.ts and binxml.test.ts, which compare both ways on random templates and on every
 * record of the test and regression files).
 */
import { fieldName, isChildKey, isXmlns } from '../events/flatten-event.js';
import type { FlatEvent } from '../events/flatten-event.js';
import { setOwnField } from '../util/own-field.js';
import { contentValue, jsonValue } from './to-json.js';
import type { SubstitutionValue, TemplateDefinition, XmlAttribute, XmlElement, XmlNode } from './binxml.js';

/** Content that renders to nothing (a dropped attribute, an element without text). */
const ABSENT = Symbol('absent');
/** The record leaves the planned shape: flatten its JSON instead. */
const BAIL = Symbol('bail');

const CONSTANT = 0;
const ONE = 1;
const MIXED = 2;

/** Where an attribute's or element's content comes from. */
interface ContentPlan {
  mode: typeof CONSTANT | typeof ONE | typeof MIXED;
  /** CONSTANT: the rendered value (ABSENT for no content). */
  value: unknown;
  /** ONE: the substitution's value index. */
  index: number;
  /** MIXED: the content nodes. */
  nodes: readonly XmlNode[];
}

interface AttributePlan {
  /** The flat field (`Element_Attr`); undefined for an xmlns attribute (kept, but not a field). */
  field: string | undefined;
  content: ContentPlan;
}

/** A System child element: its attributes, then its text. */
interface SystemPlan {
  name: string;
  attributes: AttributePlan[];
  text: ContentPlan;
}

/** A named EventData field. */
interface DataPlan {
  field: string;
  text: ContentPlan;
}

interface FlatPlan {
  system: SystemPlan[];
  /** The template's own EventData fields. */
  data: DataPlan[];
  /**
   * The values substituted into `<Event>` itself, after System. Windows writes EventData this
   * way: as a BinXml value (`<Event><System>...</System>%17</Event>`), instantiated already.
   */
  tail: number[];
  /** Does the template hold an `<EventData>` of its own (a tail one would be a second)? */
  eventData: boolean;
  /** Per value index: may it be a BinXml value (a tail value)? */
  xmlAllowed: boolean[];
  /** The fields of its last records, by {@link shapeKey}. */
  shapes: Map<object, FlatShape>;
}

/** A template of another shape. */
const NO_PLAN: FlatPlan = { system: [], data: [], tail: [], eventData: false, xmlAllowed: [], shapes: new Map() };

/** Names that JavaScript orders before all others in an object (array indexes). */
const INDEX_LIKE = /^(?:0|[1-9][0-9]*)$/;

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * The flat event of a template instance, or undefined when the template or these values are of a
 * shape this module leaves to `flattenEvent(templateJson(...))`.
 */
export function templateFlat(def: TemplateDefinition, values: readonly SubstitutionValue[]): FlatEvent | undefined {
  let plan = plans.get(def.nodes);
  if (plan === undefined) {
    plan = planOf(def.nodes) ?? NO_PLAN;
    plans.set(def.nodes, plan);
  }
  if (plan === NO_PLAN) return undefined;
  // A BinXml value anywhere but the tail would bring elements where the plan expects text.
  for (let i = 0; i < values.length; i++) if ((values[i] as SubstitutionValue).kind === 'xml' && plan.xmlAllowed[i] !== true) return undefined;
  // The fields of the records of one template (and one nested EventData template) are nearly
  // always the same, in the same order: the event is made by an object literal of those fields
  // (see FlatShape), when this record's fields are those in that order. Any other sequence of
  // fields builds it afresh, field by field, and makes it the shape of its key.
  const key = shapeKey(plan, values);
  const shape = key === undefined ? undefined : plan.shapes.get(key);
  if (shape !== undefined) {
    builder.start(shape);
    if (build(plan, values, builder) && builder.complete()) return madeOf(shape, builder.values);
  }
  builder.start(undefined);
  if (!build(plan, values, builder)) return undefined;
  const out = builder.out;
  if (key === undefined) return out;
  const made = shapeOf(out);
  if (made === undefined) return out;
  if (plan.shapes.size >= MAX_SHAPES) plan.shapes.clear();
  plan.shapes.set(key, made);
  return out;
}

/** Shapes kept per plan at most (one per nested EventData template met with it). */
const MAX_SHAPES = 32;

/** The key of the record's shape: its nested EventData template's nodes, the plan itself without one; undefined for other tails. */
function shapeKey(plan: FlatPlan, values: readonly SubstitutionValue[]): object | undefined {
  let key: object = plan;
  for (const i of plan.tail) {
    const v = values[i];
    if (v === undefined || v.kind === 'value') continue;
    if (v.instance === undefined) return undefined;
    key = v.instance.def.nodes;
  }
  return key;
}

/**
 * The shape of `out`'s fields, in order; undefined for `__proto__` (an object literal would set
 * the prototype, see {@link madeOf}).
 */
function shapeOf(out: FlatEvent): FlatShape | undefined {
  const keys = Object.keys(out);
  if (keys.includes('__proto__')) return undefined;
  return { keys, uses: 0, make: makers.get(JSON.stringify(keys)) };
}

/**
 * The event of a shape's fields with these values (in the shape's order). Once a shape has made
 * {@link MAKE_AFTER} events, by a function returning an object literal of its fields: V8 gives
 * such an object its map and room at once, where an object built field by field with computed
 * names grows its store a few fields at a time and, past a dozen fields, turns into a dictionary
 * (a Sysmon or Security event has 20 to 40 fields); a function is made only for shapes that
 * recur, as most records of a long log do (making one costs about what twenty events built field
 * by field do).
 */
function madeOf(shape: FlatShape, values: readonly unknown[]): FlatEvent {
  if (shape.make === undefined && ++shape.uses >= MAKE_AFTER) shape.make = makerOf(shape.keys);
  if (shape.make !== undefined) return shape.make(values);
  const keys = shape.keys;
  const out: FlatEvent = {};
  // No `__proto__` among a shape's keys (shapeOf).
  for (let i = 0; i < keys.length; i++) out[keys[i] as string] = values[i];
  return out;
}

/** Events a shape makes field by field before it gets a function of its own ({@link madeOf}). */
const MAKE_AFTER = 16;

/** The function making an object literal of `keys`, one per list of keys (templates of one kind of event from other chunks, files or machines often list the same fields). */
function makerOf(keys: readonly string[]): (values: readonly unknown[]) => FlatEvent {
  const signature = JSON.stringify(keys);
  let make = makers.get(signature);
  if (make === undefined) {
    if (makers.size >= MAX_MAKERS) makers.clear();
    // The names are JSON string literals (never code); `v` holds the values in the same order.
    make = new Function('v', `return {${keys.map((k, i) => `${JSON.stringify(k)}: v[${i}]`).join(', ')}};`) as (values: readonly unknown[]) => FlatEvent;
    makers.set(signature, make);
  }
  return make;
}

/** Makers by the keys they make (as a JSON array). */
const makers = new Map<string, (values: readonly unknown[]) => FlatEvent>();
const MAX_MAKERS = 4096;

/** The fields of a flat event, in order, and once it recurs a function making an event of them from their values (in that order). */
interface FlatShape {
  keys: readonly string[];
  /** Events made field by field so far. */
  uses: number;
  make: ((values: readonly unknown[]) => FlatEvent) | undefined;
}

/**
 * Builds a flat event field by field: afresh (a field met twice refuses the record), or, over a
 * shape, as the values of its fields, as long as they come in the shape's order ({@link complete}:
 * all of them came).
 */
class FlatBuilder {
  out: FlatEvent = {};
  /** Over a shape: the values of its fields so far. */
  readonly values: unknown[] = [];
  private keys: readonly string[] | undefined = undefined;
  private k = 0;

  start(shape: FlatShape | undefined): void {
    this.keys = shape?.keys;
    this.k = 0;
    if (shape === undefined) this.out = {};
    else this.values.length = shape.keys.length;
  }

  /** Sets a new field; false when the name is already taken (flattening would merge or rename) or, over a shape, out of its order. */
  put(field: string, value: unknown): boolean {
    const keys = this.keys;
    if (keys !== undefined) {
      if (keys[this.k] !== field) return false;
      this.values[this.k++] = value;
      return true;
    }
    if (hasOwn.call(this.out, field)) return false;
    setOwnField(this.out, field, value);
    return true;
  }

  /** Over a shape: every field of the shape was set. */
  complete(): boolean {
    return this.keys === undefined || this.k === this.keys.length;
  }
}

/** One builder: flattening never re-enters itself. */
const builder = new FlatBuilder();

function build(plan: FlatPlan, values: readonly SubstitutionValue[], b: FlatBuilder): boolean {
  // Indexed loops: no iterator per loop and record while the function is not yet optimized.
  const system = plan.system;
  for (let e = 0; e < system.length; e++) {
    const el = system[e] as SystemPlan;
    let hasAttributes = false;
    const attributes = el.attributes;
    for (let j = 0; j < attributes.length; j++) {
      const a = attributes[j] as AttributePlan;
      const v = contentOf(a.content, values);
      if (v === BAIL) return false;
      if (v === ABSENT) continue; // an attribute whose substitutions all gave nothing is left out
      hasAttributes = true;
      if (a.field !== undefined && !b.put(a.field, v)) return false;
    }
    const text = contentOf(el.text, values);
    if (text === BAIL) return false;
    if (hasAttributes) {
      if (text !== ABSENT && !b.put(el.name, text)) return false;
    } else if (!putElement(b, el.name, text)) return false;
  }
  const data = plan.data;
  for (let j = 0; j < data.length; j++) {
    const d = data[j] as DataPlan;
    const text = contentOf(d.text, values);
    if (text === BAIL || !putElement(b, d.field, text)) return false;
  }
  let sections = plan.eventData ? 1 : 0;
  const tail = plan.tail;
  for (let t = 0; t < tail.length; t++) {
    const v = values[tail[t] as number];
    if (v === undefined || v.kind === 'value') continue; // text of Event: no field
    if (v.instance !== undefined) {
      // EventData as Windows writes it, one template instance: flattened from its definition.
      const nested = eventDataPlan(v.instance.def.nodes);
      if (nested !== undefined) {
        if (++sections > 1) return false;
        const nestedValues = v.instance.values;
        for (let j = 0; j < nested.length; j++) {
          const d = nested[j] as DataPlan;
          const text = contentOf(d.text, nestedValues);
          if (text === BAIL || !putElement(b, d.field, text)) return false;
        }
        continue;
      }
    }
    for (const n of v.nodes) {
      if (n.kind === 'pi') continue;
      // Only EventData: anything else here would become Event's text or another section.
      if (n.kind !== 'element' || n.name !== 'EventData' || ++sections > 1 || !putEventData(b, n)) return false;
    }
  }
  return true;
}

/**
 * The fields of an instantiated `<EventData>` of named `<Data>` elements (as flattening reads
 * its JSON); false for anything else. Every node is rendered, as the JSON rendering would.
 */
function putEventData(b: FlatBuilder, el: XmlElement): boolean {
  if (el.attributes.length > 0) return false;
  for (const d of el.children) {
    if (d.kind === 'pi') continue;
    if (d.kind !== 'element' || d.name !== 'Data' || d.attributes.length !== 1) return false;
    const name = d.attributes[0] as XmlAttribute;
    if (name.name !== 'Name') return false;
    const key = String(contentValue(name.value));
    if (!isPlainKey(key)) return false;
    const text: XmlNode[] = [];
    for (const c of d.children) {
      if (c.kind === 'element') return false;
      if (c.kind !== 'pi' && c.kind !== 'substitution') text.push(c);
    }
    // A key met twice (or two keys one field) is taken by put: flattening merges those.
    if (!putElement(b, fieldName(key), text.length === 0 ? ABSENT : contentValue(text))) return false;
  }
  return true;
}

/** A Data name flattening takes as a field of its own, in document order. */
function isPlainKey(key: string): boolean {
  // Not unnamed Data, `#text` or attributes; not an array index (JavaScript orders those first).
  return key !== '' && key !== 'Data' && isChildKey(key) && !INDEX_LIKE.test(key);
}

/** An element holding only text: its value, null when it has none. */
function putElement(b: FlatBuilder, field: string, text: unknown): boolean {
  if (text === ABSENT) return b.put(field, null);
  // Arrays of scalars stay one field; anything else is flattened element by element.
  if (Array.isArray(text) && !text.every((x) => typeof x !== 'object' || x === null)) return false;
  return b.put(field, text);
}

/** The rendered content (as the JSON holds it), ABSENT when there is none, BAIL for a BinXml value (excluded beforehand). */
function contentOf(c: ContentPlan, values: readonly SubstitutionValue[]): unknown {
  if (c.mode === CONSTANT) return c.value;
  if (c.mode === ONE) {
    const v = values[c.index];
    if (v === undefined) return ABSENT;
    if (v.kind === 'xml') return BAIL;
    return v.value === null ? ABSENT : jsonValue(v.value);
  }
  const nodes: XmlNode[] = [];
  for (const n of c.nodes) {
    if (n.kind !== 'substitution') {
      nodes.push(n);
      continue;
    }
    const v = values[n.index];
    if (v === undefined) continue;
    if (v.kind === 'xml') return BAIL;
    if (v.value !== null) nodes.push({ kind: 'value', value: v.value });
  }
  return nodes.length === 0 ? ABSENT : contentValue(nodes);
}

/**
 * Plans by the definition's nodes: a definition met again in a later chunk shares its nodes with
 * the first one (binxml.ts reuses equal definitions), so its plan is worked out once.
 */
const plans = new WeakMap<readonly XmlNode[], FlatPlan>();

/** Thrown while planning: the template is not of the planned shape. */
class OtherShape extends Error {}

function need(ok: boolean): void {
  if (!ok) throw new OtherShape();
}

/** The plan of a template's nodes, or undefined for any other shape. */
function planOf(nodes: readonly XmlNode[]): FlatPlan | undefined {
  try {
    const top = nodes.filter((n) => n.kind !== 'pi');
    need(top.length === 1);
    const event = top[0] as XmlNode;
    need(event.kind === 'element' && event.name === 'Event');
    // Event's own text is no field: flattening reads only its elements. Its substitutions are the
    // tail (Windows ends the template with one: EventData as a nested BinXml value, or nothing).
    const sections = (event as XmlElement).children.filter((c): c is XmlElement => c.kind === 'element');
    const tail = (event as XmlElement).children.flatMap((c) => (c.kind === 'substitution' ? [c.index] : []));
    need(sections.length >= 1 && sections.length <= 2 && sections[0]?.name === 'System');
    const system = sections[0] as XmlElement;
    const eventData = sections[1];
    need(eventData === undefined || eventData.name === 'EventData');
    const systemChildren = childElements(system);
    need(systemChildren.length > 0); // System must render as an object
    // A tail value used anywhere else too could put elements where this plan expects none.
    const uses = substitutionUses(nodes);
    need(tail.every((i) => uses.get(i) === 1));
    const xmlAllowed: boolean[] = [];
    for (const i of tail) xmlAllowed[i] = true;
    const plan: FlatPlan = { system: [], data: [], tail, eventData: eventData !== undefined, xmlAllowed, shapes: new Map() };
    const systemNames = new Set<string>();
    for (const el of systemChildren) {
      // Names flattening skips (`#`, `@`) or orders apart (indexes); `Data` is keyed by its Name.
      need(!systemNames.has(el.name) && isPlainKey(el.name));
      systemNames.add(el.name);
      const attributeNames = new Set<string>();
      const attributes: AttributePlan[] = [];
      for (const a of el.attributes) {
        need(!attributeNames.has(a.name) && !INDEX_LIKE.test(a.name));
        attributeNames.add(a.name);
        attributes.push({ field: isXmlns(a.name) ? undefined : `${el.name}_${fieldName(a.name)}`, content: contentPlan(a.value, true) });
      }
      plan.system.push({ name: el.name, attributes, text: textPlan(el) });
    }
    if (eventData !== undefined) {
      const keys = new Set<string>();
      for (const d of childElements(eventData)) {
        need(d.name === 'Data' && d.attributes.length === 1 && d.attributes[0]?.name === 'Name');
        const name = (d.attributes[0] as { value: XmlNode[] }).value;
        need(!name.some((n) => n.kind === 'substitution'));
        const key = String(contentValue(name));
        // Keys flattening treats apart (unnamed Data, `#text`, attributes) or orders apart (indexes).
        need(isPlainKey(key) && !keys.has(key));
        keys.add(key);
        plan.data.push({ field: fieldName(key), text: textPlan(d) });
      }
    }
    return plan;
  } catch (e) {
    if (e instanceof OtherShape) return undefined;
    throw e;
  }
}

/** Plans of the definitions of nested EventData instances (by their nodes, as {@link plans}); null: another shape. */
const eventDataPlans = new WeakMap<readonly XmlNode[], DataPlan[] | null>();

/**
 * How a nested template's instance flattens when the definition is an `<EventData>` without
 * attributes holding only `<Data Name="constant">` elements with text and substitutions, as
 * {@link putEventData} reads the instantiated tree: undefined for any other shape (the
 * instantiated nodes are read then).
 */
function eventDataPlan(nodes: readonly XmlNode[]): DataPlan[] | undefined {
  let plan = eventDataPlans.get(nodes);
  if (plan === undefined) {
    plan = eventDataPlanOf(nodes) ?? null;
    eventDataPlans.set(nodes, plan);
  }
  return plan ?? undefined;
}

function eventDataPlanOf(nodes: readonly XmlNode[]): DataPlan[] | undefined {
  try {
    const top = nodes.filter((n) => n.kind !== 'pi');
    need(top.length === 1);
    const el = top[0] as XmlNode;
    need(el.kind === 'element' && el.name === 'EventData' && el.attributes.length === 0);
    const data: DataPlan[] = [];
    for (const d of childElements(el as XmlElement)) {
      need(d.name === 'Data' && d.attributes.length === 1 && d.attributes[0]?.name === 'Name');
      const name = (d.attributes[0] as XmlAttribute).value;
      need(!name.some((n) => n.kind === 'substitution'));
      const key = String(contentValue(name));
      // Repeated keys are left to put (it refuses a taken field), as putEventData does.
      need(isPlainKey(key));
      data.push({ field: fieldName(key), text: textPlan(d) });
    }
    return data;
  } catch (e) {
    if (e instanceof OtherShape) return undefined;
    throw e;
  }
}

/** The child elements of a section; any other content there (text, substitutions) is another shape. */
function childElements(el: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) {
    if (c.kind === 'pi') continue;
    need(c.kind === 'element');
    out.push(c as XmlElement);
  }
  return out;
}

/** The text of an element that holds no elements. */
function textPlan(el: XmlElement): ContentPlan {
  const nodes = el.children.filter((c) => c.kind !== 'pi');
  need(nodes.every((c) => c.kind !== 'element'));
  return contentPlan(nodes, false);
}

/** How content renders; an attribute with no nodes at all is the empty string, an element's none. */
function contentPlan(nodes: readonly XmlNode[], attribute: boolean): ContentPlan {
  const subs = nodes.filter((n) => n.kind === 'substitution').length;
  if (subs === 0) return { mode: CONSTANT, value: nodes.length === 0 && !attribute ? ABSENT : contentValue(nodes), index: 0, nodes };
  const only = nodes[0] as XmlNode;
  if (nodes.length === 1 && only.kind === 'substitution') return { mode: ONE, value: undefined, index: only.index, nodes };
  return { mode: MIXED, value: undefined, index: 0, nodes };
}

/** How often each value index is substituted in the template. */
function substitutionUses(nodes: readonly XmlNode[], uses = new Map<number, number>()): Map<number, number> {
  for (const n of nodes) {
    if (n.kind === 'substitution') uses.set(n.index, (uses.get(n.index) ?? 0) + 1);
    else if (n.kind === 'element') {
      for (const a of n.attributes) substitutionUses(a.value, uses);
      substitutionUses(n.children, uses);
    }
  }
  return uses;
}
