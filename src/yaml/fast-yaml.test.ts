import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseYamlFast } from './fast-yaml.js';
import { parseYaml, parseYamlSlow } from './yaml-tree.js';

/**
 * The fast reader's contract: it either declines (undefined) or gives exactly what js-yaml's path
 * gives for a text without diagnostics.
 */
function agreesWithSlow(text: string): { accepted: boolean; ok: boolean } {
  const fast = parseYamlFast(text);
  if (fast === undefined) return { accepted: false, ok: true };
  const slow = parseYamlSlow(text);
  return { accepted: true, ok: slow.diagnostics.length === 0 && isDeepStrictEqual(fast, slow.documents) };
}

/** Asserts the fast reader accepts `text` and gives the slow path's documents. */
function same(text: string): void {
  const slow = parseYamlSlow(text, 'f.yml');
  expect(slow.diagnostics).toEqual([]);
  expect(parseYamlFast(text)).toStrictEqual(slow.documents);
  expect(parseYaml(text, 'f.yml')).toStrictEqual(slow);
}

/** Asserts the fast reader declines `text`, and parseYaml still answers as the slow path does. */
function declines(text: string): void {
  expect(parseYamlFast(text)).toBeUndefined();
  expect(parseYaml(text, 'f.yml')).toStrictEqual(parseYamlSlow(text, 'f.yml'));
}

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...yamlFiles(p));
    else if (name.endsWith('.yml') || name.endsWith('.yaml')) out.push(p);
  }
  return out;
}

const CORPUS = fileURLToPath(new URL('../../../shared/corpus/sigmahq', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));

describe('fast YAML reader against js-yaml on real files', () => {
  const haveCorpus = existsSync(CORPUS);
  if (!haveCorpus) console.warn(`fast-yaml.test: ${CORPUS} is absent, skipping the SigmaHQ corpus comparison`);

  it.skipIf(!haveCorpus)('every SigmaHQ file it accepts parses exactly as js-yaml does, and it accepts ≥ 95% of the rules', () => {
    const mismatches: string[] = [];
    let rules = 0;
    let acceptedRules = 0;
    for (const file of yamlFiles(CORPUS)) {
      const r = agreesWithSlow(readFileSync(file, 'utf8'));
      if (!r.ok) mismatches.push(file);
      if (file.slice(CORPUS.length + 1).startsWith('rules')) {
        rules++;
        if (r.accepted) acceptedRules++;
      }
    }
    expect(mismatches).toEqual([]);
    expect(rules).toBeGreaterThan(1000);
    // 3775 of 3780 when written; the five left have multi-line plain scalars.
    expect(acceptedRules / rules).toBeGreaterThanOrEqual(0.95);
  });

  it("every file of the repository's rules/ and cases/ parses exactly as js-yaml does when accepted", () => {
    const files = ['rules', 'cases'].flatMap((d) => (existsSync(join(REPO, d)) ? yamlFiles(join(REPO, d)) : []));
    expect(files.length).toBeGreaterThan(0);
    const mismatches = files.filter((f) => !agreesWithSlow(readFileSync(f, 'utf8')).ok);
    expect(mismatches).toEqual([]);
    // The rules are all in the subset (cases hold flow mappings of events, left to js-yaml).
    const rules = files.filter((f) => f.startsWith(join(REPO, 'rules')));
    expect(rules.filter((f) => parseYamlFast(readFileSync(f, 'utf8')) === undefined)).toEqual([]);
  });
});

