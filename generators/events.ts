/**
 * Whole Windows events, flat as EVTX records rendered to JSON and flattened (`EventID`,
 * `Channel`, `Provider_Name`, `Computer`, then the EventData fields): Sysmon events 1, 3, 5, 7,
 * 10, 11, 12, 13, 14, 15, 17, 18, 22, 23 and 26, Security 4624 and 4688, PowerShell 4104; a
 * weighted Sysmon mix; and `generateEvents` for bulk (benchmark) generation.
 *
 * Values are typed as evtx_dump renders them: integers as numbers, booleans as booleans, GUIDs
 * upper case without braces, hex integers (`LogonId`, `GrantedAccess`) as `0x…` strings.
 */
import fc from 'fast-check';
import { createRng, oneOf, stableHex, weighted } from './common.js';
import { invocation, powershellScript } from './command-lines.js';
import type { Invocation } from './command-lines.js';
import { sysmonMachineIds } from './guids.js';
import { sysmonHashes, stableSysmonHashes } from './hashes.js';
import { accountName, adDomainRecord, computerName, userSid } from './identity.js';
import type { AdDomain } from './identity.js';
import { ephemeralPort, hostName, ipv4, ipv6Groups, formatIpv6, portNumber, privateIpv4, publicIpv4 } from './network.js';
import { registryDetails } from './registry-details.js';
import { sysmonRegistryKey, sysmonRegistryValuePath } from './registry-keys.js';
import {
  basename,
  dllDescriptions,
  dllPath,
  documentName,
  filePath,
  imagePath,
  knownPrograms,
  programPath,
  programsByName,
  userWritableDir,
} from './windows-paths.js';

/** A flat event: field name to JSON value. */
export type GeneratedEvent = Record<string, unknown>;

export const SYSMON_CHANNEL = 'Microsoft-Windows-Sysmon/Operational';
export const SYSMON_PROVIDER = 'Microsoft-Windows-Sysmon';
export const SECURITY_CHANNEL = 'Security';
export const SECURITY_PROVIDER = 'Microsoft-Windows-Security-Auditing';
export const POWERSHELL_CHANNEL = 'Microsoft-Windows-PowerShell/Operational';
export const POWERSHELL_PROVIDER = 'Microsoft-Windows-PowerShell';

/** Start of the time window events fall in (UTC), and its length. */
export const EVENT_TIME_START = Date.UTC(2026, 0, 1);
export const EVENT_TIME_SPAN_MS = 31 * 24 * 3600 * 1000;

