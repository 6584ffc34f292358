/**
 * Rendering of a parsed Binary XML tree as EVTX-JSON, the shape evtx_dump-style converters write
 * (and {@link flattenEvent} reads): `{"Event": {"#attributes": {...}, "System": {...}, ...}}`.
 *
 * Technique: one recursive walk. An element becomes
 * - `null` when it has no attributes, children or text (`<Correlation/>`);
 * - its text value when it has only text: a single typed value keeps its JSON type (numbers,
 *   booleans, arrays), mixed content (several values, CDATA, character and entity references) is
 *   concatenated into one string;
 * - otherwise an object with `#attributes` (name → value, typed like text), one key per child
 *   element and `#text` for its text (whitespace-only text between child elements is dropped).
 * `<Data Name="X">v</Data>` children are keyed by their `Name` (`"X": v`), as EVTX-JSON does for
 * EventData; repeated keys (unnamed `Data`, repeated elements) collect their values into an array
 * in document order. Processing instructions have no JSON form and are left out.
 *
 * Strings lose trailing whitespace (`"cmd.exe\" "` → `"cmd.exe\""`), as current evtx_dump does
 * and as the SigmaHQ regression renderings show (Sysmon command lines often end in a space);
 * leading whitespace is kept. The XML tree ({@link toXml}) keeps values untouched.
 */
import { hasSubstitution, instantiate } from './binxml.js';
import { setOwnField } from '../util/own-field.js';
import type { SubstitutionValue, XmlAttribute, XmlElement, XmlNode } from './binxml.js';
import { valueText } from './values.js';
import type { EvtxValue } from './values.js';
import { assertNever } from '../diagnostics/diagnostics.js';

/** An EVTX-JSON object (`{"Event": {...}}` for a record). */
export type EvtxJson = Record<string, unknown>;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** A value as the JSON renderings hold it: strings (also inside arrays) without trailing whitespace. */
export function jsonValue(v: EvtxValue): EvtxValue {
  if (typeof v === 'string') return v.trimEnd();
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x.trimEnd() : x));
  return v;
}

/** The JSON value of text content (attribute values, element text). */
export function contentValue(nodes: readonly XmlNode[]): unknown {
  if (nodes.length === 1) {
    const only = nodes[0] as XmlNode;
    if (only.kind === 'value') return jsonValue(only.value);
  }
  let s = '';
  for (const n of nodes) {
    switch (n.kind) {
      case 'value':
        s += valueText(n.value);
        break;
      case 'cdata':
        s += n.text;
        break;
      case 'charref':
        s += String.fromCodePoint(n.code);
        break;
      case 'entityref':
        s += ENTITIES[n.name] ?? `&${n.name};`;
        break;
      default:
        break;
    }
  }
  return s.trimEnd();
}

/** Arrays made by {@link addChild} from repeated keys (as opposed to array values). */
const repeated = new WeakSet<unknown[]>();

/** Adds `key: value` to `obj`; a repeated key turns into an array of all values, in order. */
function addChild(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (!Object.prototype.hasOwnProperty.call(obj, key)) {
    setOwnField(obj, key, value);
    return;
  }
  const prev = obj[key];
  if (Array.isArray(prev) && repeated.has(prev)) prev.push(value);
  else {
    const all = [prev, value];
    repeated.add(all);
    setOwnField(obj, key, all);
  }
}

/** The `Name` attribute of a `Data` element, which then names its JSON key. */
function dataName(el: XmlElement): XmlAttribute | undefined {
  if (el.name !== 'Data') return undefined;
  for (const a of el.attributes) if (a.name === 'Name') return a;
  return undefined;
}

/** The JSON value of one element (see the rules at the top of this file), leaving out attribute `skip`. */
export function elementJson(el: XmlElement, skip?: XmlAttribute): unknown {
  let attrs: Record<string, unknown> | undefined;
  for (const a of el.attributes) if (a !== skip) setOwnField((attrs ??= {}), a.name, contentValue(a.value));
  const content: Content = {};
  for (const c of el.children) gather(content, c);
  return assemble(attrs, content.children, content.text);
}

/** An element's child elements (by JSON key) and text nodes, gathered in document order. */
interface Content {
  children?: Record<string, unknown>;
  text?: XmlNode[];
}

/** Adds an instantiated child node to `content`: an element under its key, text as text. */
function gather(content: Content, c: XmlNode): void {
  if (c.kind === 'element') {
    const nameAttr = dataName(c);
    const key = nameAttr === undefined ? c.name : String(contentValue(nameAttr.value));
    addChild((content.children ??= {}), key, elementJson(c, nameAttr));
  } else if (c.kind !== 'pi' && c.kind !== 'substitution') (content.text ??= []).push(c);
}

/** An element's JSON from its attributes, child elements and text (see the rules at the top). */
function assemble(attrs: Record<string, unknown> | undefined, children: Record<string, unknown> | undefined, text: XmlNode[] | undefined): unknown {
  if (attrs === undefined && children === undefined) return text === undefined ? null : contentValue(text);
  // Whitespace between child elements is layout, not a value.
  const textValue = text === undefined ? undefined : contentValue(text);
  const hasText = textValue !== undefined && !(children !== undefined && textValue === '');
  if (attrs === undefined && !hasText) return children;
  const out: Record<string, unknown> = {};
  if (attrs !== undefined) out['#attributes'] = attrs;
  if (children !== undefined) for (const k of Object.keys(children)) setOwnField(out, k, children[k]);
  if (hasText) out['#text'] = textValue;
  return out;
}

