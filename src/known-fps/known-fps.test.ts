/**
 * The known false-positive file: both top-level shapes, located errors for every kind of bad
 * entry, Sigma-style value patterns (wildcards, escapes, case, numbers, arrays, nested fields),
 * and expiry (an expired entry suppresses nothing and is reported as a warning).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  expiredDiagnostics,
  expiredEntries,
  isExpired,
  isIsoDate,
  knownFpFor,
  loadKnownFps,
  parseKnownFps,
} from './known-fps.js';
import type { KnownFp } from './known-fps.js';

const RULE = '11111111-2222-4333-8444-555555555555';
const OTHER = '99999999-2222-4333-8444-555555555555';
const TODAY = new Date(2025, 5, 15, 12); // 2025-06-15 local

function load(text: string): ReturnType<typeof parseKnownFps> {
  return parseKnownFps(text, 'fps.yml');
}

function entries(text: string): KnownFp[] {
  const r = load(text);
  expect(r.diagnostics).toEqual([]);
  return r.entries;
}

describe('loading', () => {
  it('reads a known_fps mapping with every key, keeping positions', () => {
    const r = load(`known_fps:
  - rule: ${RULE}
    field: Image
    value: 'C:\\Program Files\\Backup\\*.exe'
    reason: nightly backup agent
    expires: 2025-12-31
  - rule: ${OTHER}
    field: User
    reason: any user
`);
    expect(r.diagnostics).toEqual([]);
    expect(r.entries).toHaveLength(2);
    expect(r.entries[0]).toMatchObject({
      rule: RULE,
      field: 'Image',
      value: 'C:\\Program Files\\Backup\\*.exe',
      reason: 'nightly backup agent',
      expires: '2025-12-31',
      file: 'fps.yml',
      pos: { line: 2, column: 5 },
      index: 0,
    });
    expect(r.entries[1]).toMatchObject({ rule: OTHER, field: 'User', pos: { line: 7, column: 5 }, index: 1 });
    expect(r.entries[1]?.value).toBeUndefined();
    expect(r.entries[1]?.expires).toBeUndefined();
  });

  it('reads a top-level list', () => {
    const es = entries(`- {rule: ${RULE}, field: Image, reason: r}\n- {rule: ${OTHER}, field: Image, value: x, reason: r}\n`);
    expect(es.map((e) => e.rule)).toEqual([RULE, OTHER]);
  });

  it('accepts an empty file and an empty known_fps', () => {
    expect(entries('')).toEqual([]);
    expect(entries('# nothing yet\n')).toEqual([]);
    expect(entries('known_fps:\n')).toEqual([]);
    expect(entries('known_fps: []\n')).toEqual([]);
  });

  it('keeps a YAML number value as written', () => {
    const [e] = entries(`- {rule: ${RULE}, field: Code, value: 010, reason: r}\n`);
    expect(e?.value).toBe('010');
  });

  it('reports missing required keys with the entry position, and keeps the valid entries', () => {
    const r = load(`known_fps:
  - rule: ${RULE}
    field: Image
    reason: ok
  - field: Image
    reason: no rule
  - rule: ${RULE}
    reason: no field
  - rule: ${RULE}
    field: Image
`);
    expect(r.entries).toHaveLength(1);
    const ds = r.diagnostics.map((d) => ({ code: d.code, line: d.pos?.line, column: d.pos?.column, path: d.path, file: d.file }));
    expect(ds).toEqual([
      { code: 'KNOWN_FP_INVALID', line: 5, column: 5, path: 'known_fps[1].rule', file: 'fps.yml' },
      { code: 'KNOWN_FP_INVALID', line: 7, column: 5, path: 'known_fps[2].field', file: 'fps.yml' },
      { code: 'KNOWN_FP_INVALID', line: 9, column: 5, path: 'known_fps[3].reason', file: 'fps.yml' },
    ]);
    expect(r.diagnostics.every((d) => d.severity === 'error')).toBe(true);
    expect(r.diagnostics[2]?.message).toMatch(/no 'reason'/);
  });

  it('reports a bad date, an unknown key, an empty reason and a non-scalar value where they are', () => {
    const r = load(`known_fps:
  - rule: ${RULE}
    field: Image
    reason: r
    expires: 2025-02-30
  - rule: ${RULE}
    field: Image
    reason: r
    expire: 2025-02-01
  - rule: ${RULE}
    field: Image
    reason: ''
  - rule: ${RULE}
    field: Image
    reason: r
    value: [a, b]
  - rule: ${RULE}
    field: Image
    reason: r
    expires: next week
`);
    expect(r.entries).toEqual([]);
    const ds = r.diagnostics.map((d) => `${d.code} ${d.pos?.line}:${d.pos?.column} ${d.path}`);
    expect(ds).toEqual([
      'KNOWN_FP_INVALID 5:14 known_fps[0].expires',
      'KNOWN_FP_INVALID 9:5 known_fps[1].expire',
      'KNOWN_FP_INVALID 12:14 known_fps[2].reason',
      'KNOWN_FP_INVALID 16:12 known_fps[3].value',
      'KNOWN_FP_INVALID 20:14 known_fps[4].expires',
    ]);
    expect(r.diagnostics[0]?.message).toMatch(/YYYY-MM-DD, not '2025-02-30'/);
    expect(r.diagnostics[1]?.message).toMatch(/unknown key 'expire'/);
  });

  it('reports a wrong shape', () => {
    expect(load('rules: []\n').diagnostics.map((d) => d.code)).toEqual(['KNOWN_FP_INVALID', 'KNOWN_FP_INVALID']);
    const scalar = load('just text\n');
    expect(scalar.diagnostics).toHaveLength(1);
    expect(scalar.diagnostics[0]).toMatchObject({ code: 'KNOWN_FP_INVALID', pos: { line: 1, column: 1 } });
    const notList = load('known_fps: {rule: x}\n');
    expect(notList.diagnostics[0]).toMatchObject({ code: 'KNOWN_FP_INVALID', pos: { line: 1, column: 12 } });
    const item = load('- just text\n');
    expect(item.diagnostics[0]).toMatchObject({ code: 'KNOWN_FP_INVALID', pos: { line: 1, column: 3 }, path: '[0]' });
  });

  it('reports YAML syntax errors and duplicate keys with line and column', () => {
    const syntax = load(`known_fps:\n  - rule: ${RULE}\n    field: [Image\n`);
    expect(syntax.entries).toEqual([]);
    expect(syntax.diagnostics[0]?.code).toBe('YAML_SYNTAX');
    expect(syntax.diagnostics[0]?.pos?.line).toBeGreaterThan(0);
    const dup = load(`- rule: ${RULE}\n  field: Image\n  field: User\n  reason: r\n`);
    expect(dup.diagnostics[0]).toMatchObject({ code: 'YAML_DUPLICATE_KEY', pos: { line: 3, column: 3 } });
  });

  it('reports an unreadable file as KNOWN_FP_UNREADABLE', () => {
    const d = mkdtempSync(join(tmpdir(), 'sigmatest-fps-'));
    expect(loadKnownFps(join(d, 'missing.yml')).diagnostics[0]).toMatchObject({ code: 'KNOWN_FP_UNREADABLE', file: join(d, 'missing.yml') });
    expect(loadKnownFps(d).diagnostics[0]?.message).toMatch(/directory/);
    writeFileSync(join(d, 'ok.yml'), `- {rule: ${RULE}, field: Image, reason: r}\n`);
    expect(loadKnownFps(join(d, 'ok.yml')).entries[0]?.file).toBe(join(d, 'ok.yml'));
  });
});

describe('isIsoDate', () => {
  it('accepts real dates only', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2025-02-29')).toBe(false);
    expect(isIsoDate('2025-13-01')).toBe(false);
    expect(isIsoDate('2025-1-01')).toBe(false);
    expect(isIsoDate('2025-01-01T00:00')).toBe(false);
  });
});

describe('knownFpFor', () => {
  const es = (): KnownFp[] =>
    entries(`known_fps:
  - {rule: ${RULE}, field: Image, value: 'C:\\Program Files\\Backup\\\\*.exe', reason: backup}
  - {rule: ${RULE}, field: ParentImage, reason: any parent}
  - {rule: ${RULE}, field: EventID, value: '4?88', reason: number}
  - {rule: ${RULE}, field: CommandLine, value: 'run \\*now\\?', reason: escaped wildcards}
  - {rule: ${RULE}, field: Target.User, value: admin, reason: nested}
`);

  it('suppresses a match whose field value fits the pattern, case-insensitively', () => {
    const e = knownFpFor(es(), RULE, { Image: 'c:\\program files\\backup\\AGENT.EXE' }, TODAY);
    expect(e?.reason).toBe('backup');
    expect(knownFpFor(es(), RULE, { Image: 'C:\\Program Files\\Backup\\sub\\agent.exe' }, TODAY)?.reason).toBe('backup');
    expect(knownFpFor(es(), RULE, { Image: 'C:\\Program Files\\Backup\\agent.dll' }, TODAY)).toBeUndefined();
    expect(knownFpFor(es(), RULE, { Image: 'D:\\C:\\Program Files\\Backup\\agent.exe' }, TODAY)).toBeUndefined();
  });

  it('only for the rule named (ids compared case-insensitively), never for rules without an id', () => {
    expect(knownFpFor(es(), OTHER, { Image: 'C:\\Program Files\\Backup\\a.exe' }, TODAY)).toBeUndefined();
    expect(knownFpFor(es(), RULE.toUpperCase(), { Image: 'C:\\Program Files\\Backup\\a.exe' }, TODAY)).toBeDefined();
    expect(knownFpFor(es(), undefined, { Image: 'C:\\Program Files\\Backup\\a.exe' }, TODAY)).toBeUndefined();
  });

  it('an entry without value accepts any value of a present field, nothing when the field is absent', () => {
    expect(knownFpFor(es(), RULE, { ParentImage: 'x' }, TODAY)?.reason).toBe('any parent');
    expect(knownFpFor(es(), RULE, { ParentImage: null }, TODAY)?.reason).toBe('any parent');
    expect(knownFpFor(es(), RULE, { Other: 'x' }, TODAY)).toBeUndefined();
  });

  it('renders numbers as text, honours ? and escaped wildcards, nested fields and arrays', () => {
    expect(knownFpFor(es(), RULE, { EventID: 4688 }, TODAY)?.reason).toBe('number');
    expect(knownFpFor(es(), RULE, { EventID: 4624 }, TODAY)).toBeUndefined();
    expect(knownFpFor(es(), RULE, { CommandLine: 'RUN *NOW?' }, TODAY)?.reason).toBe('escaped wildcards');
    expect(knownFpFor(es(), RULE, { CommandLine: 'run later now!' }, TODAY)).toBeUndefined();
    // Sigma escaping: \* is a literal star, so a backslash before a wildcard is written \\*.
    const literal = entries(`- {rule: ${RULE}, field: Image, value: 'C:\\Temp\\*', reason: star}\n`);
    expect(knownFpFor(literal, RULE, { Image: 'C:\\Temp\\x' }, TODAY)).toBeUndefined();
    expect(knownFpFor(literal, RULE, { Image: 'C:\\Temp*' }, TODAY)?.reason).toBe('star');
    expect(knownFpFor(es(), RULE, { Target: { User: 'Admin' } }, TODAY)?.reason).toBe('nested');
    expect(knownFpFor(es(), RULE, { Target: [{ User: 'bob' }, { User: 'ADMIN' }] }, TODAY)?.reason).toBe('nested');
    expect(knownFpFor(es(), RULE, { Image: ['x', 'C:\\Program Files\\Backup\\b.exe'] }, TODAY)?.reason).toBe('backup');
  });
});

describe('expiry', () => {
  const es = (): KnownFp[] =>
    entries(`known_fps:
  - {rule: ${RULE}, field: Image, reason: old, expires: 2025-06-14}
  - {rule: ${RULE}, field: Image, reason: today, expires: 2025-06-15}
  - {rule: ${RULE}, field: User, reason: never}
`);

  it('an entry applies through its expiry day and not after', () => {
    const [old, today] = es();
    expect(isExpired(old as KnownFp, TODAY)).toBe(true);
    expect(isExpired(today as KnownFp, TODAY)).toBe(false);
    expect(isExpired(today as KnownFp, new Date(2025, 5, 16, 0, 0, 1))).toBe(true);
  });

  it('an expired entry does not suppress; an unexpired one for the same match still does', () => {
    expect(knownFpFor(es(), RULE, { Image: 'x' }, TODAY)?.reason).toBe('today');
    expect(knownFpFor(es(), RULE, { Image: 'x' }, new Date(2025, 5, 16, 12))).toBeUndefined();
  });

  it('lists expired entries and warns about each with file and line', () => {
    expect(expiredEntries(es(), TODAY).map((e) => e.reason)).toEqual(['old']);
    const ds = expiredDiagnostics(es(), new Date(2025, 5, 16, 12));
    expect(ds.map((d) => ({ code: d.code, severity: d.severity, file: d.file, line: d.pos?.line }))).toEqual([
      { code: 'KNOWN_FP_EXPIRED', severity: 'warning', file: 'fps.yml', line: 2 },
      { code: 'KNOWN_FP_EXPIRED', severity: 'warning', file: 'fps.yml', line: 3 },
    ]);
    expect(ds[0]?.message).toMatch(/expired on 2025-06-14/);
  });
});
