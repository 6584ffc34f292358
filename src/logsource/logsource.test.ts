import { describe, it, expect } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import {
  builtinMapping,
  compileLogsourceFilter,
  eventBucketKey,
  eventCoverage,
  LogsourceIndex,
  logsourceBuckets,
  logsourceKey,
  mergeMappings,
  resolveLogsource,
  SYSMON_CHANNEL,
} from './logsource.js';
import type { Logsource, LogsourceMapping, Source } from './logsource.js';
import { readEventFileSync } from '../event-files/read-events.js';

const SIGMAHQ = fileURLToPath(new URL('../../../shared/corpus/sigmahq', import.meta.url));
const HAVE_CORPUS = existsSync(SIGMAHQ);

const PS = ['Microsoft-Windows-PowerShell/Operational', 'PowerShellCore/Operational'];

/** What selects a source's events (its field mappings apart: source-view.test.ts checks those). */
function selection(s: Source): Source {
  const out: Source = {};
  if (s.channels !== undefined) out.channels = s.channels;
  if (s.eventIds !== undefined) out.eventIds = s.eventIds;
  if (s.provider !== undefined) out.provider = s.provider;
  if (s.where !== undefined) out.where = s.where;
  return out;
}
const SET_VALUE_OPS = ['%%1904', '%%1905', 'New registry value created', 'Existing registry value modified'];
const DELETE_VALUE_OPS = ['%%1906', 'Registry value deleted'];