/** Sysmon's `UtcTime`: `2026-01-02 03:04:05.678`. */
export function formatUtcTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/** EVTX `TimeCreated_SystemTime` as evtx_dump writes it: ISO-8601 with 6 fractional digits. */
export function formatSystemTime(ms: number, micros: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 23)}${String(micros % 1000).padStart(3, '0')}Z`;
}

function hex(n: number, width: number): string {
  return n.toString(16).toUpperCase().padStart(width, '0');
}

/** A Sysmon process GUID as evtx_dump renders it: `0197231E-61EF-693A-C812-000000000800`. */
function processGuid(machine: string, time: number, counter: number): string {
  const t = hex(time >>> 0, 8);
  return `${machine}-${t.slice(0, 4)}-${t.slice(4)}-${hex(counter & 0xffff, 4)}-00000000${hex((counter >>> 16) & 0xff, 2)}00`;
}

/** A Sysmon logon GUID: the logon ID sits little-endian in the last 8 bytes. */
function logonGuid(machine: string, time: number, logonIdValue: number): string {
  const t = hex(time >>> 0, 8);
  const b = [0, 1, 2, 3].map((i) => hex((logonIdValue >>> (8 * i)) & 0xff, 2));
  return `${machine}-${t.slice(0, 4)}-${t.slice(4)}-${b[0]}${b[1]}-${b[2]}${b[3]}00000000`;
}

/** The computer an event comes from, and its domain. */
interface Host {
  readonly computer: string;
  readonly domain: AdDomain;
  readonly machine: string;
}

const host: fc.Arbitrary<Host> = fc
  .tuple(computerName, adDomainRecord, oneOf(sysmonMachineIds))
  .map(([c, domain, m]) => ({ computer: `${c}.${domain.dns}`, domain, machine: m.toUpperCase() }));

/** Who a process runs as. */
interface Session {
  readonly user: string;
  readonly logonId: number;
  readonly integrity: 'Low' | 'Medium' | 'High' | 'System';
  readonly terminalSessionId: number;
}

/** Kinds of session: SYSTEM, user (medium / high / low), LOCAL SERVICE, NETWORK SERVICE. */
const sessionSeed = fc.tuple(
  fc.constantFrom(0, 0, 0, 0, 1, 1, 1, 2, 3, 4, 5),
  accountName,
  fc.noBias(fc.integer({ min: 0x10000, max: 0xfffffff })),
  fc.constantFrom(1, 1, 1, 2),
);

function session(h: Host, [kind, account, id, ts]: [number, string, number, number]): Session {
  switch (kind) {
    case 0: return { user: 'NT AUTHORITY\\SYSTEM', logonId: 0x3e7, integrity: 'System', terminalSessionId: 0 };
    case 3: return { user: 'NT AUTHORITY\\LOCAL SERVICE', logonId: 0x3e5, integrity: 'System', terminalSessionId: 0 };
    case 4: return { user: 'NT AUTHORITY\\NETWORK SERVICE', logonId: 0x3e4, integrity: 'System', terminalSessionId: 0 };
    case 2: return { user: `${h.domain.netbios}\\${account}`, logonId: id, integrity: 'High', terminalSessionId: ts };
    case 5: return { user: `${h.domain.netbios}\\${account}`, logonId: id, integrity: 'Low', terminalSessionId: ts };
    default: return { user: `${h.domain.netbios}\\${account}`, logonId: id, integrity: 'Medium', terminalSessionId: ts };
  }
}

/** What every event starts with: host, session, time and process identity (formatted once). */
interface Base {
  readonly h: Host;
  readonly s: Session;
  readonly time: number;
  readonly micros: number;
  readonly pid: number;
  readonly guidCounter: number;
  readonly startTime: number;
  readonly utcTime: string;
  readonly systemTime: string;
  readonly processGuid: string;
  readonly logonGuid: string;
  readonly logonIdHex: string;
}

const baseArb: fc.Arbitrary<Base> = fc
  .tuple(
    host,
    sessionSeed,
    fc.noBias(fc.integer({ min: 0, max: EVENT_TIME_SPAN_MS - 1 })),
    fc.noBias(fc.integer({ min: 0, max: 999 })),
    fc.noBias(fc.integer({ min: 1, max: 16383 })),
    fc.noBias(fc.integer({ min: 0, max: 0xffffff })),
    fc.noBias(fc.integer({ min: 0, max: 3 * 24 * 3600 })),
  )
  .map(([h, ss, t, micros, pid, counter, age]): Base => {
    const time = EVENT_TIME_START + t;
    const s = session(h, ss);
    const startTime = Math.floor(time / 1000) - age;
    return {
      h,
      s,
      time,
      micros,
      pid: pid * 4,
      guidCounter: counter,
      startTime,
      utcTime: formatUtcTime(time),
      systemTime: formatSystemTime(time, micros),
      processGuid: processGuid(h.machine, startTime, counter),
      logonGuid: logonGuid(h.machine, startTime - 3600, s.logonId),
      logonIdHex: `0x${s.logonId.toString(16)}`,
    };
  });

/** A process or thread ID (Windows IDs are multiples of 4; multiplied where used). */
const pid4 = fc.noBias(fc.integer({ min: 1, max: 16383 }));

function sysmonHeader(eventId: number, b: Base): GeneratedEvent {
  return {
    EventID: eventId,
    Provider_Name: SYSMON_PROVIDER,
    Channel: SYSMON_CHANNEL,
    Computer: b.h.computer,
    TimeCreated_SystemTime: b.systemTime,
    RuleName: '-',
    UtcTime: b.utcTime,
  };
}

function procGuid(b: Base): string {
  return b.processGuid;
}

/** Stable `Hashes` per known program (computed once). */
const programHashes = new Map(knownPrograms.map((p) => [p, stableSysmonHashes(`${p.name.toLowerCase()}|${p.fileVersion}`)]));

/** Parent images of process creations (repeats weight them), and their usual arguments. */
const parentNames = [
  'explorer.exe', 'explorer.exe', 'svchost.exe', 'svchost.exe', 'services.exe', 'cmd.exe', 'powershell.exe', 'userinit.exe',
  'taskhostw.exe', 'WmiPrvSE.exe', 'chrome.exe', 'msiexec.exe', 'winlogon.exe',
] as const;
const parentArgs: Readonly<Record<string, string>> = {
  'svchost.exe': ' -k netsvcs -p -s Schedule',
  'services.exe': '',
  'cmd.exe': ' /c',
  'powershell.exe': ' -NoProfile',
  'taskhostw.exe': '',
  'wmiprvse.exe': ' -secured -Embedding',
  'chrome.exe': '',
  'msiexec.exe': ' /V',
  'explorer.exe': '',
  'userinit.exe': '',
  'winlogon.exe': '',
};

/**
 * An event kind as parts and a plain build function. The arbitrary is `tuple(parts).map(build)`;
 * `generateEvents` instead samples every part into a seeded pool once and builds events from
 * random pool entries, with the same `build`.
 */
export interface EventRecipe {
  readonly eventId: number;
  readonly parts: readonly fc.Arbitrary<unknown>[];
  readonly build: (parts: readonly unknown[]) => GeneratedEvent;
  readonly arbitrary: fc.Arbitrary<GeneratedEvent>;
}

function recipe<Ts extends unknown[]>(
  eventId: number,
  parts: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> },
  build: (...values: Ts) => GeneratedEvent,
): EventRecipe {
  return {
    eventId,
    parts: parts as readonly fc.Arbitrary<unknown>[],
    build: (values) => build(...(values as Ts)),
    arbitrary: fc.tuple(...parts).map((values) => build(...(values as Ts))),
  };
}

/** Sysmon 1: process creation. */
const processCreation = recipe(
  1,
  [baseArb, invocation, oneOf(parentNames), pid4, sysmonHashes, fc.integer({ min: 0, max: 9 }), fc.constantFrom('C:\\Windows\\system32\\', 'C:\\Windows\\System32\\')],
  (b: Base, inv: Invocation, parentName: string, ppid: number, randomHashes: string, r: number, sysDir: string) => {
    const parent = programsByName.get(parentName.toLowerCase());
    const account = b.s.user.slice(b.s.user.indexOf('\\') + 1);
    const parentImage = parent === undefined ? `C:\\Windows\\System32\\${parentName}` : programPath(parent, account);
    const cwd = b.s.integrity === 'System' || r < 4 ? sysDir : `C:\\Users\\${account}\\`;
    const e = sysmonHeader(1, b);
    e['ProcessGuid'] = procGuid(b);
    e['ProcessId'] = b.pid;
    e['Image'] = inv.image;
    e['FileVersion'] = inv.program.fileVersion;
    e['Description'] = inv.program.description;
    e['Product'] = inv.program.product;
    e['Company'] = inv.program.company;
    e['OriginalFileName'] = inv.program.originalFileName;
    e['CommandLine'] = inv.commandLine;
    e['CurrentDirectory'] = cwd;
    e['User'] = b.s.user;
    e['LogonGuid'] = b.logonGuid;
    e['LogonId'] = b.logonIdHex;
    e['TerminalSessionId'] = b.s.terminalSessionId;
    e['IntegrityLevel'] = b.s.integrity;
    e['Hashes'] = r === 0 ? randomHashes : (programHashes.get(inv.program) ?? randomHashes);
    e['ParentProcessGuid'] = processGuid(b.h.machine, b.startTime - 60 * (r + 1), b.guidCounter ^ 0x5a5a);
    e['ParentProcessId'] = ppid * 4;
    e['ParentImage'] = parentImage;
    e['ParentCommandLine'] = parentName === 'explorer.exe' ? 'C:\\Windows\\Explorer.EXE' : `"${parentImage}"${parentArgs[parentName.toLowerCase()] ?? ''}`;
    e['ParentUser'] = parentName === 'services.exe' || parentName === 'winlogon.exe' ? 'NT AUTHORITY\\SYSTEM' : b.s.user;
    return e;
  });

/** Port names Sysmon resolves. */
const portNames: Readonly<Record<number, string>> = {
  53: 'domain', 80: 'http', 88: 'kerberos', 123: 'ntp', 135: 'epmap', 137: 'netbios-ns', 138: 'netbios-dgm', 139: 'netbios-ssn',
  389: 'ldap', 443: 'https', 445: 'microsoft-ds', 636: 'ldaps', 3268: 'msft-gc', 3389: 'ms-wbt-server', 5985: 'wsman', 22: 'ssh',
  25: 'smtp', 587: 'submission', 993: 'imaps', 1433: 'ms-sql-s', 8080: 'http-alt',
};

/** Sysmon 3: network connection. */
const networkConnection = recipe(
  3,
  [baseArb, imagePath, fc.integer({ min: 0, max: 19 }), privateIpv4, weighted<string>([6, publicIpv4], [4, ipv4]), ephemeralPort, portNumber, weighted<string>([1, hostName], [1, fc.constant('-')]), ipv6Groups, ipv6Groups],
  (b: Base, image: string, r: number, srcIp: string, dstIp: string, srcPort: number, dstPort: number, dstHost: string, g1: number[], g2: number[]) => {
    const v6 = r === 0;
    const e = sysmonHeader(3, b);
    e['ProcessGuid'] = procGuid(b);
    e['ProcessId'] = b.pid;
    e['Image'] = image;
    e['User'] = b.s.user;
    e['Protocol'] = r < 16 ? 'tcp' : 'udp';
    e['Initiated'] = r !== 3;
    e['SourceIsIpv6'] = v6;
    e['SourceIp'] = v6 ? formatIpv6(g1, 'sysmon') : srcIp;
    e['SourceHostname'] = r < 12 ? b.h.computer : '-';
    e['SourcePort'] = srcPort;
    e['SourcePortName'] = '-';
    e['DestinationIsIpv6'] = v6;
    e['DestinationIp'] = v6 ? formatIpv6(g2, 'sysmon') : dstIp;
    e['DestinationHostname'] = dstHost;
    e['DestinationPort'] = dstPort;
    e['DestinationPortName'] = portNames[dstPort] ?? '-';
    return e;
  });

/** Sysmon 5: process terminated. */
const processTerminated = recipe(5, [baseArb, imagePath], (b: Base, image: string) => {
  const e = sysmonHeader(5, b);
  e['ProcessGuid'] = procGuid(b);
  e['ProcessId'] = b.pid;
  e['Image'] = image;
  e['User'] = b.s.user;
  return e;
});

/** Sysmon 7: image loaded. */
const imageLoad = recipe(
  7,
  [baseArb, imagePath, dllPath, sysmonHashes, fc.integer({ min: 0, max: 19 })],
  (b: Base, image: string, dll: string, hashes: string, r: number) => {
    const name = basename(dll);
    const isWindows = /^C:\\Windows\\/i.test(dll);
    const e = sysmonHeader(7, b);
    e['ProcessGuid'] = procGuid(b);
    e['ProcessId'] = b.pid;
    e['Image'] = image;
    e['ImageLoaded'] = dll;
    e['FileVersion'] = isWindows ? '10.0.19041.5198 (WinBuild.160101.0800)' : '-';
    e['Description'] = isWindows ? (dllDescriptions[name.toLowerCase()] ?? name) : '-';
    e['Product'] = isWindows ? 'Microsoft® Windows® Operating System' : '-';
    e['Company'] = isWindows ? 'Microsoft Corporation' : '-';
    e['OriginalFileName'] = isWindows ? name : '-';
    e['Hashes'] = isWindows ? stableSysmonHashes(name.toLowerCase()) : hashes;
    e['Signed'] = isWindows || r < 12 ? 'true' : 'false';
    e['Signature'] = isWindows ? 'Microsoft Windows' : r < 12 ? 'Microsoft Corporation' : '-';
    e['SignatureStatus'] = isWindows || r < 12 ? 'Valid' : 'Unavailable';
    e['User'] = b.s.user;
    return e;
  });

const callTraceModules = [
  'C:\\Windows\\SYSTEM32\\ntdll.dll', 'C:\\Windows\\System32\\KERNELBASE.dll', 'C:\\Windows\\System32\\KERNEL32.DLL',
  'C:\\Windows\\System32\\RPCRT4.dll', 'C:\\Windows\\System32\\combase.dll', 'C:\\Windows\\system32\\wbem\\wbemcomn.dll',
  'C:\\Windows\\System32\\sechost.dll',
] as const;
const accessTargets = ['lsass.exe', 'svchost.exe', 'csrss.exe', 'explorer.exe', 'chrome.exe', 'msedge.exe', 'services.exe', 'winlogon.exe'] as const;

/** Sysmon 10: process accessed. */
const processAccess = recipe(
  10,
  [
    baseArb,
    imagePath,
    oneOf(accessTargets),
    fc.constantFrom('0x1000', '0x1400', '0x1410', '0x1010', '0x1fffff', '0x101000', '0x40', '0x100000', '0x3000', '0x101541'),
    fc.array(fc.tuple(fc.integer({ min: 0, max: callTraceModules.length - 1 }), fc.noBias(fc.integer({ min: 0x1000, max: 0xfffff }))), { minLength: 2, maxLength: 5 }),
    pid4,
    pid4,
  ],
  (b: Base, source: string, targetName: string, access: string, frames: [number, number][], tpid: number, tid: number) => {
    const target = programsByName.get(targetName);
    const targetImage = target === undefined ? `C:\\Windows\\system32\\${targetName}` : programPath(target, 'Public');
    const e = sysmonHeader(10, b);
    e['SourceProcessGUID'] = procGuid(b);
    e['SourceProcessId'] = b.pid;
    e['SourceThreadId'] = tid * 4;
    e['SourceImage'] = source;
    e['TargetProcessGUID'] = processGuid(b.h.machine, b.startTime - 86400, b.guidCounter ^ 0x3c3c);
    e['TargetProcessId'] = tpid * 4;
    e['TargetImage'] = targetImage;
    e['GrantedAccess'] = access;
    e['CallTrace'] = frames.map(([m, off]) => `${callTraceModules[m] ?? 'C:\\Windows\\SYSTEM32\\ntdll.dll'}+${off.toString(16)}`).join('|');
    e['SourceUser'] = b.s.user;
    e['TargetUser'] = targetName === 'chrome.exe' || targetName === 'msedge.exe' || targetName === 'explorer.exe' ? b.s.user : 'NT AUTHORITY\\SYSTEM';
    return e;
  });

/** Sysmon 11: file created. */
const fileCreate = recipe(
  11,
  [baseArb, imagePath, filePath, fc.noBias(fc.integer({ min: 0, max: 30 * 86400 * 1000 }))],
  (b: Base, image: string, target: string, age: number) => {
    const e = sysmonHeader(11, b);
    e['ProcessGuid'] = procGuid(b);
    e['ProcessId'] = b.pid;
    e['Image'] = image;
    e['TargetFilename'] = target;
    e['CreationUtcTime'] = formatUtcTime(age % 3 === 0 ? b.time - age : b.time);
    e['User'] = b.s.user;
    return e;
  });

function registryHeader(eventId: number, eventType: string, b: Base, image: string, targetObject: string): GeneratedEvent {
  const e = sysmonHeader(eventId, b);
  e['EventType'] = eventType;
  e['ProcessGuid'] = procGuid(b);
  e['ProcessId'] = b.pid;
  e['Image'] = image;
  e['TargetObject'] = targetObject;
  return e;
}

/** Sysmon 12: registry key or value created / deleted (`CreateKey`, `DeleteKey`, `DeleteValue`). */
const registryAddDelete = recipe(
  12,
  [baseArb, imagePath, fc.constantFrom('CreateKey', 'CreateKey', 'CreateKey', 'DeleteKey', 'DeleteValue'), sysmonRegistryKey, sysmonRegistryValuePath],
  (b: Base, image: string, type: string, key: string, valuePath: string) => {
    const e = registryHeader(12, type, b, image, type === 'DeleteValue' ? valuePath : key);
    e['User'] = b.s.user;
    return e;
  });

/** Sysmon 13: registry value set (`SetValue`, with `Details`). */
const registrySet = recipe(
  13,
  [baseArb, imagePath, sysmonRegistryValuePath, registryDetails],
  (b: Base, image: string, target: string, details: string) => {
    const e = registryHeader(13, 'SetValue', b, image, target);
    e['Details'] = details;
    e['User'] = b.s.user;
    return e;
  });

/** Sysmon 14: registry key renamed (`RenameKey`, with `NewName`). */
const registryRename = recipe(
  14,
  [baseArb, imagePath, sysmonRegistryKey, fc.constantFrom('New Key #1', 'Old', 'bak', 'Backup', 'tmp')],
  (b: Base, image: string, key: string, newLeaf: string) => {
    const e = registryHeader(14, 'RenameKey', b, image, key);
    e['NewName'] = `${key.slice(0, key.lastIndexOf('\\'))}\\${newLeaf}`;
    e['User'] = b.s.user;
    return e;
  });

/** Sysmon 15: alternate data stream created (Zone.Identifier mostly). */
const fileCreateStreamHash = recipe(
  15,
  [baseArb, imagePath, userWritableDir, documentName, hostName, fc.constantFrom(3, 3, 3, 2, 4), fc.noBias(fc.integer({ min: 0, max: 0x7fffffff }))],
  (b: Base, image: string, dir: string, file: string, site: string, zone: number, n: number) => {
    const e = sysmonHeader(15, b);
    e['ProcessGuid'] = procGuid(b);
    e['ProcessId'] = b.pid;
    e['Image'] = image;
    e['TargetFilename'] = `${dir}\\${file}:Zone.Identifier`;
    e['CreationUtcTime'] = formatUtcTime(b.time);
    e['Hash'] = `SHA256=${stableHex(`zone${zone}${site}`, 64, true)}`;
    e['Contents'] = `[ZoneTransfer]  ZoneId=${zone}  ReferrerUrl=https://${site}/  HostUrl=https://${site}/download/${n.toString(36)}/${file}  `;
    e['User'] = b.s.user;
    return e;
  });

