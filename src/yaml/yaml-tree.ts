/**
 * YAML 1.2 documents as a tree of positioned nodes.
 *
 * js-yaml's `load` gives plain objects without positions, resolves duplicate keys itself and
 * forgets how a scalar was written. A Sigma harness needs all three: every diagnostic names a
 * line and column, a plain `00000429` must keep its source text next to its number
 * (semantics §1), and a quoted `'010'` must stay text. So we read js-yaml's event stream
 * (offsets into the source) and build our own tree, resolving plain scalars with the YAML 1.2
 * core schema: `yes`/`no`/`on`/`off` are strings, `010` is decimal 10, `0x17` is 23.
 */
import { parseEvents, getScalarValue, EVENT_ID, SCALAR_STYLE } from 'js-yaml';
import type { ScalarEvent, Event as YamlEvent } from 'js-yaml';
import { diagnostic } from '../diagnostics/diagnostics.js';
import { positionsIn } from '../diagnostics/line-index.js';
import { childPath } from '../diagnostics/doc-path.js';
import { parseYamlFast } from './fast-yaml.js';
import { resolvePlainScalar } from './yaml-node.js';
import type { YDocument, YMapEntry, YNode, YParseResult, YScalar, YScalarValue } from './yaml-node.js';

export * from './yaml-node.js';
import type { Diagnostic, SourcePos } from '../diagnostics/diagnostics.js';
import { DEFAULT_LIMITS, limitName } from '../util/limits.js';
import type { Limits } from '../util/limits.js';