describe('resolveLogsource (built-in mapping)', () => {
  const table: Array<{ ls: Logsource; known: boolean; sources: Source[] }> = [
    { ls: { category: 'registry_set', product: 'windows' }, known: true, sources: [{ channels: [SYSMON_CHANNEL], eventIds: [13] }, { channels: ['Security'], eventIds: [4657], where: { OperationType: SET_VALUE_OPS } }] },
    { ls: { category: 'registry_event', product: 'windows' }, known: true, sources: [{ channels: [SYSMON_CHANNEL], eventIds: [12, 13, 14] }, { channels: ['Security'], eventIds: [4657], where: { OperationType: [...SET_VALUE_OPS, ...DELETE_VALUE_OPS] } }] },
    { ls: { category: 'registry_delete', product: 'windows' }, known: true, sources: [{ channels: [SYSMON_CHANNEL], eventIds: [12] }, { channels: ['Security'], eventIds: [4657], where: { OperationType: DELETE_VALUE_OPS } }] },
    { ls: { category: 'sysmon_status', product: 'windows' }, known: true, sources: [{ channels: [SYSMON_CHANNEL], eventIds: [4, 16] }] },
    { ls: { category: 'pipe_created', product: 'windows' }, known: true, sources: [{ channels: [SYSMON_CHANNEL], eventIds: [17, 18] }] },
    { ls: { category: 'wmi_event', product: 'windows' }, known: true, sources: [{ channels: [SYSMON_CHANNEL], eventIds: [19, 20, 21] }] },
    { ls: { category: 'sysmon_error', product: 'windows' }, known: true, sources: [{ channels: [SYSMON_CHANNEL], eventIds: [255] }] },
    {
      ls: { category: 'process_creation', product: 'windows' },
      known: true,
      sources: [
        { channels: [SYSMON_CHANNEL], eventIds: [1] },
        { channels: ['Security'], eventIds: [4688] },
      ],
    },
    { ls: { category: 'ps_module', product: 'windows' }, known: true, sources: [{ channels: PS, eventIds: [4103] }] },
    { ls: { category: 'ps_script', product: 'windows' }, known: true, sources: [{ channels: PS, eventIds: [4104] }] },
    { ls: { category: 'ps_classic_start', product: 'windows' }, known: true, sources: [{ channels: ['Windows PowerShell'], eventIds: [400] }] },
    { ls: { category: 'ps_classic_provider_start', product: 'windows' }, known: true, sources: [{ channels: ['Windows PowerShell'], eventIds: [600] }] },
    { ls: { category: 'ps_classic_script', product: 'windows' }, known: true, sources: [{ channels: ['Windows PowerShell'], eventIds: [800] }] },
    { ls: { category: 'file_access', product: 'windows' }, known: true, sources: [{ provider: 'Microsoft-Windows-Kernel-File' }, { channels: ['Security'], eventIds: [4663], where: { ObjectType: ['File'] } }] },
    { ls: { product: 'windows', service: 'security' }, known: true, sources: [{ channels: ['Security'] }] },
    { ls: { product: 'windows', service: 'system' }, known: true, sources: [{ channels: ['System'] }] },
    { ls: { product: 'windows', service: 'sysmon' }, known: true, sources: [{ channels: [SYSMON_CHANNEL] }] },
    { ls: { product: 'windows', service: 'powershell' }, known: true, sources: [{ channels: PS }] },
    { ls: { product: 'windows', service: 'powershell-classic' }, known: true, sources: [{ channels: ['Windows PowerShell'] }] },
    { ls: { product: 'windows', service: 'wmi' }, known: true, sources: [{ channels: ['Microsoft-Windows-WMI-Activity/Operational'] }] },
    { ls: { product: 'windows', service: 'windefend' }, known: true, sources: [{ channels: ['Microsoft-Windows-Windows Defender/Operational'] }] },
    { ls: { product: 'windows', service: 'taskscheduler' }, known: true, sources: [{ channels: ['Microsoft-Windows-TaskScheduler/Operational'] }] },
    { ls: { product: 'windows', service: 'ntlm' }, known: true, sources: [{ channels: ['Microsoft-Windows-NTLM/Operational'] }] },
    { ls: { product: 'windows' }, known: true, sources: [{}] },
    { ls: { category: 'process_creation', product: 'linux' }, known: true, sources: [{ channels: ['Linux-Sysmon/Operational'], eventIds: [1] }] },
    { ls: { category: 'network_connection', product: 'linux' }, known: true, sources: [{ channels: ['Linux-Sysmon/Operational'], eventIds: [3] }] },
    { ls: { category: 'file_event', product: 'linux' }, known: true, sources: [{ channels: ['Linux-Sysmon/Operational'], eventIds: [11] }] },
    // Case and spaces do not matter; definition is not a selecting key.
    {
      ls: { category: ' Registry_Set ', product: 'WINDOWS', definition: 'x' } as Logsource,
      known: true,
      sources: [{ channels: [SYSMON_CHANNEL], eventIds: [13] }, { channels: ['Security'], eventIds: [4657], where: { OperationType: SET_VALUE_OPS } }],
    },
    // A service without product: the windows entry (superset).
    { ls: { service: 'security' }, known: true, sources: [{ channels: ['Security'] }] },
    // A category without product: every product's sources.
    {
      ls: { category: 'process_creation' },
      known: true,
      sources: [
        { channels: [SYSMON_CHANNEL], eventIds: [1] },
        { channels: ['Security'], eventIds: [4688] },
        { channels: ['Linux-Sysmon/Operational'], eventIds: [1] },
      ],
    },
    // More keys than any entry: the most specific entries contained in it.
    {
      ls: { category: 'registry_set', product: 'windows', service: 'sysmon' },
      known: true,
      sources: [{ channels: [SYSMON_CHANNEL], eventIds: [13] }, { channels: ['Security'], eventIds: [4657], where: { OperationType: SET_VALUE_OPS } }, { channels: [SYSMON_CHANNEL] }],
    },
    // Unknown logsources.
    { ls: { category: 'webserver' }, known: false, sources: [] },
    { ls: { product: 'aws', service: 'cloudtrail' }, known: false, sources: [] },
    { ls: { category: 'no_such_category', product: 'windows' }, known: false, sources: [] },
    { ls: { product: 'windows', service: 'no-such-service' }, known: false, sources: [] },
    { ls: { category: 'process_creation', product: 'macos' }, known: false, sources: [] },
    { ls: {}, known: false, sources: [] },
  ];
  for (const t of table) {
    it(JSON.stringify(t.ls), () => {
      const r = resolveLogsource(t.ls, builtinMapping);
      expect({ known: r.known, sources: r.sources.map(selection) }).toEqual({ known: t.known, sources: t.sources });
    });
  }

  it('resolves a logsource object again once its keys change (results are remembered per object)', () => {
    const ls: Logsource = { category: 'process_creation', product: 'windows' };
    const first = resolveLogsource(ls, builtinMapping);
    expect(resolveLogsource(ls, builtinMapping)).toBe(first);
    ls.category = 'registry_set';
    const second = resolveLogsource(ls, builtinMapping);
    expect(second).not.toBe(first);
    expect(second).toBe(resolveLogsource({ category: 'registry_set', product: 'windows' }, builtinMapping));
    expect(compileLogsourceFilter(ls, builtinMapping)({ Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 13 })).toBe(true);
    expect(compileLogsourceFilter(ls, builtinMapping)({ Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1 })).toBe(false);
  });

  it('maps every Sysmon category of the taxonomy table to its event IDs', () => {
    const expected: Record<string, number[]> = {
      process_creation: [1],
      file_change: [2],
      network_connection: [3],
      sysmon_status: [4, 16],
      process_termination: [5],
      driver_load: [6],
      image_load: [7],
      create_remote_thread: [8],
      raw_access_thread: [9],
      process_access: [10],
      file_event: [11],
      registry_event: [12, 13, 14],
      registry_add: [12],
      registry_delete: [12],
      registry_set: [13],
      registry_rename: [14],
      create_stream_hash: [15],
      pipe_created: [17, 18],
      wmi_event: [19, 20, 21],
      dns_query: [22],
      file_delete: [23],
      clipboard_capture: [24],
      process_tampering: [25],
      file_delete_detected: [26],
      file_block_executable: [27],
      file_block_shredding: [28],
      file_executable_detected: [29],
      sysmon_error: [255],
    };
    for (const [category, ids] of Object.entries(expected)) {
      const r = resolveLogsource({ category, product: 'windows' }, builtinMapping);
      expect(r.sources[0], category).toEqual({ channels: [SYSMON_CHANNEL], eventIds: ids });
    }
  });

  it('knows every Windows service used in the SigmaHQ corpus', () => {
    const services = [
      'security', 'system', 'application', 'sysmon', 'powershell', 'powershell-classic', 'taskscheduler', 'wmi',
      'windefend', 'dns-server', 'dns-server-analytic', 'dns-client', 'driver-framework', 'ntlm', 'msexchange-management',
      'applocker', 'printservice-admin', 'printservice-operational', 'codeintegrity-operational', 'smbclient-security',
      'smbclient-connectivity', 'smbserver-connectivity', 'firewall-as', 'bits-client', 'terminalservices-localsessionmanager',
      'microsoft-servicebus-client', 'ldap', 'security-mitigations', 'diagnosis-scripted', 'shell-core', 'openssh',
      'appxdeployment-server', 'appxpackaging-om', 'appmodel-runtime', 'lsa-server', 'capi2',
      'certificateservicesclient-lifecycle-system', 'iis-configuration',
    ];
    for (const service of services) expect(resolveLogsource({ product: 'windows', service }, builtinMapping).known, service).toBe(true);
  });

  it('the built-in mapping is frozen', () => {
    expect(Object.isFrozen(builtinMapping)).toBe(true);
    expect(Object.isFrozen(builtinMapping.logsources[0]?.sources)).toBe(true);
    expect(() => (builtinMapping.logsources as unknown[]).push({})).toThrow();
  });
});