/** Named pipes seen in benign logs. */
const pipeName: fc.Arbitrary<string> = weighted<string>(
  [4, fc.tuple(fc.noBias(fc.integer({ min: 0, max: 0x7fffffff })), fc.noBias(fc.integer({ min: 100, max: 20000 }))).map(([n, pid]) => `\\PSHost.13413${String(n).padStart(13, '0')}.${pid}.DefaultAppDomain.powershell`)],
  [4, fc.tuple(fc.noBias(fc.integer({ min: 100, max: 20000 })), fc.noBias(fc.integer({ min: 0, max: 0x7fffffff }))).map(([pid, n]) => `\\mojo.${pid}.${pid + 12}.${n}`)],
  [2, fc.noBias(fc.integer({ min: 100, max: 20000 })).map((pid) => `\\chrome.sync.${pid}.${pid * 3}.${pid % 97}`)],
  [3, fc.constantFrom('\\srvsvc', '\\wkssvc', '\\lsass', '\\ntsvcs', '\\scerpc', '\\eventlog', '\\spoolss', '\\winreg', '\\InitShutdown', '<Anonymous Pipe>')],
  [1, fc.noBias(fc.integer({ min: 0, max: 0xfff })).map((n) => `\\Winsock2\\CatalogChangeListener-${n.toString(16)}-0`)],
);

