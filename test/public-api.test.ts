/**
 * The public API (src/index.ts) is what the README's "Library API" section says: every name the
 * section mentions is exported, every export is in the section, and every export carries TSDoc
 * where it is declared. The package's peer dependency on vitest (for `sigmatest/vitest`) is
 * declared optional.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The README's Library API section. */
function apiSection(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Library API\n');
  expect(start, 'README has a "## Library API" section').toBeGreaterThan(0);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** The names the section mentions as code: `name`, `name()`, `name(...)`, `new Name(...)`. */
function mentioned(section: string): string[] {
  const names = new Set<string>();
  for (const m of section.matchAll(/`(?:new )?([A-Za-z_$][\w$]*)(?:\([^`]*\))?`/g)) names.add(m[1] as string);
  return [...names];
}

/** Exported names of src/index.ts with whether their declaration has a doc comment (types included). */
function exportedDocs(): Map<string, boolean> {
  const file = join(ROOT, 'src', 'index.ts');
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (config === undefined) throw new Error('cannot read tsconfig.json');
  const program = ts.createProgram([file], config.options);
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  if (source === undefined) throw new Error('cannot load src/index.ts');
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (moduleSymbol === undefined) throw new Error('src/index.ts is not a module');
  const docs = new Map<string, boolean>();
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const hasDoc = symbol.getDocumentationComment(checker).some((p) => p.text.trim() !== '') || (symbol.declarations ?? []).some((d) => ts.getJSDocCommentsAndTags(d).length > 0);
    docs.set(exported.getName(), hasDoc);
  }
  return docs;
}

describe('the public API', () => {
  const section = apiSection();
  const names = mentioned(section);
  const docs = exportedDocs();

  it('exports every name the README documents, runtime values included', () => {
    expect(names.length).toBeGreaterThan(30);
    expect(names.filter((n) => !docs.has(n))).toEqual([]);
    for (const n of ['loadRuleFile', 'evaluatePlan', 'builtinMapping', 'compilePlan', 'RuleIndex', 'scan', 'fuzzRule', 'buildSuiteReport', 'buildFuzzReport', 'loadAndRunSuite', 'runCli']) {
      expect(api, n).toHaveProperty(n);
    }
  });

  it('documents every export in the README', () => {
    expect([...docs.keys()].filter((n) => !names.includes(n))).toEqual([]);
  });

  it('gives every export TSDoc where it is declared', () => {
    expect([...docs].filter(([, has]) => !has).map(([n]) => n)).toEqual([]);
  });

  it('declares vitest an optional peer dependency (sigmatest/vitest) and keeps it for its own tests', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    expect(pkg['peerDependencies']?.['vitest']).toBeTypeOf('string');
    expect(pkg['peerDependenciesMeta']?.['vitest']).toEqual({ optional: true });
    expect(pkg['devDependencies']?.['vitest']).toBeTypeOf('string');
    expect(pkg['exports']).toMatchObject({ '.': './dist/src/index.js', './vitest': './dist/src/vitest/sigma-cases.js' });
  });
});