describe('compileLogsourceFilter', () => {
  const sysmon = (id: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ Channel: SYSMON_CHANNEL, EventID: id, ...extra });
  const table: Array<{ name: string; ls: Logsource; event: Record<string, unknown>; lenient: boolean; strict: boolean }> = [
    { name: 'Sysmon 13 is registry_set', ls: { category: 'registry_set', product: 'windows' }, event: sysmon(13), lenient: true, strict: true },
    { name: 'EventID as a numeric string', ls: { category: 'registry_set', product: 'windows' }, event: sysmon('13'), lenient: true, strict: true },
    { name: 'channel in another case', ls: { category: 'registry_set', product: 'windows' }, event: { Channel: 'microsoft-windows-sysmon/operational', EventID: 13 }, lenient: true, strict: true },
    { name: 'Sysmon 12 is not registry_set', ls: { category: 'registry_set', product: 'windows' }, event: sysmon(12), lenient: false, strict: false },
    { name: 'Security 13 is not registry_set', ls: { category: 'registry_set', product: 'windows' }, event: { Channel: 'Security', EventID: 13 }, lenient: false, strict: false },
    { name: 'a non-numeric EventID never matches', ls: { category: 'registry_set', product: 'windows' }, event: sysmon('13a'), lenient: false, strict: false },
    { name: 'no Channel: only the EventID decides (lenient)', ls: { category: 'registry_set', product: 'windows' }, event: { EventID: 13 }, lenient: true, strict: false },
    { name: 'no fields at all (lenient passes)', ls: { category: 'registry_set', product: 'windows' }, event: { TargetObject: 'x' }, lenient: true, strict: false },
    { name: 'null Channel counts as missing', ls: { category: 'registry_set', product: 'windows' }, event: { Channel: null, EventID: 13 }, lenient: true, strict: false },
    { name: 'process_creation from Sysmon 1', ls: { category: 'process_creation', product: 'windows' }, event: sysmon(1), lenient: true, strict: true },
    { name: 'process_creation from Security 4688', ls: { category: 'process_creation', product: 'windows' }, event: { Channel: 'Security', EventID: 4688 }, lenient: true, strict: true },
    { name: 'Security 1 is not process_creation', ls: { category: 'process_creation', product: 'windows' }, event: { Channel: 'Security', EventID: 1 }, lenient: false, strict: false },
    { name: 'Sysmon 4688 is not process_creation', ls: { category: 'process_creation', product: 'windows' }, event: sysmon(4688), lenient: false, strict: false },
    { name: 'service: security takes any Security event', ls: { product: 'windows', service: 'security' }, event: { Channel: 'SECURITY', EventID: 4624 }, lenient: true, strict: true },
    { name: 'service: security rejects System', ls: { product: 'windows', service: 'security' }, event: { Channel: 'System', EventID: 4624 }, lenient: false, strict: false },
    { name: 'ps_script on PowerShell 7', ls: { category: 'ps_script', product: 'windows' }, event: { Channel: 'PowerShellCore/Operational', EventID: 4104 }, lenient: true, strict: true },
    { name: 'file_access by provider', ls: { category: 'file_access', product: 'windows' }, event: { Provider_Name: 'Microsoft-Windows-Kernel-File', EventID: 12 }, lenient: true, strict: true },
    { name: 'file_access rejects another provider', ls: { category: 'file_access', product: 'windows' }, event: { Provider_Name: 'Microsoft-Windows-Sysmon', EventID: 12 }, lenient: false, strict: false },
    { name: 'product windows alone takes everything', ls: { product: 'windows' }, event: { foo: 1 }, lenient: true, strict: true },
    { name: 'unknown logsource takes everything', ls: { category: 'proxy' }, event: { 'c-uri': '/x' }, lenient: true, strict: true },
    { name: 'linux process_creation', ls: { category: 'process_creation', product: 'linux' }, event: { Channel: 'Linux-Sysmon/Operational', EventID: 1 }, lenient: true, strict: true },
    { name: 'linux process_creation rejects Windows Sysmon', ls: { category: 'process_creation', product: 'linux' }, event: sysmon(1), lenient: false, strict: false },
  ];
  for (const t of table) {
    it(t.name, () => {
      expect(compileLogsourceFilter(t.ls, builtinMapping)(t.event)).toBe(t.lenient);
      expect(compileLogsourceFilter(t.ls, builtinMapping, { requireFields: true })(t.event)).toBe(t.strict);
    });
  }
});