describe('fast YAML reader: tricky inputs', () => {
  it('quoted values holding `: ` and ` #`', () => {
    same("a: 'x: y # z'\nb: \"p: q # r\"\nc: 'it''s'  # a comment\n");
    same("- 'a: b'\n- \"#x\"\n");
  });

  it('`#` without a space before it is text', () => {
    same('a: a#b\nb: x #comment\nc: x#\nd#e: f\n');
  });

  it('keys with modifiers, spaces and quotes', () => {
    same("Image|endswith: '\\x.exe'\nCommandLine|contains|all:\n  - a\n'quoted key': 1\n\"dq\" : 2\nkey with spaces : 3\n");
  });

  it('empty values, positioned as js-yaml places them', () => {
    same('condition:\ntitle: t\n');
    same('a:   \nb: # comment\nc:\n  # comment\nd:');
    same("'q':\n\"r\":\n");
    same('l:\n  -\n  - x\n  -\n  - "y"\n  -\n');
    same('l:\n-\n- a: 1\n-\n');
  });

  it('core-schema scalars keep their text, quoted ones stay strings', () => {
    same("a: null\nb: ~\nc: true\nd: 0x17\ne: 010\nf: '010'\ng: \"0x17\"\nh: .inf\ni: -.5e3\nj: FALSE\nk: Null\nl: yes\nm: 1.2.3\n");
    same('a: .nan\n');
    same('010: a\ntrue: b\n~: c\n');
  });

  it('trailing spaces', () => {
    same('a: b   \nc: "d"   \nl:   \n  - x   \n  -   \n');
  });

  it('Windows paths with backslashes', () => {
    same("a: 'C:\\Windows\\System32\\'\nb: \"C:\\\\Windows\\\\x.exe\"\nc: C:\\Windows\\x.exe\nd: '\\\\server\\share'\n");
  });

  it('double-quoted escapes', () => {
    same('a: "\\t\\n\\r\\0\\a\\b\\v\\f\\e\\ \\"\\/\\\\\\N\\_\\L\\P"\n');
    same('a: "\\x41\\u00e9\\U0001F600\\uD83D"\n');
    declines('a: "\\q"\n'); // an error for js-yaml
    declines('a: "\\xZZ"\n');
  });

  it('documents: several, empty ones, markers with comments, no final newline', () => {
    same('a: 1\n---\nb: 2\n---\nc: 3');
    same('---\n---\n');
    same('a: 1\n---\n---\nb: 2\n---\n');
    same('# only a comment\n---\na: 1\n--- # c\nb: 2\n---\n# nothing\n');
    same('');
    same('\n\n# c\n');
    same('a: |\n  x\n---\n');
  });

  it('nested sequences of maps, compact and not, and sequences at the key’s column', () => {
    same('detection:\n  sel:\n    - Image|endswith: x\n      User: y\n    - Image: z\n  condition: sel\n');
    same('a:\n- b: 1\n  c:\n  - d\n  - e\n- f\nz: 0\n');
    same('-   a: 1\n    b: 2\n- - x\n  - y\n-\n  k: v\n');
    same('- a:\n  - x\n  b: 1\n');
  });

  it('flow sequences of scalars', () => {
    same("a: [x, 'y', \"z\", 010, ~]\nb: []\nc: [ a , b, ]\nd: [a:b, http://x]\n");
    declines('a: [[x]]\n');
    // An indented document marker: js-yaml reads ' --- k' as the scalar k and ' --- k: ' as an error.
    declines(' --- k: ');
    declines(' --- k\n');
    declines('a: 1\n ... b\n');
    declines('a: [x,\n  y]\n');
    declines('a: [a: b]\n');
  });

  it('block scalars with every chomping indicator', () => {
    same('a: |\n  line 1\n\n  line 2\nb: >\n  x\n  y\n\n  z\n    more\n  back\n');
    same('a: |-\n  x\n\n\nb: |+\n  x\n\n\nc: >-\n  x\n  y\nd: >+\n  x\n');
    same('- |\n  x\n- >\n   y\n-\n');
    same('a: |\n\n\nb: |+\n\n  \n');
    same('a: | # comment\n  # not a comment\n  x\n');
    // spaces at the very end of the text, which belong to the scalar only when more indented
    for (const end of ['   ', '  ', ' ', '    ']) {
      same(`a: |\n  x\n${end}`);
      same(`a: |+\n  x\n${end}`);
      same(`a: >+\n\n${end}`);
    }
    declines('a: |2\n  x\n'); // an explicit indentation indicator
    declines('a: |\n     \n  x\n'); // an error for js-yaml
  });

  it('declines duplicate keys, which js-yaml reports', () => {
    declines('a: 1\na: 2\n');
    declines("a: 1\n'a': 2\n");
    declines('x:\n  - k: 1\n    k: 2\n');
    // in a large mapping too (the reader then keeps its keys in a set)
    const many = Array.from({ length: 40 }, (_, i) => `k${i}: ${i}\n`).join('');
    same(many);
    for (const dup of ['k0', 'k15', 'k16', 'k17', 'k39']) declines(`${many}${dup}: again\n`);
  });

  it('declines tabs, CR, a BOM and control characters', () => {
    declines('a:\n\tb: 1\n');
    declines('a: b\tc\n');
    declines('a: 1\r\nb: 2\r\n');
    declines('\ufeffa: 1\n');
    declines('a: \x01\n');
  });

  it('declines flow mappings other than {}', () => {
    same('a: {}\nb: { }\n');
    declines('a: {b: 1}\n');
    declines('{a: 1}\n');
  });

  it('declines anchors, aliases, tags, directives, `?` keys, `...` and root scalars', () => {
    declines('a: &x 1\nb: *x\n');
    declines('a: !!str 010\n');
    declines('%YAML 1.2\n---\na: 1\n');
    declines('? a\n: b\n');
    declines('a: 1\n...\n');
    declines('just text\n');
    declines('--- a: 1\n');
  });

  it('declines multi-line plain and quoted scalars and bad indentation', () => {
    declines('a: b\n  c\n');
    declines('- b\n  c\n');
    declines("a: 'b\n  c'\n");
    declines('a:\n  b: 1\n c: 2\n');
    declines('a: b: c\n');
    declines('a: - x\n');
    declines('- a\nb: 1\n');
  });

  it('declines very deep nesting (js-yaml stops at depth 100)', () => {
    let deep = '';
    for (let i = 0; i < 120; i++) deep += `${' '.repeat(i)}k:\n`;
    declines(deep);
  });
});

