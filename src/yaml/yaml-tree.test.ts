import { describe, expect, it } from 'vitest';
import { mapGet, parseYaml, resolvePlainScalar, toPlain } from './yaml-tree.js';
import type { YNode, YScalarValue } from './yaml-tree.js';

function onlyRoot(text: string): YNode {
  const r = parseYaml(text, 'f.yml');
  expect(r.diagnostics).toEqual([]);
  expect(r.documents).toHaveLength(1);
  const root = r.documents[0]?.root;
  if (root === null || root === undefined) throw new Error('empty document');
  return root;
}

/** The resolved value of `v: <source>` in a one-key document. */
function valueOf(source: string): { value: YScalarValue; plain: boolean } {
  const root = onlyRoot(`v: ${source}\n`);
  if (root.kind !== 'map') throw new Error('not a map');
  const v = mapGet(root, 'v');
  if (v?.kind !== 'scalar') throw new Error('not a scalar');
  return { value: v.value, plain: v.plain };
}

describe('YAML 1.2 core schema resolution of plain scalars', () => {
  const TABLE: Array<[string, YScalarValue]> = [
    // YAML 1.1 booleans are strings in 1.2
    ['yes', { type: 'string', text: 'yes' }],
    ['no', { type: 'string', text: 'no' }],
    ['on', { type: 'string', text: 'on' }],
    ['off', { type: 'string', text: 'off' }],
    ['Yes', { type: 'string', text: 'Yes' }],
    ['y', { type: 'string', text: 'y' }],
    // booleans
    ['true', { type: 'bool', value: true, text: 'true' }],
    ['True', { type: 'bool', value: true, text: 'True' }],
    ['TRUE', { type: 'bool', value: true, text: 'TRUE' }],
    ['false', { type: 'bool', value: false, text: 'false' }],
    ['False', { type: 'bool', value: false, text: 'False' }],
    ['tRUE', { type: 'string', text: 'tRUE' }],
    // integers keep their source text
    ['4688', { type: 'number', value: 4688, text: '4688' }],
    ['010', { type: 'number', value: 10, text: '010' }],
    ['00000429', { type: 'number', value: 429, text: '00000429' }],
    ['-1', { type: 'number', value: -1, text: '-1' }],
    ['+12', { type: 'number', value: 12, text: '+12' }],
    ['0x17', { type: 'number', value: 23, text: '0x17' }],
    ['0xFF', { type: 'number', value: 255, text: '0xFF' }],
    ['0o17', { type: 'number', value: 15, text: '0o17' }],
    // not integers in 1.2 core
    ['0b101', { type: 'string', text: '0b101' }],
    ['017_000', { type: 'string', text: '017_000' }],
    ['1,000', { type: 'string', text: '1,000' }],
    ['-0x17', { type: 'string', text: '-0x17' }],
    ['0x', { type: 'string', text: '0x' }],
    ['12:30', { type: 'string', text: '12:30' }],
    // floats
    ['1.5', { type: 'number', value: 1.5, text: '1.5' }],
    ['1.50', { type: 'number', value: 1.5, text: '1.50' }],
    ['.5', { type: 'number', value: 0.5, text: '.5' }],
    ['1.', { type: 'number', value: 1, text: '1.' }],
    ['1e3', { type: 'number', value: 1000, text: '1e3' }],
    ['-2.5E-1', { type: 'number', value: -0.25, text: '-2.5E-1' }],
    ['.inf', { type: 'number', value: Infinity, text: '.inf' }],
    ['-.Inf', { type: 'number', value: -Infinity, text: '-.Inf' }],
    ['1.2.3', { type: 'string', text: '1.2.3' }],
    ['10.0.0.0/8', { type: 'string', text: '10.0.0.0/8' }],
    // null
    ['~', { type: 'null', text: '~' }],
    ['null', { type: 'null', text: 'null' }],
    ['Null', { type: 'null', text: 'Null' }],
    ['NULL', { type: 'null', text: 'NULL' }],
    ['', { type: 'null', text: '' }],
    ['nULL', { type: 'string', text: 'nULL' }],
    // ordinary text
    ['C:\\Windows\\x.exe', { type: 'string', text: 'C:\\Windows\\x.exe' }],
    ['a b  c', { type: 'string', text: 'a b  c' }],
  ];
  it.each(TABLE)('plain %j', (source, expected) => {
    const r = valueOf(source);
    expect(r.value).toEqual(expected);
    expect(r.plain).toBe(true);
    // the exported resolver agrees with the tree
    expect(resolvePlainScalar(source)).toEqual(expected);
  });

  it('.nan is a NaN number', () => {
    const v = valueOf('.nan').value;
    expect(v.type).toBe('number');
    expect(v.type === 'number' && Number.isNaN(v.value)).toBe(true);
  });

  const QUOTED: Array<[string, string]> = [
    ["'010'", '010'],
    ['"010"', '010'],
    ["'yes'", 'yes'],
    ["'true'", 'true'],
    ['"0x17"', '0x17'],
    ["'~'", '~'],
    ["'null'", 'null'],
    ["''", ''],
    ['""', ''],
    ["'1.5'", '1.5'],
    ["'C:\\Windows\\x.exe'", 'C:\\Windows\\x.exe'],
    ['"C:\\\\Windows\\\\x.exe"', 'C:\\Windows\\x.exe'],
    ["'it''s'", "it's"],
    ['"tab\\there"', 'tab\there'],
    ['!!str 010', '010'],
    ['!!str true', 'true'],
  ];
  it.each(QUOTED)('quoted or !!str %s stays text', (source, text) => {
    const r = valueOf(source);
    expect(r.value).toEqual({ type: 'string', text });
    expect(r.plain).toBe(false);
  });

  it('block scalars are text', () => {
    const root = onlyRoot('a: |\n  010\nb: >-\n  yes\n  no\n');
    expect(toPlain(root)).toEqual({ a: '010\n', b: 'yes no' });
  });

  it('explicit numeric tags resolve as numbers', () => {
    expect(valueOf('!!int 010').value).toEqual({ type: 'number', value: 10, text: '010' });
    expect(valueOf('!!float 1').value).toEqual({ type: 'number', value: 1, text: '1' });
  });

  it('a mismatched tag is a YAML_TAG diagnostic', () => {
    const r = parseYaml('v: !!int abc\n', 'f.yml');
    expect(r.diagnostics.map((d) => d.code)).toEqual(['YAML_TAG']);
  });

  it('toPlain gives JSON-like data', () => {
    const root = onlyRoot('a: 010\nb: [yes, ~, 0x17, "x"]\nc:\n  d: true\n');
    expect(toPlain(root)).toEqual({ a: 10, b: ['yes', null, 23, 'x'], c: { d: true } });
  });
});