/** Resolves an explicitly tagged scalar (`!!str 010`); undefined for a tag we do not know. */
function resolveTagged(tag: string, text: string): YScalarValue | undefined {
  const t = tag.replace(/^!!/, 'tag:yaml.org,2002:').replace(/^!<(.*)>$/, '$1');
  switch (t) {
    case 'tag:yaml.org,2002:str':
    case '!':
      return { type: 'string', text };
    case 'tag:yaml.org,2002:int':
    case 'tag:yaml.org,2002:float': {
      const v = resolvePlainScalar(text);
      return v.type === 'number' ? v : undefined;
    }
    case 'tag:yaml.org,2002:bool': {
      const v = resolvePlainScalar(text);
      return v.type === 'bool' ? v : undefined;
    }
    case 'tag:yaml.org,2002:null': {
      const v = resolvePlainScalar(text);
      return v.type === 'null' ? v : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Parses a YAML text (possibly several documents) into positioned trees. Syntax errors,
 * duplicate keys, non-scalar keys and unknown tags become diagnostics; a document with an error
 * still yields whatever could be built, but callers should treat it as broken.
 *
 * The hand-written reader of fast-yaml.ts handles the plain subset Sigma rules are written in
 * (several times faster); whatever it is not sure about, and every text with a diagnostic, goes
 * to js-yaml (parseYamlSlow), which gives the same trees.
 */
export function parseYaml(text: string, file?: string, limits: YamlLimits = DEFAULT_LIMITS): YParseResult {
  const documents = parseYamlFast(text);
  // The fast reader takes no aliases and nests at most 40 deep: only a huge document can be over
  // the node budget (each node is at least two characters), and the slow reader reports it.
  if (documents !== undefined && (text.length < 2 * limits.yamlNodes || documents.every((d) => nodeCount(d.root, limits.yamlNodes) <= limits.yamlNodes))) {
    return { documents, diagnostics: [] };
  }
  return parseYamlSlow(text, file, limits);
}

/** The limits a YAML text is read under (see util/limits.ts). */
export type YamlLimits = Pick<Limits, 'yamlNodes' | 'yamlDepth'>;

/** Nodes of a tree (aliases counted each time), counted up to just past `stop`. */
function nodeCount(root: YNode | null, stop: number): number {
  if (root === null) return 0;
  let n = 0;
  const work: YNode[] = [root];
  while (work.length > 0 && n <= stop) {
    const x = work.pop() as YNode;
    n++;
    if (x.kind === 'seq') for (const c of x.items) work.push(c);
    else if (x.kind === 'map') for (const e of x.entries) work.push(e.value);
  }
  return n;
}

/** parseYaml through js-yaml's event stream only; exported for the fast reader's tests. */
export function parseYamlSlow(text: string, file?: string, limits: YamlLimits = DEFAULT_LIMITS): YParseResult {
  const diagnostics: Diagnostic[] = [];
  const posOf = positionsIn(text);
  const where = (offset: number, path?: string): { file?: string; pos: SourcePos; path?: string } => {
    const w: { file?: string; pos: SourcePos; path?: string } = { pos: posOf(offset) };
    if (file !== undefined) w.file = file;
    if (path !== undefined) w.path = path;
    return w;
  };
  let events: YamlEvent[];
  try {
    events = parseEvents(text, file === undefined ? { maxDepth: limits.yamlDepth } : { filename: file, maxDepth: limits.yamlDepth });
  } catch (e) {
    const err = e as { reason?: string; mark?: { line: number; column: number }; message?: string };
    const pos = err.mark ? { line: err.mark.line + 1, column: err.mark.column + 1 } : undefined;
    const reason = err.reason ?? err.message ?? String(e);
    if (/maxDepth/.test(reason)) {
      diagnostics.push(diagnostic('YAML_LIMIT', `the YAML nests more than ${limits.yamlDepth} levels deep (${limitName('yamlDepth')})`, { file, pos }));
    } else diagnostics.push(diagnostic('YAML_SYNTAX', `YAML syntax error: ${reason}`, { file, pos }));
    return { documents: [], diagnostics };
  }

  const documents: YDocument[] = [];
  const anchors = new Map<string, YNode>();
  let i = 0;
  // Aliases share their anchor's node, so a document is a graph whose expansion (what every
  // reader of it walks) can be exponential in its text: 700 bytes of nested aliases expand to
  // billions of nodes. Each document counts its nodes as expanded, and the depth they reach;
  // an alias that would take either past its limit is not expanded (a null in its place) and
  // the document is broken.
  let docNodes = 0;
  let deepest = 0;
  let overBudget = false;
  /** Expanded node count and height of each anchored node. */
  const extent = new Map<YNode, { nodes: number; height: number }>();
  const overLimit = (message: string, offset: number, path: string): YScalar => {
    // One diagnostic per document: the aliases after the first one cut are cut silently.
    if (!overBudget) diagnostics.push(diagnostic('YAML_LIMIT', message, where(offset, path)));
    overBudget = true;
    return { kind: 'scalar', value: { type: 'null', text: '' }, plain: true, offset };
  };

  const slice = (a: number, b: number): string => (a >= 0 && b >= 0 ? text.slice(a, b) : '');
  // js-yaml gives an empty scalar (`condition:` with nothing after it) no position (-1); such a
  // node is placed where the text before it ended (just after its key), never at offset -1.
  let lastEnd = 0;

  function scalarNode(ev: ScalarEvent): YScalar {
    const raw = getScalarValue(text, ev);
    const plain = ev.style === SCALAR_STYLE.PLAIN;
    const tag = slice(ev.tagStart, ev.tagEnd);
    let value: YScalarValue;
    if (tag !== '') {
      const v = resolveTagged(tag, raw);
      if (v === undefined) {
        diagnostics.push(
          diagnostic('YAML_TAG', `unsupported or mismatched YAML tag ${tag} on '${raw}'`, where(ev.valueStart)),
        );
        value = { type: 'string', text: raw };
      } else value = v;
    } else value = plain ? resolvePlainScalar(raw) : { type: 'string', text: raw };
    const offset = ev.valueStart >= 0 ? ev.valueStart : lastEnd;
    if (ev.valueEnd >= 0) lastEnd = ev.valueEnd;
    return { kind: 'scalar', value, plain: plain && tag === '', offset };
  }

  // Recursive descent over the flat event stream; `i` points at the next event. `depth` is the
  // node's nesting (1 for a document's root); js-yaml stops at limits.yamlDepth, so the recursion is bounded.
  function node(path: string, depth: number): YNode {
    const ev = events[i++];
    if (ev === undefined) throw new Error('unexpected end of YAML events');
    if (ev.type === EVENT_ID.ALIAS) {
      const name = slice(ev.anchorStart, ev.anchorEnd);
      const target = anchors.get(name);
      if (target === undefined) {
        diagnostics.push(diagnostic('YAML_ALIAS', `unknown alias *${name}`, where(ev.anchorStart, path)));
        docNodes++;
        return { kind: 'scalar', value: { type: 'null', text: '' }, plain: true, offset: ev.anchorStart };
      }
      const x = extent.get(target) ?? { nodes: 1, height: 1 };
      if (docNodes + x.nodes > limits.yamlNodes) {
        return overLimit(`the alias *${name} would expand the document past ${limits.yamlNodes.toLocaleString('en-US')} nodes (${limitName('yamlNodes')}); it is not expanded`, ev.anchorStart - 1, path);
      }
      if (depth + x.height - 1 > limits.yamlDepth) {
        return overLimit(`the alias *${name} would nest the document more than ${limits.yamlDepth} levels deep (${limitName('yamlDepth')}); it is not expanded`, ev.anchorStart - 1, path);
      }
      docNodes += x.nodes;
      deepest = Math.max(deepest, depth + x.height - 1);
      return target;
    }
    const nodesBefore = docNodes;
    const deepestBefore = deepest;
    deepest = depth;
    // Without aliases the nodes are in the text, but a document past the budget is still refused.
    const crossed = ++docNodes === limits.yamlNodes + 1;
    let n: YNode;
    let anchorStart = -1;
    let anchorEnd = -1;
    switch (ev.type) {
      case EVENT_ID.SCALAR:
        n = scalarNode(ev);
        anchorStart = ev.anchorStart;
        anchorEnd = ev.anchorEnd;
        break;
      case EVENT_ID.SEQUENCE: {
        lastEnd = ev.start;
        const items: YNode[] = [];
        while (events[i]?.type !== EVENT_ID.POP) items.push(node(`${path}[${items.length}]`, depth + 1));
        i++;
        n = { kind: 'seq', items, offset: ev.start };
        anchorStart = ev.anchorStart;
        anchorEnd = ev.anchorEnd;
        break;
      }
      case EVENT_ID.MAPPING: {
        lastEnd = ev.start;
        const entries: YMapEntry[] = [];
        const seen = new Set<string>();
        while (events[i]?.type !== EVENT_ID.POP) {
          const keyNode = node(path, depth + 1);
          const keyText = keyNode.kind === 'scalar' ? keyNode.value.text : '';
          const entryPath = childPath(path, keyText);
          const value = node(entryPath, depth + 1);
          if (keyNode.kind !== 'scalar') {
            diagnostics.push(diagnostic('YAML_COMPLEX_KEY', 'mapping keys must be scalars', where(keyNode.offset, path)));
            continue;
          }
          if (seen.has(keyText)) {
            diagnostics.push(
              diagnostic(
                'YAML_DUPLICATE_KEY',
                `duplicate key '${keyText}': YAML forbids it and Sigma never lets the last one win`,
                where(keyNode.offset, entryPath),
              ),
            );
            continue;
          }
          seen.add(keyText);
          entries.push({ key: keyText, keyNode, value });
        }
        i++;
        n = { kind: 'map', entries, offset: ev.start };
        anchorStart = ev.anchorStart;
        anchorEnd = ev.anchorEnd;
        break;
      }
      default:
        throw new Error(`unexpected YAML event ${ev.type}`);
    }
    if (crossed) {
      diagnostics.push(diagnostic('YAML_LIMIT', `the document holds more than ${limits.yamlNodes.toLocaleString('en-US')} nodes (${limitName('yamlNodes')})`, where(n.offset, path)));
      overBudget = true;
    }
    if (anchorStart >= 0) {
      anchors.set(slice(anchorStart, anchorEnd), n);
      extent.set(n, { nodes: docNodes - nodesBefore, height: deepest - depth + 1 });
    }
    deepest = Math.max(deepest, deepestBefore);
    return n;
  }

  while (i < events.length) {
    const ev = events[i++];
    if (ev?.type !== EVENT_ID.DOCUMENT) continue;
    anchors.clear();
    extent.clear();
    docNodes = 0;
    deepest = 0;
    overBudget = false;
    const errorsBefore = diagnostics.length;
    if (events[i]?.type === EVENT_ID.POP) {
      i++;
      documents.push({ root: null, offset: 0, broken: false });
      continue;
    }
    const root = node('', 1);
    i++; // the document's POP
    // An explicit empty document (`---` followed by `---` or the end) is an empty scalar.
    if (root.kind === 'scalar' && root.plain && root.value.type === 'null' && root.value.text === '') {
      documents.push({ root: null, offset: root.offset, broken: diagnostics.length > errorsBefore });
      continue;
    }
    documents.push({ root, offset: root.offset, broken: overBudget || diagnostics.length > errorsBefore });
  }
  return { documents, diagnostics };
}