describe('eventCoverage', () => {
  it('registry_set/windows: Sysmon 13 and Security 4657', () => {
    expect(eventCoverage({ category: 'registry_set', product: 'windows' }, builtinMapping)).toEqual([
      { provider: 'Sysmon', eventId: 13, title: 'RegistryEvent (Value Set)', channel: SYSMON_CHANNEL },
      { provider: 'Microsoft-Windows-Security-Auditing', eventId: 4657, title: 'A registry value was modified.', channel: 'Security' },
    ]);
  });
  it('process_creation/windows: Sysmon 1 and Security 4688', () => {
    expect(eventCoverage({ category: 'process_creation', product: 'windows' }, builtinMapping)).toEqual([
      { provider: 'Sysmon', eventId: 1, title: 'Process creation', channel: SYSMON_CHANNEL },
      { provider: 'Microsoft-Windows-Security-Auditing', eventId: 4688, title: 'A new process has been created.', channel: 'Security' },
    ]);
  });
  it('ps_script/windows: one row per channel', () => {
    expect(eventCoverage({ category: 'ps_script', product: 'windows' }, builtinMapping)).toEqual([
      { provider: 'Microsoft-Windows-PowerShell', eventId: 4104, title: 'Script block logging', channel: PS[0] },
      { provider: 'PowerShellCore', eventId: 4104, title: 'Script block logging', channel: PS[1] },
    ]);
  });
  it('wmi_event and the classic PowerShell categories have titles', () => {
    expect(eventCoverage({ category: 'wmi_event', product: 'windows' }, builtinMapping).map((r) => r.title)).toEqual([
      'WmiEvent (WmiEventFilter activity detected)',
      'WmiEvent (WmiEventConsumer activity detected)',
      'WmiEvent (WmiEventConsumerToFilter activity detected)',
    ]);
    for (const [category, id] of [['ps_classic_start', 400], ['ps_classic_provider_start', 600], ['ps_classic_script', 800]] as const) {
      const rows = eventCoverage({ category, product: 'windows' }, builtinMapping);
      expect(rows).toHaveLength(1);
      expect(rows[0]?.eventId).toBe(id);
      expect(rows[0]?.provider).toBe('PowerShell');
      expect(rows[0]?.title).not.toBe('');
    }
  });
  it('every Sysmon category row has a title', () => {
    for (const e of builtinMapping.logsources) {
      if (e.product !== 'windows' || e.category === undefined) continue;
      for (const row of eventCoverage(e, builtinMapping)) expect(row.title, `${e.category} ${row.eventId}`).not.toBe('');
    }
  });
  it('whole channels and unknown logsources give no rows', () => {
    expect(eventCoverage({ product: 'windows', service: 'security' }, builtinMapping)).toEqual([]);
    expect(eventCoverage({ category: 'webserver' }, builtinMapping)).toEqual([]);
  });
  it('an event ID without a title gets an empty title and the channel as provider', () => {
    const m: LogsourceMapping = { logsources: [{ product: 'x', service: 'y', sources: [{ channels: ['C'], eventIds: [5] }] }], events: [] };
    expect(eventCoverage({ product: 'x', service: 'y' }, m)).toEqual([{ provider: 'C', eventId: 5, title: '', channel: 'C' }]);
  });
});