/** Sysmon 17 / 18: pipe created / connected. */
function pipeEvent(eventId: 17 | 18): EventRecipe {
  return recipe(eventId, [baseArb, imagePath, pipeName], (b: Base, image: string, pipe: string) => {
    const e = sysmonHeader(eventId, b);
    e['EventType'] = eventId === 17 ? 'CreatePipe' : 'ConnectPipe';
    e['ProcessGuid'] = procGuid(b);
    e['ProcessId'] = b.pid;
    e['PipeName'] = pipe;
    e['Image'] = image;
    e['User'] = b.s.user;
    return e;
  });
}
const pipeCreated = pipeEvent(17);
const pipeConnected = pipeEvent(18);

/** Sysmon 22: DNS query. */
const dnsQuery = recipe(
  22,
  [baseArb, imagePath, hostName, fc.array(publicIpv4, { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 19 }), hostName],
  (b: Base, image: string, query: string, ips: string[], r: number, cname: string) => {
    const e = sysmonHeader(22, b);
    e['ProcessGuid'] = procGuid(b);
    e['ProcessId'] = b.pid;
    e['QueryName'] = query;
    if (r === 0) {
      e['QueryStatus'] = '9003';
      e['QueryResults'] = '-';
    } else if (r === 1) {
      e['QueryStatus'] = '1460';
      e['QueryResults'] = '-';
    } else {
      e['QueryStatus'] = '0';
      e['QueryResults'] = `${r < 6 ? `type:  5 ${cname};` : ''}${ips.map((ip) => `::ffff:${ip};`).join('')}`;
    }
    e['Image'] = image;
    e['User'] = b.s.user;
    return e;
  });