/** Renders a record's nodes as EVTX-JSON: each top-level element under its name (normally `Event`). */
export function toEvtxJson(nodes: readonly XmlNode[]): EvtxJson {
  const out: EvtxJson = {};
  for (const n of nodes) if (n.kind === 'element') addChild(out, n.name, elementJson(n));
  return out;
}

/**
 * {@link toEvtxJson} of a template instance, `toEvtxJson(instantiate(nodes, values))`, rendered
 * from the definition's tree with the values looked up on the way: no instantiated copy of the
 * tree is built (one per record otherwise).
 */
export function templateJson(nodes: readonly XmlNode[], values: readonly SubstitutionValue[]): EvtxJson {
  const out: EvtxJson = {};
  for (const n of nodes) {
    if (n.kind === 'element') addChild(out, n.name, templateElementJson(n, values));
    else if (n.kind === 'substitution') {
      const v = values[n.index];
      if (v?.kind === 'xml') for (const x of v.nodes) if (x.kind === 'element') addChild(out, x.name, elementJson(x));
    }
  }
  return out;
}

/** The content of a template attribute with its substitutions replaced (as instantiate does). */
function attributeContent(a: XmlAttribute, values: readonly SubstitutionValue[]): XmlNode[] {
  return hasSubstitution(a.value) ? instantiate(a.value, values) : a.value;
}

/** {@link elementJson} of the instantiated `el`, from the template element and the values. */
function templateElementJson(el: XmlElement, values: readonly SubstitutionValue[], skip?: XmlAttribute): unknown {
  let attrs: Record<string, unknown> | undefined;
  for (const a of el.attributes) {
    if (a === skip) continue;
    const value = attributeContent(a, values);
    // An attribute whose substitutions all gave nothing is left out.
    if (value.length === 0 && a.value.length > 0) continue;
    setOwnField((attrs ??= {}), a.name, contentValue(value));
  }
  const content: Content = {};
  for (const c of el.children) templateChild(content, c, values);
  return assemble(attrs, content.children, content.text);
}

/** Adds a child node of a template element to `content`, as {@link gather} adds it once instantiated. */
function templateChild(content: Content, c: XmlNode, values: readonly SubstitutionValue[]): void {
  switch (c.kind) {
    case 'element': {
      const nameAttr = templateDataName(c, values);
      const key = nameAttr === undefined ? c.name : String(contentValue(attributeContent(nameAttr, values)));
      addChild((content.children ??= {}), key, templateElementJson(c, values, nameAttr));
      break;
    }
    case 'substitution': {
      const v = values[c.index];
      if (v === undefined) break;
      if (v.kind === 'value') {
        if (v.value !== null) (content.text ??= []).push({ kind: 'value', value: v.value });
      } else if (v.instance !== undefined) {
        // A BinXml value that is a template instance (EventData): its definition's nodes with
        // its values, as if its instantiated nodes stood here, without instantiating them.
        for (const x of v.instance.def.nodes) templateChild(content, x, v.instance.values);
      } else for (const x of v.nodes) gather(content, x); // a BinXml value: its nodes, as if they stood here
      break;
    }
    default:
      gather(content, c); // text, and processing instructions (left out)
  }
}

/** The `Name` attribute of a template `Data` element when it keeps some content once instantiated. */
function templateDataName(el: XmlElement, values: readonly SubstitutionValue[]): XmlAttribute | undefined {
  if (el.name !== 'Data') return undefined;
  for (const a of el.attributes) if (a.name === 'Name' && !(a.value.length > 0 && attributeContent(a, values).length === 0)) return a;
  return undefined;
}

function escapeXml(s: string, attr: boolean): string {
  let out = s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  if (attr) out = out.replace(/"/g, '&quot;');
  return out;
}

function xmlContent(nodes: readonly XmlNode[], attr: boolean): string {
  let s = '';
  for (const n of nodes) {
    switch (n.kind) {
      case 'value':
        s += escapeXml(valueText(n.value), attr);
        break;
      case 'cdata':
        s += attr ? escapeXml(n.text, true) : `<![CDATA[${n.text}]]>`;
        break;
      case 'charref':
        s += `&#${n.code};`;
        break;
      case 'entityref':
        s += `&${n.name};`;
        break;
      case 'pi':
        s += `<?${n.target}${n.data === '' ? '' : ` ${n.data}`}?>`;
        break;
      case 'element':
        s += toXml([n]);
        break;
      case 'substitution':
        s += `%${n.index}`;
        break;
      default:
        return assertNever(n);
    }
  }
  return s;
}

/** Renders nodes as compact XML text (for diagnostics and debugging; values as in the JSON). */
export function toXml(nodes: readonly XmlNode[]): string {
  let s = '';
  for (const n of nodes) {
    if (n.kind !== 'element') {
      s += xmlContent([n], false);
      continue;
    }
    s += `<${n.name}`;
    for (const a of n.attributes) s += ` ${a.name}="${xmlContent(a.value, true)}"`;
    s += n.children.length === 0 ? '/>' : `>${xmlContent(n.children, false)}</${n.name}>`;
  }
  return s;
}