describe('logsourceBuckets, eventBucketKey and LogsourceIndex', () => {
  it('buckets by lowercased channel and event ID', () => {
    expect(logsourceBuckets({ category: 'registry_set', product: 'windows' }, builtinMapping)).toEqual({
      all: false,
      keys: [
        { channel: SYSMON_CHANNEL.toLowerCase(), eventId: 13 },
        { channel: 'security', eventId: 4657 },
      ],
    });
    expect(logsourceBuckets({ category: 'process_creation', product: 'windows' }, builtinMapping)).toEqual({
      all: false,
      keys: [
        { channel: SYSMON_CHANNEL.toLowerCase(), eventId: 1 },
        { channel: 'security', eventId: 4688 },
      ],
    });
    expect(logsourceBuckets({ product: 'windows', service: 'security' }, builtinMapping)).toEqual({
      all: false,
      keys: [{ channel: 'security', eventId: null }],
    });
    expect(logsourceBuckets({ category: 'file_access', product: 'windows' }, builtinMapping)).toEqual({
      all: false,
      keys: [
        { channel: null, eventId: null },
        { channel: 'security', eventId: 4663 },
      ],
    });
    expect(logsourceBuckets({ category: 'webserver' }, builtinMapping)).toEqual({ all: true });
    expect(logsourceBuckets({ product: 'windows' }, builtinMapping)).toEqual({ all: true });
  });
  it('eventBucketKey normalizes the event side the same way', () => {
    expect(eventBucketKey({ Channel: 'Security', EventID: '4688' })).toEqual({ channel: 'security', eventId: 4688 });
    expect(eventBucketKey({ EventID: 'x' })).toEqual({ channel: null, eventId: null });
  });
  it('LogsourceIndex returns exactly the items whose filter accepts the event, in insertion order', () => {
    const logsources: Logsource[] = [
      { category: 'registry_set', product: 'windows' },
      { category: 'process_creation', product: 'windows' },
      { product: 'windows', service: 'security' },
      { category: 'webserver' },
      { category: 'registry_event', product: 'windows' },
      { category: 'file_access', product: 'windows' },
      { product: 'windows' },
    ];
    const events: Array<Record<string, unknown>> = [
      { Channel: SYSMON_CHANNEL, EventID: 13 },
      { Channel: 'Security', EventID: 4688 },
      { Channel: 'Security', EventID: 4624 },
      { EventID: 13 },
      { Channel: 'security' },
      { Provider_Name: 'Microsoft-Windows-Kernel-File', EventID: 30 },
      { foo: 'bar' },
    ];
    for (const options of [{}, { requireFields: true }]) {
      const index = new LogsourceIndex<number>(builtinMapping, options);
      logsources.forEach((ls, i) => index.add(ls, i));
      for (const ev of events) {
        const expected = logsources.flatMap((ls, i) => (compileLogsourceFilter(ls, builtinMapping, options)(ev) ? [i] : []));
        expect(index.candidates(ev), `${JSON.stringify(options)} ${JSON.stringify(ev)}`).toEqual(expected);
      }
    }
  });
});