/** Sysmon 23 (archived) / 26 (detected only): file deleted. */
function fileDeleteEvent(eventId: 23 | 26): EventRecipe {
  return recipe(eventId, [baseArb, imagePath, filePath, sysmonHashes], (b: Base, image: string, target: string, hashes: string) => {
    const e = sysmonHeader(eventId, b);
    e['ProcessGuid'] = procGuid(b);
    e['ProcessId'] = b.pid;
    e['User'] = b.s.user;
    e['Image'] = image;
    e['TargetFilename'] = target;
    e['Hashes'] = hashes;
    e['IsExecutable'] = /\.(exe|dll|sys|scr)$/i.test(target);
    if (eventId === 23) e['Archived'] = true;
    return e;
  });
}
const fileDelete = fileDeleteEvent(23);
const fileDeleteDetected = fileDeleteEvent(26);

/** Sysmon 1: process creation. */
export const sysmonProcessCreation: fc.Arbitrary<GeneratedEvent> = processCreation.arbitrary;
/** Sysmon 3: network connection. */
export const sysmonNetworkConnection: fc.Arbitrary<GeneratedEvent> = networkConnection.arbitrary;
/** Sysmon 5: process terminated. */
export const sysmonProcessTerminated: fc.Arbitrary<GeneratedEvent> = processTerminated.arbitrary;
/** Sysmon 7: image loaded. */
export const sysmonImageLoad: fc.Arbitrary<GeneratedEvent> = imageLoad.arbitrary;
/** Sysmon 10: process accessed. */
export const sysmonProcessAccess: fc.Arbitrary<GeneratedEvent> = processAccess.arbitrary;
/** Sysmon 11: file created. */
export const sysmonFileCreate: fc.Arbitrary<GeneratedEvent> = fileCreate.arbitrary;
/** Sysmon 12: registry key / value created or deleted. */
export const sysmonRegistryAddDelete: fc.Arbitrary<GeneratedEvent> = registryAddDelete.arbitrary;
/** Sysmon 13: registry value set. */
export const sysmonRegistrySet: fc.Arbitrary<GeneratedEvent> = registrySet.arbitrary;
/** Sysmon 14: registry key renamed. */
export const sysmonRegistryRename: fc.Arbitrary<GeneratedEvent> = registryRename.arbitrary;
/** Sysmon 15: file stream created. */
export const sysmonFileCreateStreamHash: fc.Arbitrary<GeneratedEvent> = fileCreateStreamHash.arbitrary;
/** Sysmon 17: pipe created. */
export const sysmonPipeCreated: fc.Arbitrary<GeneratedEvent> = pipeCreated.arbitrary;
/** Sysmon 18: pipe connected. */
export const sysmonPipeConnected: fc.Arbitrary<GeneratedEvent> = pipeConnected.arbitrary;
/** Sysmon 22: DNS query. */
export const sysmonDnsQuery: fc.Arbitrary<GeneratedEvent> = dnsQuery.arbitrary;
/** Sysmon 23: file deleted (archived). */
export const sysmonFileDelete: fc.Arbitrary<GeneratedEvent> = fileDelete.arbitrary;
/** Sysmon 26: file delete detected. */
export const sysmonFileDeleteDetected: fc.Arbitrary<GeneratedEvent> = fileDeleteDetected.arbitrary;

