/**
 * The architecture, enforced: every folder of `src/` (and the top-level `generators/`) sits in one
 * layer, and a module may import only from its own folder or from folders of lower layers. That
 * rules out upward imports (an engine module reaching into `cli/`) and cycles between folders;
 * cycles between files are checked separately. Test files and `test/` are exempt from the layer
 * order, but production code never imports test code.
 *
 * Adding a folder means adding it to LAYERS below, at the level of what it needs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Lowest first. Folders in one group are peers: they may not import each other. */
export const LAYERS: readonly (readonly string[])[] = [
  ['diagnostics', 'util'],
  ['yaml'],
  ['sigma', 'condition'],
  ['plan'],
  ['events'],
  ['logsource'],
  ['pipeline'],
  ['rules'],
  ['evtx'],
  ['event-files'],
  ['evaluate'],
  ['trace', 'coverage'],
  ['correlation'],
  ['compile'],
  ['config', 'cache'],
  ['known-fps'],
  ['cases'],
  ['generators'],
  ['properties'],
  ['fuzz'],
  ['mutate'],
  ['explain'],
  ['scan'],
  ['regression'],
  ['gate'],
  ['report'],
  ['app'],
  ['cli', 'vitest'],
  ['(index)'],
];

export interface ImportEdge {
  from: string;
  to: string;
}

/** The relative module specifiers a TypeScript file imports (static, dynamic, re-exports, workers). */
export function importSpecifiers(source: string): string[] {
  const specs: string[] = [];
  const patterns = [
    /(?:^|[\s;])(?:import|export)\s[^'";]*?\sfrom\s+['"]([^'"]+)['"]/g,
    /(?:^|[\s;])import\s+['"]([^'"]+)['"]/g,
    /import\(\s*['"]([^'"]+)['"]\s*\)/g,
    /new URL\(\s*['"]([^'"]+\.js)['"]\s*,\s*import\.meta\.url\s*\)/g,
  ];
  for (const re of patterns) for (const m of source.matchAll(re)) specs.push(m[1] as string);
  return specs.filter((s) => s.startsWith('.'));
}

/** The layer folder of a file relative to the repository root (`src/plan/plan.ts` → `plan`). */
export function folderOf(file: string): string {
  const parts = file.split(/[\\/]/);
  if (parts[0] === 'generators') return 'generators';
  if (parts[0] === 'test') return '(test)';
  if (parts[0] === 'src') return parts.length === 2 ? '(index)' : (parts[1] as string);
  return `(${parts[0]})`;
}

/** Violations of the layer order in a list of edges between files. */
export function layerViolations(edges: readonly ImportEdge[], layers: readonly (readonly string[])[] = LAYERS): string[] {
  const rank = new Map<string, number>();
  layers.forEach((group, k) => group.forEach((f) => rank.set(f, k)));
  const problems: string[] = [];
  for (const e of edges) {
    const a = folderOf(e.from);
    const b = folderOf(e.to);
    if (b === '(test)') {
      problems.push(`${e.from} imports test code ${e.to}`);
      continue;
    }
    if (a === b) continue;
    const ra = rank.get(a);
    const rb = rank.get(b);
    if (ra === undefined) problems.push(`${e.from}: folder '${a}' has no layer (add it to LAYERS)`);
    else if (rb === undefined) problems.push(`${e.to}: folder '${b}' has no layer (add it to LAYERS)`);
    else if (rb >= ra) problems.push(`${e.from} imports ${e.to}: '${a}' may not import '${b}' (${rb === ra ? 'same layer' : 'a higher layer'})`);
  }
  return [...new Set(problems)];
}

/** Cycles between files (strongly connected components of more than one file). */
export function fileCycles(edges: readonly ImportEdge[]): string[][] {
  const out = new Map<string, string[]>();
  for (const e of edges) out.set(e.from, [...(out.get(e.from) ?? []), e.to]);
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const sccs: string[][] = [];
  const strong = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    on.add(v);
    for (const w of out.get(v) ?? []) {
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) sccs.push(scc.sort());
    }
  };
  for (const v of out.keys()) if (!index.has(v)) strong(v);
  return sccs;
}

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) files.push(...sourceFiles(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) files.push(p);
  }
  return files;
}

/** Import edges between the repository's production files (test files left out). */
export function productionEdges(): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of [...sourceFiles('src'), ...sourceFiles('generators')]) {
    if (file.endsWith('.test.ts')) continue;
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const spec of importSpecifiers(text)) {
      const target = relative(ROOT, resolve(ROOT, dirname(file), spec)).replace(/\.js$/, '.ts').split(sep).join('/');
      edges.push({ from: file.split(sep).join('/'), to: target });
    }
  }
  return edges;
}

describe('architecture', () => {
  const edges = productionEdges();

  it('reads the import graph', () => {
    expect(edges.length).toBeGreaterThan(300);
    expect(edges).toContainEqual({ from: 'src/cli/main.ts', to: 'src/cli/commands/run.ts' });
  });

  it('every import follows the layer order (no upward imports, no cycles between folders)', () => {
    expect(layerViolations(edges)).toEqual([]);
  });

  it('no cycles between files', () => {
    expect(fileCycles(edges)).toEqual([]);
  });

  it('every folder of src/ has a layer', () => {
    const known = new Set(LAYERS.flat());
    const folders = readdirSync(join(ROOT, 'src'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(folders.filter((f) => !known.has(f))).toEqual([]);
  });

  it('the checker catches an upward import, a peer import, a folder cycle, test code and a file cycle', () => {
    const bad: ImportEdge[] = [
      { from: 'src/plan/plan.ts', to: 'src/cli/io.ts' },
      { from: 'src/trace/describe-trace.ts', to: 'src/coverage/coverage.ts' },
      { from: 'src/evtx/read-evtx.ts', to: 'src/event-files/read-events.ts' },
      { from: 'src/scan/scan.ts', to: 'test/support/scan-fixture.ts' },
    ];
    const problems = layerViolations(bad);
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/'plan' may not import 'cli' \(a higher layer\)/);
    expect(problems[1]).toMatch(/same layer/);
    expect(problems[3]).toMatch(/imports test code/);
    expect(fileCycles([
      { from: 'a.ts', to: 'b.ts' },
      { from: 'b.ts', to: 'c.ts' },
      { from: 'c.ts', to: 'a.ts' },
      { from: 'c.ts', to: 'd.ts' },
    ])).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });
});

describe('the README draws the same layers', () => {
  it('its layer table lists the folders of LAYERS, in order', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf('<!-- layers:start -->');
    const end = readme.indexOf('<!-- layers:end -->');
    expect(start).toBeGreaterThan(0);
    const rows = readme
      .slice(start, end)
      .split('\n')
      .filter((l) => /^\| \d+ \|/.test(l))
      .map((l) => [...(l.split('|')[2] ?? '').matchAll(/`([^`]+)`/g)].map((m) => (m[1] === 'index.ts' ? '(index)' : (m[1] as string))));
    expect(rows).toEqual(LAYERS.map((g) => [...g]));
  });
});