describe('mergeMappings', () => {
  const extra: LogsourceMapping = {
    logsources: [
      { category: 'registry_set', product: 'windows', sources: [{ channels: ['Custom'], eventIds: [1] }] },
      { category: 'network_connection', product: 'windows', append: true, sources: [{ channels: ['Security'], eventIds: [5156] }] },
      { product: 'windows', service: 'myapp', sources: [{ channels: ['MyApp/Operational'] }] },
    ],
    events: [
      { channel: SYSMON_CHANNEL, eventId: 13, provider: 'Sysmon', title: 'Renamed' },
      { channel: 'MyApp/Operational', eventId: 7, provider: 'MyApp', title: 'Seven' },
    ],
  };
  const merged = mergeMappings(builtinMapping, extra);
  it('replaces the sources of an entry with the same keys', () => {
    expect(resolveLogsource({ category: 'registry_set', product: 'windows' }, merged).sources).toEqual([{ channels: ['Custom'], eventIds: [1] }]);
  });
  it('appends sources when asked', () => {
    expect(resolveLogsource({ category: 'network_connection', product: 'windows' }, merged).sources.map(selection)).toEqual([
      { channels: [SYSMON_CHANNEL], eventIds: [3] },
      { channels: ['Security'], eventIds: [5156] },
      { channels: ['Security'], eventIds: [5156] },
    ]);
  });
  it('adds new entries and keeps the rest', () => {
    expect(resolveLogsource({ product: 'windows', service: 'myapp' }, merged)).toEqual({ known: true, sources: [{ channels: ['MyApp/Operational'] }] });
    expect(resolveLogsource({ category: 'image_load', product: 'windows' }, merged)).toEqual(resolveLogsource({ category: 'image_load', product: 'windows' }, builtinMapping));
    expect(merged.logsources).toHaveLength(builtinMapping.logsources.length + 1);
    expect(merged.logsources.some((e) => 'append' in e)).toBe(false);
  });
  it('overrides and adds event titles', () => {
    expect(eventCoverage({ category: 'registry_event', product: 'windows' }, merged).map((r) => r.title)).toEqual([
      'RegistryEvent (Object create and delete)',
      'Renamed',
      'RegistryEvent (Key and Value Rename)',
      'A registry value was modified.',
    ]);
    expect(merged.events.filter((e) => e.channel === 'MyApp/Operational')).toEqual([extra.events[1]]);
  });
  it('changes neither input and is JSON-able', () => {
    expect(resolveLogsource({ category: 'registry_set', product: 'windows' }, builtinMapping).sources.map(selection)).toEqual([
      { channels: [SYSMON_CHANNEL], eventIds: [13] },
      { channels: ['Security'], eventIds: [4657], where: { OperationType: SET_VALUE_OPS } },
    ]);
    expect(extra.logsources).toHaveLength(3);
    expect(JSON.parse(JSON.stringify(merged))).toEqual(merged);
    expect(mergeMappings(merged, { logsources: [], events: [] })).toEqual(merged);
  });
  it('matches entries by case-insensitive keys', () => {
    expect(logsourceKey({ category: 'Registry_Set', product: 'Windows' })).toBe(logsourceKey({ category: 'registry_set', product: 'windows' }));
    const m = mergeMappings(builtinMapping, { logsources: [{ category: 'REGISTRY_SET', product: 'Windows', sources: [{}] }], events: [] });
    expect(m.logsources).toHaveLength(builtinMapping.logsources.length);
  });
});