const sysmonRecipes: readonly EventRecipe[] = [
  processCreation, networkConnection, processTerminated, imageLoad, processAccess, fileCreate, registryAddDelete,
  registrySet, registryRename, fileCreateStreamHash, pipeCreated, pipeConnected, dnsQuery, fileDelete, fileDeleteDetected,
];

/** The Sysmon event arbitraries by EventID. */
export const sysmonEventsById: ReadonlyMap<number, fc.Arbitrary<GeneratedEvent>> = new Map(sysmonRecipes.map((r) => [r.eventId, r.arbitrary]));

/** Relative frequencies of Sysmon EventIDs, roughly as in real endpoint logs. */
export const sysmonEventWeights: Readonly<Record<number, number>> = {
  1: 10, 3: 14, 5: 8, 7: 20, 10: 9, 11: 10, 12: 6, 13: 11, 14: 1, 15: 1, 17: 2, 18: 2, 22: 10, 23: 1, 26: 1,
};

function weightedMix(weights: Readonly<Record<number, number>>, byId: ReadonlyMap<number, fc.Arbitrary<GeneratedEvent>>): fc.Arbitrary<GeneratedEvent> {
  const entries = Object.entries(weights).map(([id, weight]) => {
    const arbitrary = byId.get(Number(id));
    if (arbitrary === undefined) throw new Error(`no generator for EventID ${id}`);
    return { weight, arbitrary };
  });
  return fc.oneof(...entries);
}

/** A Sysmon event of any supported EventID, weighted like real logs. */
export const sysmonEvent: fc.Arbitrary<GeneratedEvent> = weightedMix(sysmonEventWeights, sysmonEventsById);

function securityHeader(eventId: number, b: Base): GeneratedEvent {
  return {
    EventID: eventId,
    Provider_Name: SECURITY_PROVIDER,
    Channel: SECURITY_CHANNEL,
    Computer: b.h.computer,
    TimeCreated_SystemTime: b.systemTime,
  };
}