describe('positions', () => {
  it('nodes carry offsets of their values', () => {
    const text = 'title: t\ndetection:\n  sel:\n    Image: x.exe\n';
    const root = onlyRoot(text);
    if (root.kind !== 'map') throw new Error('map');
    const det = mapGet(root, 'detection');
    if (det?.kind !== 'map') throw new Error('map');
    const sel = mapGet(det, 'sel');
    if (sel?.kind !== 'map') throw new Error('map');
    const entry = sel.entries[0];
    expect(entry?.key).toBe('Image');
    expect(entry?.keyNode.offset).toBe(text.indexOf('Image'));
    expect(entry?.value.offset).toBe(text.indexOf('x.exe'));
  });
});

describe('empty values', () => {
  it('an empty value is null and positioned right after its key, never at offset -1', () => {
    const text = 'a:\nlist:\n  -\n  - x\nb: 1\n';
    const root = onlyRoot(text);
    if (root.kind !== 'map') throw new Error('map');
    const a = mapGet(root, 'a');
    expect(a?.kind === 'scalar' && a.value).toEqual({ type: 'null', text: '' });
    expect(a?.offset).toBe(1); // the colon after 'a'
    const list = mapGet(root, 'list');
    if (list?.kind !== 'seq') throw new Error('seq');
    expect(list.items[0]?.kind === 'scalar' && list.items[0].value.type).toBe('null');
    expect(list.items[0]?.offset).toBeGreaterThanOrEqual(text.indexOf('list'));
    expect(list.items[0]?.offset).toBeLessThanOrEqual(text.indexOf('- x'));
  });
});