/** Rules of the corpus that point at regression data present in the corpus, with their JSON events. */
function regressionRules(): Array<{ rule: string; logsource: Logsource; jsonFiles: string[] }> {
  const out: Array<{ rule: string; logsource: Logsource; jsonFiles: string[] }> = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.yml')) {
        const text = readFileSync(p, 'utf8');
        if (!text.includes('regression_tests_path')) continue;
        const doc = load(text) as { logsource: Logsource; regression_tests_path?: string };
        if (doc.regression_tests_path === undefined) continue;
        const dataDir = dirname(join(SIGMAHQ, doc.regression_tests_path));
        if (!existsSync(dataDir)) continue;
        const jsonFiles = readdirSync(dataDir)
          .filter((f) => /\.json\w*$/.test(f))
          .map((f) => join(dataDir, f));
        if (jsonFiles.length > 0) out.push({ rule: p.slice(SIGMAHQ.length + 1), logsource: doc.logsource, jsonFiles });
      }
    }
  };
  for (const d of readdirSync(SIGMAHQ)) if (d.startsWith('rules')) walk(join(SIGMAHQ, d));
  return out.sort((a, b) => a.rule.localeCompare(b.rule));
}

describe.skipIf(!HAVE_CORPUS)(
  HAVE_CORPUS
    ? 'logsource filter on SigmaHQ regression data'
    : 'logsource filter on SigmaHQ regression data (SKIPPED: ../shared/corpus is absent)',
  () => {
    const rules = HAVE_CORPUS ? regressionRules() : [];
    it('finds the rules with regression data', () => {
      expect(rules.length).toBeGreaterThanOrEqual(100);
    });
    it.each(rules.map((r) => [r.rule, r] as const))('%s', (_name, r) => {
      expect(resolveLogsource(r.logsource, builtinMapping).known).toBe(true);
      const strict = compileLogsourceFilter(r.logsource, builtinMapping, { requireFields: true });
      const unrelated = compileLogsourceFilter(
        r.logsource.category === 'process_creation' ? { category: 'registry_set', product: 'windows' } : { category: 'process_creation', product: 'windows' },
        builtinMapping,
        { requireFields: true },
      );
      let n = 0;
      for (const f of r.jsonFiles) {
        const { events, diagnostics } = readEventFileSync(f);
        expect(diagnostics).toEqual([]);
        for (const e of events) {
          n++;
          expect(strict(e.event), `${f} #${e.index}`).toBe(true);
          if (r.logsource.service === undefined) expect(unrelated(e.event), `${f} #${e.index} (unrelated)`).toBe(false);
        }
      }
      expect(n).toBeGreaterThan(0);
    });
  },
);

if (!HAVE_CORPUS) console.warn(`logsource.test: ${SIGMAHQ} not found; corpus tests skipped`);
