import { describe, it, expect } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flattenEvent, isEvtxJson } from './flatten-event.js';
import { readEventFileSync } from '../event-files/read-events.js';

const REGRESSION = fileURLToPath(new URL('../../../shared/corpus/sigmahq/regression_data', import.meta.url));
const HAVE_CORPUS = existsSync(REGRESSION);

function jsonFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...jsonFiles(p));
    else if (/\.json\w*$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

const SYSTEM_SYSMON = {
  Provider: { '#attributes': { Name: 'Microsoft-Windows-Sysmon', Guid: '5770385F-C22A-43E0-BF4C-06F5698FFBD9' } },
  EventID: 13,
  Version: 2,
  Level: 4,
  Task: 13,
  Opcode: 0,
  Keywords: '0x8000000000000000',
  TimeCreated: { '#attributes': { SystemTime: '2025-10-22T20:33:27.276702Z' } },
  EventRecordID: 256875,
  Correlation: null,
  Execution: { '#attributes': { ProcessID: 3168, ThreadID: 4580 } },
  Channel: 'Microsoft-Windows-Sysmon/Operational',
  Computer: 'host-1',
  Security: { '#attributes': { UserID: 'S-1-5-18' } },
};

const SYSTEM_FLAT = {
  Provider_Name: 'Microsoft-Windows-Sysmon',
  Provider_Guid: '5770385F-C22A-43E0-BF4C-06F5698FFBD9',
  EventID: 13,
  Version: 2,
  Level: 4,
  Task: 13,
  Opcode: 0,
  Keywords: '0x8000000000000000',
  TimeCreated_SystemTime: '2025-10-22T20:33:27.276702Z',
  EventRecordID: 256875,
  Correlation: null,
  Execution_ProcessID: 3168,
  Execution_ThreadID: 4580,
  Channel: 'Microsoft-Windows-Sysmon/Operational',
  Computer: 'host-1',
  Security_UserID: 'S-1-5-18',
};

interface Case {
  name: string;
  raw: unknown;
  /** Exactly the flat event expected, or a subset of it with `partial`. */
  want: Record<string, unknown>;
  partial?: boolean;
}

const cases: Case[] = [
  {
    name: 'SigmaHQ regression shape: Event wrapper, EventData as name → value',
    raw: {
      Event: {
        '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
        System: SYSTEM_SYSMON,
        EventData: { RuleName: '-', EventType: 'SetValue', ProcessId: 1234, TargetObject: 'HKLM\\x', Details: 'DWORD (0x00000001)' },
      },
    },
    want: { ...SYSTEM_FLAT, RuleName: '-', EventType: 'SetValue', ProcessId: 1234, TargetObject: 'HKLM\\x', Details: 'DWORD (0x00000001)' },
  },
  {
    name: 'without the Event wrapper',
    raw: { System: { EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational' }, EventData: { Image: 'C:\\a.exe' } },
    want: { EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Image: 'C:\\a.exe' },
  },
  {
    name: 'EventID with Qualifiers, Provider with EventSourceName, Correlation with ActivityID, Security null',
    raw: {
      Event: {
        System: {
          Provider: { '#attributes': { Name: 'Service Control Manager', Guid: '{555908d1}', EventSourceName: 'Service Control Manager' } },
          EventID: { '#attributes': { Qualifiers: 16384 }, '#text': 7045 },
          Correlation: { '#attributes': { ActivityID: '8E521E2B-7C26' } },
          Channel: 'System',
          Security: null,
        },
        EventData: { ServiceName: 'evil', ImagePath: 'C:\\evil.exe' },
      },
    },
    want: {
      Provider_Name: 'Service Control Manager',
      Provider_Guid: '{555908d1}',
      Provider_EventSourceName: 'Service Control Manager',
      EventID_Qualifiers: 16384,
      EventID: 7045,
      Correlation_ActivityID: '8E521E2B-7C26',
      Channel: 'System',
      Security: null,
      ServiceName: 'evil',
      ImagePath: 'C:\\evil.exe',
    },
  },
  {
    name: 'Data as an array of named elements (evtx_dump style), empty element, name with a space',
    raw: {
      Event: {
        System: { EventID: 4688, Channel: 'Security' },
        EventData: {
          Data: [
            { '#attributes': { Name: 'NewProcessName' }, '#text': 'C:\\Windows\\System32\\cmd.exe' },
            { '#attributes': { Name: 'TokenElevationType' }, '#text': '%%1936' },
            { '#attributes': { Name: 'MandatoryLabel' } },
            { '#attributes': { Name: 'Product Name' }, '#text': 'Windows' },
            { '#attributes': { Name: 'ProcessId' }, '#text': 4242 },
          ],
        },
      },
    },
    want: {
      EventID: 4688,
      Channel: 'Security',
      NewProcessName: 'C:\\Windows\\System32\\cmd.exe',
      TokenElevationType: '%%1936',
      MandatoryLabel: null,
      ProductName: 'Windows',
      ProcessId: 4242,
    },
  },
  {
    name: 'Data with xmltodict @Name attributes and @-attributes in System',
    raw: {
      Event: {
        System: { Provider: { '@Name': 'Microsoft-Windows-Security-Auditing' }, EventID: { '@Qualifiers': '', '#text': '4624' }, Channel: 'Security' },
        EventData: { Data: [{ '@Name': 'LogonType', '#text': '3' }, { '@Name': 'TargetUserName', '#text': 'bob' }] },
      },
    },
    want: {
      Provider_Name: 'Microsoft-Windows-Security-Auditing',
      EventID_Qualifiers: '',
      EventID: '4624',
      Channel: 'Security',
      LogonType: '3',
      TargetUserName: 'bob',
    },
  },
  {
    name: 'Data as an object of name → value',
    raw: { Event: { System: { EventID: 4104, Channel: 'Microsoft-Windows-PowerShell/Operational' }, EventData: { Data: { ScriptBlockText: 'iex x', Path: '' } } } },
    want: { EventID: 4104, Channel: 'Microsoft-Windows-PowerShell/Operational', ScriptBlockText: 'iex x', Path: '' },
  },
  {
    name: 'unnamed Data (PowerShell classic 400): #text array becomes one Data array',
    raw: {
      Event: {
        System: { Provider: { '#attributes': { Name: 'PowerShell' } }, EventID: { '#attributes': { Qualifiers: 0 }, '#text': 400 }, Channel: 'Windows PowerShell' },
        EventData: { Data: { '#text': ['Available', 'None', '\tNewEngineState=Available\n\tHostName=ConsoleHost'] }, Binary: null },
      },
    },
    want: {
      Provider_Name: 'PowerShell',
      EventID_Qualifiers: 0,
      EventID: 400,
      Channel: 'Windows PowerShell',
      Data: ['Available', 'None', '\tNewEngineState=Available\n\tHostName=ConsoleHost'],
      Binary: null,
    },
  },
  {
    name: 'unnamed Data as plain values and a single string',
    raw: { Event: { System: { EventID: 1, Channel: 'Application' }, EventData: { Data: ['a', 2, { '#text': 'c' }] } } },
    want: { EventID: 1, Channel: 'Application', Data: ['a', 2, 'c'] },
  },
  {
    name: 'EventData given as one string',
    raw: { Event: { System: { EventID: 1, Channel: 'Application' }, EventData: 'just text' } },
    want: { EventID: 1, Channel: 'Application', Data: ['just text'] },
  },
  {
    name: 'EventData null',
    raw: { Event: { System: { EventID: 6005, Channel: 'System' }, EventData: null } },
    want: { EventID: 6005, Channel: 'System' },
  },
  {
    name: 'repeated named Data becomes an array',
    raw: { Event: { System: { EventID: 1, Channel: 'X' }, EventData: { Data: [{ '@Name': 'P', '#text': 'a' }, { '@Name': 'P', '#text': 'b' }] } } },
    want: { EventID: 1, Channel: 'X', P: ['a', 'b'] },
  },
  {
    name: 'UserData flattened by leaf name, xmlns dropped',
    raw: {
      Event: {
        System: { EventID: 1, Channel: 'Microsoft-Windows-TerminalServices-LocalSessionManager/Operational' },
        UserData: { EventXML: { '#attributes': { xmlns: 'Event_NS' }, User: 'DOM\\bob', SessionID: 2, Address: '10.0.0.1' } },
      },
    },
    want: {
      EventID: 1,
      Channel: 'Microsoft-Windows-TerminalServices-LocalSessionManager/Operational',
      User: 'DOM\\bob',
      SessionID: 2,
      Address: '10.0.0.1',
    },
  },
  {
    name: 'UserData Param1 (EventXML) and a clash with System: System wins, clash kept as UserData.<name>',
    raw: {
      Event: {
        System: { Provider: { '#attributes': { Name: 'Microsoft-Windows-Eventlog' } }, EventID: 104, Channel: 'System' },
        UserData: {
          LogFileCleared: {
            '#attributes': { xmlns: 'http://manifests.microsoft.com/win/2004/08/windows/eventlog' },
            SubjectUserName: 'bob',
            Channel: 'Security',
            BackupPath: null,
          },
          EventXML: { Param1: 'p1' },
        },
      },
    },
    want: {
      Provider_Name: 'Microsoft-Windows-Eventlog',
      EventID: 104,
      Channel: 'System',
      SubjectUserName: 'bob',
      'UserData.Channel': 'Security',
      BackupPath: null,
      Param1: 'p1',
    },
  },
  {
    name: 'RenderingInfo section: leaf names, System fields protected',
    raw: {
      Event: {
        System: { EventID: 4625, Level: 0, Channel: 'Security' },
        EventData: { TargetUserName: 'x' },
        RenderingInfo: { '#attributes': { Culture: 'en-US' }, Message: 'An account failed to log on.', Level: 'Information' },
      },
    },
    want: { EventID: 4625, Level: 0, Channel: 'Security', TargetUserName: 'x', Message: 'An account failed to log on.', 'RenderingInfo.Level': 'Information' },
  },
  {
    name: 'an EventData field named like a System field is kept as EventData.<name>',
    raw: { Event: { System: { EventID: 1, Channel: 'X', Computer: 'a' }, EventData: { Computer: 'b', Other: 1 } } },
    want: { EventID: 1, Channel: 'X', Computer: 'a', 'EventData.Computer': 'b', Other: 1 },
  },
  {
    name: 'fields named like members of Object.prototype are plain fields, repeated ones still collect',
    raw: { Event: { System: { EventID: 1, Channel: 'X' }, EventData: { Data: [{ '@Name': 'constructor', '#text': 'a' }, { '@Name': 'toString', '#text': 'b' }, { '@Name': 'toString', '#text': 'c' }] } } },
    want: { EventID: 1, Channel: 'X', constructor: 'a', toString: ['b', 'c'] },
  },
];

describe('flattenEvent: EVTX-JSON shapes', () => {
  for (const c of cases) {
    it(c.name, () => {
      const flat = flattenEvent(c.raw);
      if (c.partial === true) expect(flat).toMatchObject(c.want);
      else expect(flat).toEqual(c.want);
      expect(isEvtxJson(c.raw)).toBe(true);
    });
  }
});

describe('flattenEvent: a field named __proto__', () => {
  it('is an own field like any other (JSON.parse makes it one), never the prototype', () => {
    const raw = JSON.parse('{"Event": {"System": {"EventID": 1}, "EventData": {"__proto__": "x", "Image": "a.exe"}, "UserData": {"W": {"__proto__": {"Param": "p"}}}}}') as unknown;
    const flat = flattenEvent(raw);
    expect(Object.getPrototypeOf(flat)).toBe(Object.prototype);
    expect(Object.keys(flat)).toEqual(['EventID', '__proto__', 'Image', 'Param']);
    expect(Object.getOwnPropertyDescriptor(flat, '__proto__')?.value).toBe('x');
  });
});

describe('flattenEvent: everything else', () => {
  it('returns a non-EVTX object unchanged (same reference, nested objects untouched)', () => {
    const raw = { Image: 'C:\\a.exe', process: { parent: { name: 'x' } }, EventID: 1 };
    expect(flattenEvent(raw)).toBe(raw);
    expect(isEvtxJson(raw)).toBe(false);
  });
  it('does not treat a System object without EventData/UserData as EVTX', () => {
    const raw = { System: { EventID: 1 }, Other: 1 };
    expect(flattenEvent(raw)).toBe(raw);
  });
  it('does not treat {Event: ...} without System as EVTX', () => {
    const raw = { Event: { action: 'login' } };
    expect(flattenEvent(raw)).toBe(raw);
  });
  it('gives {} for non-objects', () => {
    for (const v of [null, 1, 'x', [1, 2], true, undefined]) expect(flattenEvent(v)).toEqual({});
  });
  it('does not modify its input', () => {
    const raw = { Event: { System: { EventID: { '#attributes': { Qualifiers: 0 }, '#text': 1 }, Channel: 'X' }, EventData: { A: 1 } } };
    const copy = structuredClone(raw);
    flattenEvent(raw);
    expect(raw).toEqual(copy);
  });
});

describe.skipIf(!HAVE_CORPUS)(
  HAVE_CORPUS ? 'flattenEvent on SigmaHQ regression data' : 'flattenEvent on SigmaHQ regression data (SKIPPED: ../shared/corpus is absent)',
  () => {
    const files = HAVE_CORPUS ? jsonFiles(REGRESSION) : [];
    it('finds the regression JSON files', () => {
      expect(files.length).toBeGreaterThanOrEqual(100);
    });
    it.each(files.map((f) => [f.slice(REGRESSION.length + 1), f]))('%s', (_name, file) => {
      const { events, diagnostics } = readEventFileSync(file);
      expect(diagnostics).toEqual([]);
      expect(events.length).toBeGreaterThan(0);
      for (const e of events) {
        const raw = e.raw as { Event: { System: Record<string, unknown>; EventData: Record<string, unknown> } };
        const flat = e.event;
        expect(typeof flat['EventID']).toBe('number');
        expect(flat['EventID']).toBe(raw.Event.System['EventID']);
        expect(typeof flat['Channel']).toBe('string');
        expect(flat['Channel']).toBe(raw.Event.System['Channel']);
        expect(typeof flat['Provider_Name']).toBe('string');
        expect(typeof flat['TimeCreated_SystemTime']).toBe('string');
        expect(typeof flat['Computer']).toBe('string');
        expect(typeof flat['Execution_ProcessID']).toBe('number');
        for (const [k, v] of Object.entries(raw.Event.EventData)) expect(flat[k.replace(/\s+/g, '')], k).toEqual(v);
        // Nothing but System and EventData fields, and no nested objects left.
        for (const [k, v] of Object.entries(flat)) {
          expect(typeof v === 'object' && v !== null, k).toBe(false);
          expect(k.includes('.'), k).toBe(false);
        }
      }
    });
  },
);

if (!HAVE_CORPUS) console.warn(`flatten-event.test: ${REGRESSION} not found; corpus tests skipped`);