describe('duplicate keys', () => {
  it('are YAML_DUPLICATE_KEY errors at the second key, with 1-based line/column', () => {
    const text = 'title: a\nlogsource:\n  product: windows\ntitle: b\n';
    const r = parseYaml(text, 'dup.yml');
    expect(r.diagnostics).toHaveLength(1);
    const d = r.diagnostics[0];
    expect(d).toMatchObject({ code: 'YAML_DUPLICATE_KEY', severity: 'error', file: 'dup.yml', path: 'title', pos: { line: 4, column: 1 } });
    expect(d?.message).toMatch(/duplicate key 'title'/);
    // the first value is kept in the tree, never the last one silently
    const root = r.documents[0]?.root;
    expect(root && toPlain(root)).toEqual({ title: 'a', logsource: { product: 'windows' } });
  });

  it('are found in nested maps, with the nested line and column', () => {
    const text = ['detection:', '  sel:', '    Image: a', '    Image: b', '  condition: sel', ''].join('\n');
    const r = parseYaml(text, 'dup.yml');
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ code: 'YAML_DUPLICATE_KEY', path: 'detection.sel.Image', pos: { line: 4, column: 5 } });
  });

  it('a quoted and a plain spelling of the same key are duplicates', () => {
    const r = parseYaml("a: 1\n'a': 2\n", 'dup.yml');
    // (the column of a quoted scalar is that of its first character inside the quotes)
    expect(r.diagnostics.map((d) => [d.code, d.pos?.line])).toEqual([['YAML_DUPLICATE_KEY', 2]]);
  });

  it('keys differing in case are not duplicates', () => {
    expect(parseYaml('a: 1\nA: 2\n').diagnostics).toEqual([]);
  });

  it('flow mappings report duplicates too', () => {
    const r = parseYaml('sel: {a: 1, a: 2}\n', 'dup.yml');
    expect(r.diagnostics.map((d) => [d.code, d.pos])).toEqual([['YAML_DUPLICATE_KEY', { line: 1, column: 13 }]]);
  });
});

describe('syntax errors', () => {
  const TABLE: Array<[string, string, { line: number; column: number }]> = [
    ['unclosed flow sequence', 'a: 1\nb: [1, 2\n', { line: 3, column: 1 }],
    ['bad indentation', 'a:\n  b: 1\n c: 2\n', { line: 3, column: 2 }],
    ['tab indentation', 'a:\n\tb: 1\n', { line: 2, column: 1 }],
    ['unclosed quote', "a: 'x\n", { line: 2, column: 1 }],
  ];
  it.each(TABLE)('%s → YAML_SYNTAX with a 1-based position', (_name, text, pos) => {
    const r = parseYaml(text, 'bad.yml');
    expect(r.documents).toEqual([]);
    expect(r.diagnostics).toHaveLength(1);
    const d = r.diagnostics[0];
    expect(d).toMatchObject({ code: 'YAML_SYNTAX', severity: 'error', file: 'bad.yml' });
    expect(d?.message).toMatch(/^YAML syntax error: /);
    expect(d?.pos).toEqual(pos);
  });

  it('positions are never 0-based', () => {
    const r = parseYaml('[', 'x.yml');
    const pos = r.diagnostics[0]?.pos;
    expect(pos?.line).toBeGreaterThanOrEqual(1);
    expect(pos?.column).toBeGreaterThanOrEqual(1);
  });
});

