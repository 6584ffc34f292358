import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinMapping, compileLogsourceFilter, eventCoverage, loadLogsourceMapping, mergeMappings, parseLogsourceMapping, resolveLogsource } from './logsource.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sigmatest-mapping-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const VALID = `# extra logsources
logsources:
  - category: process_creation
    product: windows
    append: true
    sources:
      - channel: Microsoft-Windows-Kernel-Process/Analytic
        eventIds: [1]
        provider: Microsoft-Windows-Kernel-Process
        title: ProcessStart
  - product: windows
    service: myapp
    sources:
      - channels: [MyApp/Operational, MyApp/Admin]
  - category: registry_set
    product: windows
    sources:
      - channel: Microsoft-Windows-Sysmon/Operational
        eventId: '13'
  - category: anything
    product: windows
    sources: [{}]
events:
  - channel: MyApp/Operational
    eventId: 100
    provider: MyApp
    title: Something happened
  - channel: MyApp/Admin
    eventId: 0x10
    title: Hex ID
`;

describe('parseLogsourceMapping: valid files', () => {
  it('reads every feature of the format', () => {
    const { mapping, diagnostics } = parseLogsourceMapping(VALID, 'map.yml');
    expect(diagnostics).toEqual([]);
    expect(mapping).toEqual({
      logsources: [
        {
          category: 'process_creation',
          product: 'windows',
          append: true,
          sources: [{ channels: ['Microsoft-Windows-Kernel-Process/Analytic'], eventIds: [1], provider: 'Microsoft-Windows-Kernel-Process' }],
        },
        { product: 'windows', service: 'myapp', sources: [{ channels: ['MyApp/Operational', 'MyApp/Admin'] }] },
        { category: 'registry_set', product: 'windows', sources: [{ channels: ['Microsoft-Windows-Sysmon/Operational'], eventIds: [13] }] },
        { category: 'anything', product: 'windows', sources: [{}] },
      ],
      events: [
        { channel: 'Microsoft-Windows-Kernel-Process/Analytic', eventId: 1, provider: 'Microsoft-Windows-Kernel-Process', title: 'ProcessStart' },
        { channel: 'MyApp/Operational', eventId: 100, provider: 'MyApp', title: 'Something happened' },
        { channel: 'MyApp/Admin', eventId: 16, provider: 'MyApp/Admin', title: 'Hex ID' },
      ],
    });
  });

  it('merges over the built-in mapping', () => {
    const merged = mergeMappings(builtinMapping, parseLogsourceMapping(VALID, 'map.yml').mapping);
    expect(eventCoverage({ category: 'process_creation', product: 'windows' }, merged)).toEqual([
      { provider: 'Sysmon', eventId: 1, title: 'Process creation', channel: 'Microsoft-Windows-Sysmon/Operational' },
      { provider: 'Microsoft-Windows-Security-Auditing', eventId: 4688, title: 'A new process has been created.', channel: 'Security' },
      { provider: 'Microsoft-Windows-Kernel-Process', eventId: 1, title: 'ProcessStart', channel: 'Microsoft-Windows-Kernel-Process/Analytic' },
    ]);
    const myapp = compileLogsourceFilter({ product: 'windows', service: 'myapp' }, merged);
    expect(myapp({ Channel: 'myapp/admin', EventID: 3 })).toBe(true);
    expect(myapp({ Channel: 'Security', EventID: 3 })).toBe(false);
    expect(resolveLogsource({ category: 'anything', product: 'windows' }, merged).known).toBe(true);
    expect(compileLogsourceFilter({ category: 'anything', product: 'windows' }, merged)({ x: 1 })).toBe(true);
  });

  it('treats an empty or comment-only file as an empty mapping', () => {
    for (const text of ['', '# nothing here\n', '---\n']) {
      expect(parseLogsourceMapping(text, 'e.yml')).toEqual({ mapping: { logsources: [], events: [] }, diagnostics: [] });
    }
  });
});

interface BadCase {
  name: string;
  text: string;
  /** `severity CODE path line:column` of every diagnostic. */
  want: string[];
  /** Message fragment of the first diagnostic. */
  message?: RegExp;
  /** Number of logsource entries that survive. */
  entries?: number;
}

const bad: BadCase[] = [
  {
    name: 'a YAML syntax error (position from the js-yaml mark, made 1-based)',
    text: 'logsources:\n  - category: x\n    sources: [a,\n',
    want: ['error LOGSOURCE_YAML_INVALID - 4:1'],
    message: /invalid YAML/,
  },
  {
    name: 'a duplicate key',
    text: 'logsources:\n  - product: windows\n    product: linux\n    sources: [{}]\n',
    want: ['error LOGSOURCE_YAML_INVALID - 3:5'],
    message: /duplicated mapping key/,
  },
  {
    name: 'several documents',
    text: 'logsources: []\n---\nevents: []\n',
    want: ['error LOGSOURCE_MAPPING_INVALID - 1:1'],
    message: /one YAML document/,
  },
  {
    name: 'a root that is not a mapping',
    text: '- a\n- b\n',
    want: ['error LOGSOURCE_MAPPING_INVALID - 1:1'],
    message: /must be a mapping/,
  },
  {
    name: 'logsources not a list',
    text: 'logsources:\n  category: x\n',
    want: ['error LOGSOURCE_MAPPING_INVALID logsources 2:3'],
  },
  {
    name: 'an unknown top-level key (warning)',
    text: 'logsource:\n  - product: x\n',
    want: ['warning LOGSOURCE_MAPPING_UNKNOWN_KEY logsource 1:1'],
    message: /unknown key 'logsource'/,
  },
  {
    name: 'an entry without category, product or service',
    text: 'logsources:\n  - sources: [{}]\n',
    want: ['error LOGSOURCE_MAPPING_INVALID logsources[0] 2:5'],
    message: /at least one of category, product or service/,
    entries: 0,
  },
  {
    name: 'an entry without sources',
    text: 'logsources:\n  - product: windows\n    service: x\n',
    want: ['error LOGSOURCE_MAPPING_INVALID logsources[0] 2:5'],
    message: /needs 'sources'/,
    entries: 0,
  },
  {
    name: 'empty sources',
    text: 'logsources:\n  - product: windows\n    service: x\n    sources: []\n',
    want: ['error LOGSOURCE_MAPPING_INVALID logsources[0].sources 4:14'],
    entries: 0,
  },
  {
    name: 'a bad event ID among good ones; the next entry survives',
    text: 'logsources:\n  - product: windows\n    service: x\n    sources:\n      - channel: C\n        eventIds: [1, two, 3]\n  - product: windows\n    service: y\n    sources: [{channel: D}]\n',
    want: ['error LOGSOURCE_MAPPING_INVALID logsources[0].sources[0].eventIds[1] 6:23'],
    message: /non-negative integer, found "two"/,
    entries: 1,
  },
  {
    name: 'a negative or fractional event ID',
    text: 'logsources:\n  - product: windows\n    service: x\n    sources:\n      - eventId: -1\n      - eventId: 1.5\n',
    want: [
      'error LOGSOURCE_MAPPING_INVALID logsources[0].sources[0].eventId 5:18',
      'error LOGSOURCE_MAPPING_INVALID logsources[0].sources[1].eventId 6:18',
    ],
    entries: 0,
  },
  {
    name: 'channel and channels together',
    text: 'logsources:\n  - product: windows\n    service: x\n    sources:\n      - channel: A\n        channels: [B]\n',
    want: ['error LOGSOURCE_MAPPING_INVALID logsources[0].sources[0].channels 6:9'],
    message: /either 'channel' or 'channels'/,
    entries: 0,
  },
  {
    name: 'a channel that is not text',
    text: 'logsources:\n  - product: windows\n    service: x\n    sources:\n      - channels: [A, 7]\n',
    want: ['error LOGSOURCE_MAPPING_INVALID logsources[0].sources[0].channels[1] 5:23'],
    entries: 0,
  },
  {
    name: 'a source that is not a mapping',
    text: 'logsources:\n  - product: windows\n    service: x\n    sources:\n      - Security\n',
    want: ['error LOGSOURCE_MAPPING_INVALID logsources[0].sources[0] 5:9'],
    entries: 0,
  },
  {
    name: 'a misspelt key in a source (warning; the source still loads)',
    text: 'logsources:\n  - product: windows\n    service: x\n    sources:\n      - channel: A\n        eventID: 4\n',
    want: ['warning LOGSOURCE_MAPPING_UNKNOWN_KEY logsources[0].sources[0].eventID 6:9'],
    message: /unknown key 'eventID' in a source/,
    entries: 1,
  },
  {
    name: 'a title without event IDs',
    text: 'logsources:\n  - product: windows\n    service: x\n    sources:\n      - channel: A\n        title: T\n',
    want: ['error LOGSOURCE_MAPPING_INVALID logsources[0].sources[0].title 6:9'],
    message: /'title' needs/,
    entries: 0,
  },
  {
    name: 'append that is not a boolean',
    text: 'logsources:\n  - product: windows\n    service: x\n    append: yes\n    sources: [{}]\n',
    want: ['error LOGSOURCE_MAPPING_INVALID logsources[0].append 4:13'],
    entries: 0,
  },
  {
    name: 'a category that is not text',
    text: 'logsources:\n  - category: 12\n    sources: [{}]\n',
    want: ['error LOGSOURCE_MAPPING_INVALID logsources[0].category 2:15'],
    entries: 0,
  },
  {
    name: 'the same logsource twice (warning)',
    text: 'logsources:\n  - product: windows\n    service: x\n    sources: [{}]\n  - product: Windows\n    service: X\n    sources: [{channel: A}]\n',
    want: ['warning LOGSOURCE_MAPPING_DUPLICATE logsources[1] 5:5'],
    message: /already defined at logsources\[0\]/,
    entries: 2,
  },
  {
    name: 'event titles missing parts',
    text: 'events:\n  - channel: A\n    eventId: 1\n  - eventId: x\n    channel: B\n    title: T\n  - 5\n',
    want: [
      'error LOGSOURCE_MAPPING_INVALID events[0] 2:5',
      'error LOGSOURCE_MAPPING_INVALID events[1].eventId 4:14',
      'error LOGSOURCE_MAPPING_INVALID events[2] 7:5',
    ],
    message: /needs 'title'/,
  },
];

describe('parseLogsourceMapping: diagnostics', () => {
  for (const c of bad) {
    it(c.name, () => {
      const { mapping, diagnostics } = parseLogsourceMapping(c.text, 'map.yml');
      expect(diagnostics.map((d) => `${d.severity} ${d.code} ${d.path ?? '-'} ${d.pos ? `${d.pos.line}:${d.pos.column}` : '-'}`)).toEqual(c.want);
      for (const d of diagnostics) expect(d.file).toBe('map.yml');
      if (c.message) expect(diagnostics[0]?.message).toMatch(c.message);
      if (c.entries !== undefined) expect(mapping.logsources).toHaveLength(c.entries);
    });
  }
});

describe('loadLogsourceMapping', () => {
  it('reads a file and names it in diagnostics', () => {
    const file = join(dir, 'mapping.yml');
    writeFileSync(file, `${VALID}  - bogus: 1\n`);
    const { mapping, diagnostics } = loadLogsourceMapping(file);
    expect(mapping.logsources).toHaveLength(4);
    expect(diagnostics.map((d) => [d.code, d.file, d.path, d.pos])).toEqual([
      ['LOGSOURCE_MAPPING_UNKNOWN_KEY', file, 'events[2].bogus', { line: 31, column: 5 }],
      ['LOGSOURCE_MAPPING_INVALID', file, 'events[2]', { line: 31, column: 5 }],
      ['LOGSOURCE_MAPPING_INVALID', file, 'events[2]', { line: 31, column: 5 }],
      ['LOGSOURCE_MAPPING_INVALID', file, 'events[2]', { line: 31, column: 5 }],
    ]);
  });
  it('reports a missing file', () => {
    const file = join(dir, 'nope.yml');
    expect(loadLogsourceMapping(file)).toEqual({
      mapping: { logsources: [], events: [] },
      diagnostics: [{ code: 'LOGSOURCE_FILE_UNREADABLE', severity: 'error', message: 'cannot read logsource mapping file: no such file', file }],
    });
  });
});