/** Security 4624: an account was successfully logged on. */
const logon = recipe(
  4624,
  [baseArb, fc.constantFrom(2, 3, 3, 3, 5, 5, 7, 10, 11), userSid, accountName, weighted<string>([3, privateIpv4], [1, fc.constant('-')], [1, fc.constant('127.0.0.1')]), ephemeralPort, computerName],
  (b: Base, logonType: number, targetSid: string, account: string, ip: string, ipPort: number, workstation: string) => {
    const service = logonType === 5;
    const network = logonType === 3;
    const e = securityHeader(4624, b);
    e['SubjectUserSid'] = network ? 'S-1-0-0' : 'S-1-5-18';
    e['SubjectUserName'] = network ? '-' : `${b.h.computer.slice(0, b.h.computer.indexOf('.'))}$`;
    e['SubjectDomainName'] = network ? '-' : b.h.domain.netbios;
    e['SubjectLogonId'] = network ? '0x0' : '0x3e7';
    e['TargetUserSid'] = service ? 'S-1-5-18' : targetSid;
    e['TargetUserName'] = service ? 'SYSTEM' : account;
    e['TargetDomainName'] = service ? 'NT AUTHORITY' : b.h.domain.netbios;
    e['TargetLogonId'] = b.logonIdHex;
    e['LogonType'] = logonType;
    e['LogonProcessName'] = network ? 'NtLmSsp ' : service ? 'Advapi  ' : 'User32 ';
    e['AuthenticationPackageName'] = network ? 'NTLM' : 'Negotiate';
    e['WorkstationName'] = network || logonType === 10 ? workstation : '-';
    e['LogonGuid'] = '00000000-0000-0000-0000-000000000000';
    e['TransmittedServices'] = '-';
    e['LmPackageName'] = network ? 'NTLM V2' : '-';
    e['KeyLength'] = network ? 128 : 0;
    e['ProcessId'] = network ? '0x0' : `0x${b.pid.toString(16)}`;
    e['ProcessName'] = network ? '-' : service ? 'C:\\Windows\\System32\\services.exe' : 'C:\\Windows\\System32\\svchost.exe';
    e['IpAddress'] = service ? '-' : ip;
    e['IpPort'] = service || ip === '-' ? '-' : String(ipPort);
    e['ImpersonationLevel'] = '%%1833';
    e['RestrictedAdminMode'] = logonType === 10 ? '%%1843' : '-';
    e['TargetOutboundUserName'] = '-';
    e['TargetOutboundDomainName'] = '-';
    e['VirtualAccount'] = '%%1843';
    e['TargetLinkedLogonId'] = '0x0';
    e['ElevatedToken'] = service ? '%%1842' : '%%1843';
    return e;
  });

/** Security 4688: a new process has been created (with command-line auditing on). */
const newProcess = recipe(
  4688,
  [baseArb, invocation, oneOf(parentNames), pid4, userSid],
  (b: Base, inv: Invocation, parentName: string, ppid: number, subjectSid: string) => {
    const system = b.s.integrity === 'System';
    const parent = programsByName.get(parentName.toLowerCase());
    const e = securityHeader(4688, b);
    e['SubjectUserSid'] = system ? 'S-1-5-18' : subjectSid;
    e['SubjectUserName'] = system ? `${b.h.computer.slice(0, b.h.computer.indexOf('.'))}$` : b.s.user.slice(b.s.user.indexOf('\\') + 1);
    e['SubjectDomainName'] = b.h.domain.netbios;
    e['SubjectLogonId'] = b.logonIdHex;
    e['NewProcessId'] = `0x${b.pid.toString(16)}`;
    e['NewProcessName'] = inv.image;
    e['TokenElevationType'] = b.s.integrity === 'High' ? '%%1937' : system ? '%%1936' : '%%1938';
    e['ProcessId'] = `0x${(ppid * 4).toString(16)}`;
    e['CommandLine'] = inv.commandLine;
    e['TargetUserSid'] = 'S-1-0-0';
    e['TargetUserName'] = '-';
    e['TargetDomainName'] = '-';
    e['TargetLogonId'] = '0x0';
    e['ParentProcessName'] = parent === undefined ? `C:\\Windows\\System32\\${parentName}` : programPath(parent, 'Public', 1);
    e['MandatoryLabel'] = { Low: 'S-1-16-4096', Medium: 'S-1-16-8192', High: 'S-1-16-12288', System: 'S-1-16-16384' }[b.s.integrity];
    return e;
  });

/** PowerShell 4104: script block logging. */
const scriptBlock = recipe(
  4104,
  [baseArb, powershellScript, fc.noBias(fc.integer({ min: 0, max: 0x7fffffff })), fc.integer({ min: 0, max: 3 }), userWritableDir],
  (b: Base, script: string, n: number, p: number, dir: string) => {
    const e: GeneratedEvent = {
      EventID: 4104,
      Provider_Name: POWERSHELL_PROVIDER,
      Channel: POWERSHELL_CHANNEL,
      Computer: b.h.computer,
      TimeCreated_SystemTime: b.systemTime,
      MessageNumber: 1,
      MessageTotal: 1,
      ScriptBlockText: script,
      ScriptBlockId: `${hex(n, 8)}-${hex(b.guidCounter & 0xffff, 4)}-4${hex(b.pid & 0xfff, 3)}-A${hex(b.micros, 3)}-${hex(b.time % 0xffffffffffff, 12)}`,
      Path: p === 0 ? `${dir}\\${basename(dir).toLowerCase()}.ps1` : '',
    };
    return e;
  });

/** Security 4624: an account was successfully logged on. */
export const securityLogon: fc.Arbitrary<GeneratedEvent> = logon.arbitrary;
/** Security 4688: a new process has been created. */
export const securityProcessCreation: fc.Arbitrary<GeneratedEvent> = newProcess.arbitrary;
/** PowerShell 4104: script block logged. */
export const powershellScriptBlock: fc.Arbitrary<GeneratedEvent> = scriptBlock.arbitrary;

/** Every event kind by EventID. */
export const eventRecipes: ReadonlyMap<number, EventRecipe> = new Map(
  [...sysmonRecipes, logon, newProcess, scriptBlock].map((r) => [r.eventId, r]),
);