describe('multi-document files', () => {
  it('yields every document in order', () => {
    const text = 'a: 1\n---\nb: 2\n---\nc: 3\n';
    const r = parseYaml(text);
    expect(r.diagnostics).toEqual([]);
    expect(r.documents.map((d) => toPlain(d.root))).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }]);
    expect(r.documents.map((d) => d.offset)).toEqual([0, text.indexOf('b: 2'), text.indexOf('c: 3')]);
  });

  it('an empty document is a null root', () => {
    const r = parseYaml('a: 1\n---\n---\nb: 2\n---\n');
    expect(r.diagnostics).toEqual([]);
    expect(r.documents.map((d) => d.root?.kind ?? null)).toEqual(['map', null, 'map', null]);
    expect(parseYaml('---\n').documents.map((d) => d.root)).toEqual([null]);
  });

  it('a document holding only ~ or a text is not empty', () => {
    expect(parseYaml('--- ~\n').documents.map((d) => d.root?.kind)).toEqual(['scalar']);
    expect(parseYaml('text\n').documents.map((d) => d.root?.kind)).toEqual(['scalar']);
  });

  it('a leading --- and a trailing ... are accepted', () => {
    const r = parseYaml('---\na: 1\n...\n');
    expect(r.documents.map((d) => toPlain(d.root))).toEqual([{ a: 1 }]);
  });

  it('an empty text has no documents and no diagnostics', () => {
    expect(parseYaml('')).toEqual({ documents: [], diagnostics: [] });
  });

  it('duplicate keys in two documents are reported separately', () => {
    const r = parseYaml('a: 1\na: 2\n---\nb: 1\nb: 2\n');
    expect(r.diagnostics.map((d) => [d.code, d.pos?.line])).toEqual([
      ['YAML_DUPLICATE_KEY', 2],
      ['YAML_DUPLICATE_KEY', 5],
    ]);
  });

  it('the same key in different documents is no duplicate', () => {
    expect(parseYaml('a: 1\n---\na: 2\n').diagnostics).toEqual([]);
  });
});

describe('anchors and aliases', () => {
  it('an alias refers to the anchored node (scalar, sequence, mapping)', () => {
    const text = 'x: &s 010\ny: *s\nl: &l [a, b]\nm: *l\nn: &n {k: v}\no: *n\n';
    const root = onlyRoot(text);
    expect(toPlain(root)).toEqual({ x: 10, y: 10, l: ['a', 'b'], m: ['a', 'b'], n: { k: 'v' }, o: { k: 'v' } });
    if (root.kind !== 'map') throw new Error('map');
    const y = mapGet(root, 'y');
    expect(y?.kind === 'scalar' && y.value).toEqual({ type: 'number', value: 10, text: '010' });
  });

  it('an anchor on a quoted scalar stays text through the alias', () => {
    expect(toPlain(onlyRoot("a: &q '010'\nb: *q\n"))).toEqual({ a: '010', b: '010' });
  });

  it('an unknown alias is a diagnostic, not a crash', () => {
    const r = parseYaml('a: *nope\n', 'f.yml');
    expect(r.diagnostics.map((d) => d.code)).toEqual(expect.arrayContaining([expect.stringMatching(/^YAML_/)]));
  });

  it('anchors do not leak into the next document', () => {
    const r = parseYaml('a: &x 1\n---\nb: *x\n', 'f.yml');
    expect(r.diagnostics.length).toBeGreaterThan(0);
    expect(r.diagnostics.every((d) => d.severity === 'error')).toBe(true);
  });
});

