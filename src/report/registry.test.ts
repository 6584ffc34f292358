/** The reporter registries: names, default, usage and help, lookups; the commands take their choices from them. */
import { describe, expect, it } from 'vitest';
import { ReporterRegistry } from './registry.js';
import type { FolderReporter, TextReporter } from './registry.js';
import { RUN_REPORTERS } from './run/registry.js';
import { GATE_REPORTERS } from './gate/registry.js';
import { FUZZ_REPORTERS } from './fuzz/registry.js';
import { SCAN_REPORTERS } from './scan/registry.js';
import { EXPLAIN_REPORTERS } from './explain/registry.js';
import { runCli } from '../cli/main.js';
import { captureIo } from '../../test/capture-io.js';

const text = (name: string): TextReporter<string> => ({ name, help: `${name} help`, output: 'text', render: (s) => `${name}:${s}` });
const folder: FolderReporter<string> = { name: 'site', help: 'a folder', output: 'folder', render: (s) => new Map([['index.html', s]]) };

describe('ReporterRegistry', () => {
  const r = new ReporterRegistry('demo', [text('plain'), text('fancy'), folder]);

  it('lists names in registration order, the first being the default', () => {
    expect(r.names).toEqual(['plain', 'fancy', 'site']);
    expect(r.defaultName).toBe('plain');
    expect(r.usage()).toBe('plain|fancy|site');
    expect(r.helpText()).toBe('Reporters (--reporter):\n  plain  plain help\n  fancy  fancy help\n  site   a folder');
  });

  it('looks reporters up by name; pick falls back to the default only without a name', () => {
    expect(r.pick(undefined).name).toBe('plain');
    expect(r.pick('site').output).toBe('folder');
    expect(() => r.pick('xml')).toThrow(/no demo reporter is named 'xml' \(reporters: plain, fancy, site\)/);
    expect(r.get('xml')).toBeUndefined();
    expect(r.textReporters().map((e) => e.name)).toEqual(['plain', 'fancy']);
    expect(r.textReporter('fancy')?.render('x')).toBe('fancy:x');
    expect(r.textReporter('site')).toBeUndefined();
  });

  it('refuses two reporters of one name', () => {
    expect(() => new ReporterRegistry('demo', [text('a'), text('a')])).toThrow(/two demo reporters are named 'a'/);
  });
});

describe('the registries of the commands', () => {
  it('hold the formats of each kind', () => {
    expect(RUN_REPORTERS.names).toEqual(['text', 'json', 'junit', 'markdown', 'html']);
    expect(GATE_REPORTERS.names).toEqual(['text', 'json', 'junit', 'sarif', 'github', 'markdown', 'html']);
    expect(FUZZ_REPORTERS.names).toEqual(['text', 'json']);
    expect(SCAN_REPORTERS.names).toEqual(['jsonl', 'json', 'text']);
    expect(EXPLAIN_REPORTERS.names).toEqual(['markdown', 'json', 'html']);
  });

  it.each([
    ['run', RUN_REPORTERS],
    ['gate', GATE_REPORTERS],
    ['fuzz', FUZZ_REPORTERS],
    ['scan', SCAN_REPORTERS],
  ] as const)('%s --help shows the usage and the reporters of its registry', async (command, registry) => {
    const io = captureIo();
    expect(await runCli([command, '--help'], io)).toBe(0);
    expect(io.stdout()).toContain(`--reporter ${registry.usage()}`);
    expect(io.stdout()).toContain(registry.helpText());
  });

  it('an unknown reporter is a usage error naming the registered ones', async () => {
    const io = captureIo();
    expect(await runCli(['run', '--reporter', 'xml'], io)).toBe(2);
    expect(io.stderr()).toMatch(/--reporter must be one of text, json, junit, markdown, html, not 'xml'/);
  });
});
