/**
 * The code registry (src/diagnostics/codes.ts) is the one list of codes: every code literal in
 * `src/` is registered, every registered code is used somewhere in `src/`, `diagnostic()` takes
 * registered codes only (checked by the type checker: `npm run typecheck`), and the README's
 * lists of codes are what `npm run docs:codes` writes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CODE_GROUPS, CODES, codesMarkdown, codesOf, isDiagnosticCode, withCodesSections } from '../src/diagnostics/codes.js';
import type { DiagnosticCode } from '../src/diagnostics/codes.js';
import { diagnostic } from '../src/diagnostics/diagnostics.js';
import { VALIDATION_CODES } from '../src/gate/validate-rule.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Upper-case constants of `src/` that are not codes (Windows registry names, environment variables). */
const NOT_CODES = [/^HKEY_[A-Z_]+$/, /^REG_[A-Z_]+$/, /^GITHUB_STEP_SUMMARY$/];

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** The text without comments: block comments, and line comments (`// ` at a line start or after a space). */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/ .*$/gm, '$1');
}

/** Every quoted string of the code shape (`'RULE_ID_MISSING'`, "…", `…`) in a source text, comments left out. */
export function codeLiterals(text: string): string[] {
  return [...withoutComments(text).matchAll(/(['"`])([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\1/g)].map((m) => m[2] as string);
}

describe('the code registry', () => {
  const files = sources('src').filter((f) => !f.endsWith(join('diagnostics', 'codes.ts')));
  const used = new Map<string, string[]>();
  for (const f of files) {
    for (const code of codeLiterals(readFileSync(join(ROOT, f), 'utf8'))) used.set(code, [...(used.get(code) ?? []), relative('.', f)]);
  }

  it('finds the code literals of src/', () => {
    expect(codeLiterals(`err('VALUE_MAP', "x"); // 'NOT_THIS'\n/* 'NOR_THIS' */ const c = "RULE_EMPTY"; x = \`A_B\`;`)).toEqual(['VALUE_MAP', 'RULE_EMPTY', 'A_B']);
    expect(used.size).toBeGreaterThan(100);
  });

  it('registers every code literal of src/', () => {
    const unregistered = [...used.entries()].filter(([code]) => !isDiagnosticCode(code) && !NOT_CODES.some((re) => re.test(code)));
    expect(unregistered.map(([code, where]) => `${code} (${[...new Set(where)].join(', ')})`)).toEqual([]);
  });

  it('has no code that src/ never uses', () => {
    expect(Object.keys(CODES).filter((c) => !used.has(c))).toEqual([]);
  });

  it('gives every code a group, a severity and a one-line description', () => {
    for (const [code, info] of Object.entries(CODES)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/);
      expect(Object.keys(CODE_GROUPS)).toContain(info.group);
      expect(['error', 'warning', 'info']).toContain(info.severity);
      expect(info.description.length, code).toBeGreaterThan(10);
      expect(info.description, code).not.toMatch(/\n/);
    }
    expect(Object.keys(CODES).length).toBeGreaterThan(100);
  });

  it('is where validation codes and fuzz findings take their severities from', () => {
    expect(Object.keys(VALIDATION_CODES)).toEqual(codesOf('validation'));
    expect(codesOf('fuzz')).toEqual(['RULE_UNSATISFIABLE', 'PROPERTY_FAILED', 'EXCLUSION_DEAD', 'EXCLUSION_EVADABLE', 'STAGE_UNREACHABLE', 'CLAIM_UNDECIDED', 'VALUE_SHADOWED', 'FILTER_SUPPRESSES_ALL']);
  });

  it('gives diagnostic() its default severity, and diagnostic() takes registered codes only', () => {
    expect(diagnostic('KNOWN_FP_EXPIRED', 'x').severity).toBe('warning');
    expect(diagnostic('YAML_SYNTAX', 'x').severity).toBe('error');
    expect(diagnostic('YAML_SYNTAX', 'x', {}, 'warning').severity).toBe('warning');
    // @ts-expect-error an unregistered code does not type-check
    const bad = diagnostic('NOT_A_REGISTERED_CODE', 'x');
    expect(isDiagnosticCode(bad.code)).toBe(false);
    const code: DiagnosticCode = 'CASE_INVALID';
    expect(CODES[code].group).toBe('case');
  });

  it('is listed in the README exactly as npm run docs:codes writes it', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(`<!-- codes:start -->\n${codesMarkdown()}\n<!-- codes:end -->`);
    expect(readme).toContain(`<!-- codes:start group=fuzz -->\n${codesMarkdown('fuzz')}\n<!-- codes:end -->`);
    expect(withCodesSections(readme)).toBe(readme);
    expect(withCodesSections('a\n<!-- codes:start group=fuzz -->\nold\n<!-- codes:end -->\nb\n<!-- codes:start -->\n<!-- codes:end -->\n')).toBe(
      `a\n<!-- codes:start group=fuzz -->\n${codesMarkdown('fuzz')}\n<!-- codes:end -->\nb\n<!-- codes:start -->\n${codesMarkdown()}\n<!-- codes:end -->\n`,
    );
  });
});