/** Relative frequencies of all supported events (Sysmon by EventID, plus Security and PowerShell). */
export const windowsEventWeights: Readonly<Record<number, number>> = {
  ...sysmonEventWeights,
  4624: 4,
  4688: 4,
  4104: 2,
};

/** Every supported event arbitrary by EventID. */
export const windowsEventsById: ReadonlyMap<number, fc.Arbitrary<GeneratedEvent>> = new Map(
  [...eventRecipes].map(([id, r]) => [id, r.arbitrary]),
);

/** Any supported Windows event: mostly Sysmon, some Security and PowerShell. */
export const windowsEvent: fc.Arbitrary<GeneratedEvent> = weightedMix(windowsEventWeights, windowsEventsById);

/** Options of `generateEvents`. */
export interface GenerateEventsOptions {
  /** Relative frequency per EventID (default `windowsEventWeights`; `sysmonEventWeights` for Sysmon only). */
  readonly weights?: Readonly<Record<number, number>>;
  /** Distinct values drawn per part (default `min(count, 2048)`): more gives more variety, costs more up front. */
  readonly poolSize?: number;
  /** Milliseconds between consecutive events on average (default 40); times start at `EVENT_TIME_START`. */
  readonly meanGapMs?: number;
}

/** Global index of every distinct part arbitrary, so that each pool's seed does not depend on draw order. */
const partIndex = new Map<fc.Arbitrary<unknown>, number>();
for (const r of eventRecipes.values()) for (const part of r.parts) if (!partIndex.has(part)) partIndex.set(part, partIndex.size);

/**
 * `count` events, deterministic in `seed`, for benchmarks. Each part of each event kind (the
 * process context, the image, the command line, the registry path...) is drawn once into a pool
 * of `poolSize` values with fast-check (unbiased, seeded from `seed` and the part), then every
 * event picks its EventID by `weights` and one pool entry per part with a seeded PRNG, and is
 * built by the same function as the kind's arbitrary. Event times increase from
 * `EVENT_TIME_START` (`UtcTime` and `TimeCreated_SystemTime` are rewritten accordingly).
 * Returns fresh objects; pooled strings are shared between events.
 */
export function generateEvents(count: number, seed: number, options: GenerateEventsOptions = {}): GeneratedEvent[] {
  if (!Number.isInteger(count) || count < 0) throw new Error(`generateEvents: count must be a non-negative integer, got ${count}`);
  const weights = options.weights ?? windowsEventWeights;
  const kinds: EventRecipe[] = [];
  const cumulative: number[] = [];
  let total = 0;
  for (const [id, w] of Object.entries(weights)) {
    const r = eventRecipes.get(Number(id));
    if (r === undefined) throw new Error(`generateEvents: no generator for EventID ${id}`);
    if (!(w > 0)) continue;
    total += w;
    kinds.push(r);
    cumulative.push(total);
  }
  if (kinds.length === 0 && count > 0) throw new Error('generateEvents: no EventID with a positive weight');
  const poolSize = Math.max(1, Math.floor(options.poolSize ?? Math.min(count, 2048)));
  const meanGap = options.meanGapMs ?? 40;
  const pools = new Map<fc.Arbitrary<unknown>, unknown[]>();
  const poolFor = (part: fc.Arbitrary<unknown>): unknown[] => {
    let pool = pools.get(part);
    if (pool === undefined) {
      const k = partIndex.get(part) ?? 0;
      pool = fc.sample(fc.noBias(part), { seed: (seed ^ Math.imul(k + 1, 0x9e3779b1)) | 0, numRuns: poolSize });
      pools.set(part, pool);
    }
    return pool;
  };
  const rng = createRng(seed ^ 0x5eed5eed);
  const out: GeneratedEvent[] = new Array<GeneratedEvent>(count);
  let micros = EVENT_TIME_START * 1000;
  let currentSecond = -1;
  let secondDate = '';
  let secondClock = '';
  const values: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const x = rng() * total;
    let kind = 0;
    while ((cumulative[kind] ?? total) <= x && kind < kinds.length - 1) kind++;
    const r = kinds[kind] as EventRecipe;
    values.length = r.parts.length;
    for (let j = 0; j < r.parts.length; j++) {
      const pool = poolFor(r.parts[j] as fc.Arbitrary<unknown>);
      values[j] = pool[Math.floor(rng() * pool.length)];
    }
    const e = r.build(values);
    micros += Math.floor(rng() * 2000 * meanGap);
    const second = Math.floor(micros / 1_000_000);
    if (second !== currentSecond) {
      currentSecond = second;
      const iso = new Date(second * 1000).toISOString();
      secondDate = iso.slice(0, 10);
      secondClock = iso.slice(11, 19);
    }
    const fraction = String(micros % 1_000_000).padStart(6, '0');
    e['TimeCreated_SystemTime'] = `${secondDate}T${secondClock}.${fraction}Z`;
    if ('UtcTime' in e) {
      const utc = `${secondDate} ${secondClock}.${fraction.slice(0, 3)}`;
      e['UtcTime'] = utc;
      const created = e['CreationUtcTime'];
      if (typeof created === 'string' && created > utc) e['CreationUtcTime'] = utc;
    }
    out[i] = e;
  }
  return out;
}