/** The classic alias bomb: nine levels of nine aliases, 9^9 (387 million) leaves expanded, in about 700 bytes. */
export function aliasBomb(indent = ''): string {
  const names = 'abcdefghi';
  const lines = [`${indent}a: &a ["x","x","x","x","x","x","x","x","x"]`];
  for (let k = 1; k < names.length; k++) lines.push(`${indent}${names[k]}: &${names[k]} [${Array(9).fill(`*${names[k - 1]}`).join(',')}]`);
  return lines.join('\n');
}

describe('limits: alias expansion and depth', () => {
  it('an alias bomb stops at the node budget with a located YAML_LIMIT, at once', () => {
    const text = aliasBomb();
    expect(text.length).toBeLessThan(800);
    const t0 = Date.now();
    const r = parseYaml(text, 'bomb.yml');
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.diagnostics.map((d) => [d.code, d.pos?.line])).toEqual([['YAML_LIMIT', 7]]);
    expect(r.diagnostics[0]?.message).toMatch(/alias \*f would expand the document past 1,000,000 nodes \(limits\.yaml_nodes\)/);
    expect(r.documents[0]?.broken).toBe(true);
    // What is left is bounded: converting it to plain data ends.
    expect(JSON.stringify(toPlain(r.documents[0]?.root ?? null)).length).toBeLessThan(10_000_000);
  });

  it('a smaller budget is a config setting', () => {
    const text = 'a: &a [1, 2, 3]\nb: [*a, *a, *a]\n';
    expect(parseYaml(text, 'x.yml', { yamlNodes: 100, yamlDepth: 100 }).diagnostics).toEqual([]);
    const r = parseYaml(text, 'x.yml', { yamlNodes: 12, yamlDepth: 100 });
    // 12 nodes: the root, a, its list and 3 numbers, b, its list, the first *a (4): the second is cut.
    expect(r.diagnostics.map((d) => [d.code, d.pos?.line, d.pos?.column])).toEqual([['YAML_LIMIT', 2, 9]]);
    expect(toPlain(r.documents[0]?.root ?? null)).toEqual({ a: [1, 2, 3], b: [[1, 2, 3], null, null] });
  });

  it('aliases cannot nest a document past the depth limit', () => {
    // Each level wraps the previous one: 200 anchors nest 200 deep once expanded.
    const lines = ['l0: &l0 [x]'];
    for (let k = 1; k < 200; k++) lines.push(`l${k}: &l${k} [*l${k - 1}]`);
    const r = parseYaml(lines.join('\n'), 'deep.yml');
    expect(r.diagnostics.map((d) => d.code)).toEqual(['YAML_LIMIT']);
    expect(r.diagnostics[0]?.message).toMatch(/more than 100 levels deep \(limits\.yaml_depth\)/);
    // l98 (line 99) is a list at level 2 of l97, which reaches level 100: l98 reaches 101.
    expect(r.diagnostics[0]?.pos?.line).toBe(99);
  });

  it('nesting written out is limited too (js-yaml reads at most limits.yaml_depth levels)', () => {
    const deep = `${'['.repeat(150)}${']'.repeat(150)}`;
    expect(parseYaml(deep, 'x.yml').diagnostics.map((d) => [d.code, d.message])).toEqual([['YAML_LIMIT', 'the YAML nests more than 100 levels deep (limits.yaml_depth)']]);
    expect(parseYaml(`${'['.repeat(20)}${']'.repeat(20)}`, 'x.yml', { yamlNodes: 100, yamlDepth: 10 }).diagnostics.map((d) => d.code)).toEqual(['YAML_LIMIT']);
  });

  it('a large plain document is counted too', () => {
    const list = `v: [${Array.from({ length: 200 }, (_, k) => k).join(', ')}]\n`;
    expect(parseYaml(list, 'x.yml', { yamlNodes: 100, yamlDepth: 100 }).diagnostics.map((d) => d.code)).toEqual(['YAML_LIMIT']);
    expect(parseYaml(list, 'x.yml', { yamlNodes: 1000, yamlDepth: 100 }).diagnostics).toEqual([]);
  });
});