describe('fast YAML reader: generated documents (property)', () => {
  type Scalar =
    | { k: 'plain'; text: string }
    | { k: 'sq'; text: string }
    | { k: 'dq'; raw: string }
    | { k: 'empty' }
    | { k: 'flow'; items: Scalar[] }
    | { k: 'block'; head: string; lines: string[] };
  type Node =
    | Scalar
    | { k: 'map'; entries: Array<{ key: Scalar; value: Node; style: number }>; step: number }
    | { k: 'seq'; items: Array<{ value: Node; style: number }>; step: number };

  const PLAIN = ['a', 'x.exe', 'C:\\Windows\\x', '*\\cmd.exe', '0x17', '010', '-1', '1.5', '.inf', '~', 'null', 'true', 'False',
    'yes', 'a#b', 'a b', 'Image|endswith', '%temp%', 'http://x.y/z?a=1', ':x', '-x', '?x', 'é', "it's", 'a"b', 'x]', 'a: b', 'a #b', '[x'];
  const KEYS = ['title', 'Image|endswith', 'CommandLine|contains|all', 'a b', 'x-y', '010', 'true', 'null', 'a#b', 'k.1', 'é', 'sel'];
  const DQ_PIECES = ['a', ' ', '#', ': ', "'", '\\\\', '\\"', '\\n', '\\t', '\\x41', '\\u00e9', '\\U0001F600', '\\/', '\\ ', '\\0', 'é', 'C:\\\\W'];
  const BLOCK_LINES = ['x', 'two words', '', '', '  more', 'a: b', '# not a comment', "'q'", '- item', ' '];

  const sqText = fc.string({ unit: fc.constantFrom('a', ' ', "'", '"', '\\', '#', ':', '-', 'é'), maxLength: 8 });
  const dqRaw = fc.array(fc.constantFrom(...DQ_PIECES), { maxLength: 5 }).map((a) => a.join(''));
  const flowItem: fc.Arbitrary<Scalar> = fc.oneof(
    fc.constantFrom('a', 'x.exe', '010', '~', 'a b', 'a:b', '-1').map((text): Scalar => ({ k: 'plain', text })),
    sqText.map((text): Scalar => ({ k: 'sq', text })),
    dqRaw.map((raw): Scalar => ({ k: 'dq', raw })),
  );
  const scalarArb: fc.Arbitrary<Scalar> = fc.oneof(
    fc.constantFrom(...PLAIN).map((text): Scalar => ({ k: 'plain', text })),
    sqText.map((text): Scalar => ({ k: 'sq', text })),
    dqRaw.map((raw): Scalar => ({ k: 'dq', raw })),
    fc.constant<Scalar>({ k: 'empty' }),
    fc.array(flowItem, { maxLength: 3 }).map((items): Scalar => ({ k: 'flow', items })),
    fc
      .record({
        head: fc.constantFrom('|', '|-', '|+', '>', '>-', '>+', '| # c'),
        lines: fc.array(fc.constantFrom(...BLOCK_LINES), { maxLength: 5 }),
      })
      .map(({ head, lines }): Scalar => ({ k: 'block', head, lines })),
  );
  const keyArb: fc.Arbitrary<Scalar> = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...KEYS).map((text): Scalar => ({ k: 'plain', text })) },
    { weight: 1, arbitrary: fc.constantFrom(...KEYS).map((text): Scalar => ({ k: 'sq', text })) },
    { weight: 1, arbitrary: fc.constantFrom(...KEYS).map((text): Scalar => ({ k: 'dq', raw: text })) },
  );
  const keyText = (k: Scalar): string => (k.k === 'plain' || k.k === 'sq' ? k.text : k.k === 'dq' ? k.raw : '');

  const tree = fc.letrec<{ node: Node }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', maxDepth: 4 },
      scalarArb,
      fc
        .record({
          // Mostly distinct keys; a duplicate now and then must make the reader decline.
          entries: fc.oneof(
            { weight: 5, arbitrary: fc.uniqueArray(fc.record({ key: keyArb, value: tie('node'), style: fc.nat(15) }), { minLength: 1, maxLength: 4, selector: (e) => keyText(e.key) }) },
            { weight: 1, arbitrary: fc.array(fc.record({ key: keyArb, value: tie('node'), style: fc.nat(15) }), { minLength: 1, maxLength: 4 }) },
          ),
          step: fc.integer({ min: 1, max: 4 }),
        })
        .map((m): Node => ({ k: 'map', ...m })),
      fc
        .record({
          items: fc.array(fc.record({ value: tie('node'), style: fc.nat(15) }), { minLength: 1, maxLength: 4 }),
          step: fc.integer({ min: 1, max: 4 }),
        })
        .map((s): Node => ({ k: 'seq', ...s })),
    ),
  })).node;

  function inline(s: Scalar): string {
    switch (s.k) {
      case 'plain':
        return s.text;
      case 'sq':
        return `'${s.text.replaceAll("'", "''")}'`;
      case 'dq':
        return `"${s.raw}"`;
      case 'flow':
        return `[${s.items.map(inline).join(', ')}]`;
      default:
        return '';
    }
  }

  /** Lines of one entry: `prefix` is the line so far (`  key:` or `  -`) of a collection at `col`. */
  function entry(prefix: string, v: Node, col: number, step: number, style: number, mapValue: boolean): string[] {
    const comment = style & 8 ? ' # c' : '';
    if (v.k === 'empty') return [prefix + comment];
    if (v.k === 'block') return [`${prefix} ${v.head}`, ...v.lines.map((l) => (l === '' ? '' : ' '.repeat(col + step) + l))];
    if (v.k !== 'map' && v.k !== 'seq') {
      if (style & 1) return [prefix + comment, ' '.repeat(col + step) + inline(v)]; // on the next line
      return [`${prefix} ${inline(v)}${comment}`];
    }
    if (!mapValue && style & 2) {
      // compact: `- key: value` or `- - x`
      const gap = style & 4 ? 3 : 1;
      const [first = '', ...rest] = render(v, col + 1 + gap);
      return [prefix + ' '.repeat(gap) + first, ...rest];
    }
    const childCol = mapValue && v.k === 'seq' && style & 2 ? col : col + step; // a sequence at its key's column
    const [first = '', ...rest] = render(v, childCol);
    return [prefix + comment, ' '.repeat(childCol) + first, ...rest];
  }

  /** A node's lines; the first one without its indentation (the caller writes it), the others with theirs. */
  function render(n: Node, col: number): string[] {
    if (n.k === 'map') {
      return n.entries.flatMap((e, i) => entry(`${i === 0 ? '' : ' '.repeat(col)}${inline(e.key)}:`, e.value, col, n.step, e.style, true));
    }
    if (n.k === 'seq') return n.items.flatMap((e, i) => entry(`${i === 0 ? '' : ' '.repeat(col)}-`, e.value, col, n.step, e.style, false));
    return [inline(n)];
  }

  const NOISE = ['', '# comment', '  # indented comment', '      # deep comment', '   '];
  const documentText = fc
    .record({
      root: tree,
      noise: fc.array(fc.tuple(fc.nat(), fc.constantFrom(...NOISE)), { maxLength: 3 }),
      trailing: fc.array(fc.nat(), { maxLength: 2 }),
    })
    .map(({ root, noise, trailing }) => {
      const lines = render(root, 0);
      for (const t of trailing) if (lines.length > 0) lines[t % lines.length] += '  ';
      for (const [at, line] of noise) lines.splice(at % (lines.length + 1), 0, line);
      return lines.join('\n');
    });
  const streamText = fc
    .record({
      docs: fc.array(fc.oneof({ weight: 6, arbitrary: documentText }, { weight: 1, arbitrary: fc.constant('') }), { minLength: 1, maxLength: 3 }),
      leadingMarker: fc.boolean(),
      finalNewline: fc.boolean(),
    })
    .map(({ docs, leadingMarker, finalNewline }) => (leadingMarker ? '---\n' : '') + docs.join('\n---\n') + (finalNewline ? '\n' : ''));

  it('fast == slow whenever the fast reader accepts a generated document', () => {
    let accepted = 0;
    const runs = 1500;
    fc.assert(
      fc.property(streamText, (text) => {
        const r = agreesWithSlow(text);
        if (r.accepted) accepted++;
        expect(r.ok, text).toBe(true);
      }),
      { numRuns: runs, seed: 20261127 },
    );
    // The grammar stays mostly inside the subset, so most documents must be read fast.
    expect(accepted).toBeGreaterThan(runs * 0.3);
  });

  it('fast == slow (or a decline) on random soup of YAML punctuation, and it never throws', () => {
    const atoms = ['a', 'k', ' ', ' ', '  ', '\n', '\n', '\n  ', '\n- ', ':', ': ', '-', '- ', '#', ' #', "'", '"', '|', '>', '+', '[', ']', ',', '{', '}', '---', '~', '0', '.', '\\', '?', 'é', 'k: ', '  - '];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...atoms), { maxLength: 30 }).map((a) => a.join('')), (text) => {
        expect(agreesWithSlow(text).ok, text).toBe(true);
      }),
      { numRuns: 3000, seed: 20261127 },
    );
  });
});
