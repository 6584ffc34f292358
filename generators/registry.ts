/**
 * The generator lookup by field name (not the Windows registry): user registrations first (the
 * latest wins), then the built-in exact names (case-insensitive), then name heuristics, then a
 * short-text fallback. `fieldKind` tells what kind of value a field holds (`path`, `ip`...).
 */
import fc from 'fast-check';
import { fakerPool, oneOf, weighted } from './common.js';
import { commandLine, powershellScript, serviceImagePath } from './command-lines.js';
import { anyGuid, sysmonGuid, sysmonGuidEvtx } from './guids.js';
import { digest, sysmonHashes } from './hashes.js';
import {
  accountName,
  computerFqdn,
  computerName,
  logonId,
  netbiosDomain,
  qualifiedUser,
  sid,
  wellKnownSids,
} from './identity.js';
import { hostName, ipAddress, port, url } from './network.js';
import { registryDetails } from './registry-details.js';
import { registryPath, serviceName } from './registry-keys.js';
import {
  currentDirectory,
  directoryPath,
  dllPath,
  filePath,
  imagePath,
  knownPrograms,
  unknownExecutableName,
} from './windows-paths.js';

/** The kinds of value the built-in generators produce. */
export type BuiltinFieldKind =
  | 'registry-key'
  | 'registry-details'
  | 'path'
  | 'file-name'
  | 'command-line'
  | 'script'
  | 'ip'
  | 'port'
  | 'hostname'
  | 'domain'
  | 'url'
  | 'user'
  | 'sid'
  | 'guid'
  | 'hash'
  | 'number'
  | 'hex'
  | 'enum'
  | 'name'
  | 'text';

/** A field kind: a built-in one, or any name a user registration gives (`custom` by default). */
export type FieldKind = BuiltinFieldKind | (string & {});

/** Kinds whose values are Windows file-system paths or file names (path-based exclusions apply). */
export const pathLikeKinds: ReadonlySet<FieldKind> = new Set<FieldKind>(['path', 'file-name']);

/** Whether a field holds paths or file names (by its kind). */
export function isPathLike(fieldName: string): boolean {
  return pathLikeKinds.has(fieldKind(fieldName));
}

/** Where a generator came from. */
export type GeneratorSource = 'user' | 'exact' | 'heuristic' | 'fallback';

/** The generator chosen for a field and why. */
export interface ResolvedGenerator {
  readonly kind: FieldKind;
  readonly arbitrary: fc.Arbitrary<string>;
  readonly source: GeneratorSource;
  /** The exact name or the pattern that matched (`*` for the fallback). */
  readonly match: string;
}

/** Options of `registerGenerator`. */
export interface RegisterOptions {
  /** The kind reported by `fieldKind` for matching fields (default `custom`). */
  readonly kind?: FieldKind;
}

interface Entry {
  readonly kind: FieldKind;
  readonly arbitrary: fc.Arbitrary<string>;
}

const bool = fc.constantFrom('true', 'false');
const num = (min: number, max: number): fc.Arbitrary<string> => fc.integer({ min, max }).map(String);
const processId = fc.integer({ min: 1, max: 16383 }).map((n) => String(n * 4));
const anySysmonGuid = weighted<string>([1, sysmonGuid], [1, sysmonGuidEvtx]);
const versionMetadata = oneOf([...new Set(knownPrograms.flatMap((p) => [p.description, p.product, p.company]))]);

/** Built-in exact field names (case-insensitive) with their kind and generator. */
const exactTable: readonly [names: readonly string[], kind: BuiltinFieldKind, arbitrary: fc.Arbitrary<string>][] = [
  [['TargetObject', 'NewName'], 'registry-key', registryPath],
  [['Details'], 'registry-details', registryDetails],
  [['Image', 'ParentImage', 'SourceImage', 'TargetImage', 'NewProcessName', 'ParentProcessName', 'ProcessName'], 'path', imagePath],
  [['ImageLoaded'], 'path', dllPath],
  [['TargetFilename', 'Path', 'FilePath', 'FileName'], 'path', filePath],
  [['CurrentDirectory', 'WorkingDirectory'], 'path', currentDirectory],
  [['ServiceFileName', 'ImagePath'], 'path', serviceImagePath],
  [['OriginalFileName'], 'file-name', weighted<string>([4, oneOf(knownPrograms.map((p) => p.originalFileName))], [1, unknownExecutableName])],
  [['CommandLine', 'ParentCommandLine', 'ProcessCommandLine'], 'command-line', commandLine],
  [['ScriptBlockText', 'Payload', 'ContextInfo'], 'script', powershellScript],
  [['DestinationIp', 'SourceIp', 'IpAddress', 'ClientAddress', 'SourceAddress', 'DestAddress', 'ClientIP'], 'ip', ipAddress],
  [['DestinationPort', 'SourcePort', 'IpPort', 'DestPort'], 'port', port],
  [['DestinationHostname', 'SourceHostname'], 'hostname', hostName],
  [['Computer', 'ComputerName', 'Hostname'], 'hostname', computerFqdn],
  [['Workstation', 'WorkstationName'], 'hostname', computerName],
  [['QueryName'], 'domain', hostName],
  [['SubjectDomainName', 'TargetDomainName', 'Domain', 'DomainName'], 'domain', netbiosDomain],
  [['Url', 'HostUrl', 'ReferrerUrl', 'Uri'], 'url', url],
  [['User', 'ParentUser', 'SourceUser', 'TargetUser'], 'user', qualifiedUser],
  [['TargetUserName', 'SubjectUserName', 'AccountName', 'UserName', 'SamAccountName', 'MemberName'], 'user', accountName],
  [['SubjectUserSid', 'TargetUserSid', 'Security_UserID', 'UserSid', 'TargetSid', 'MemberSid'], 'sid', sid],
  [['MandatoryLabel'], 'sid', fc.constantFrom(wellKnownSids.LOW_INTEGRITY, wellKnownSids.MEDIUM_INTEGRITY, wellKnownSids.HIGH_INTEGRITY, wellKnownSids.SYSTEM_INTEGRITY)],
  [['ProcessGuid', 'ParentProcessGuid', 'LogonGuid', 'SourceProcessGUID', 'TargetProcessGUID'], 'guid', anySysmonGuid],
  [['ScriptBlockId', 'ActivityID', 'Correlation_ActivityID', 'Provider_Guid'], 'guid', anyGuid],
  [['Hashes', 'Hash'], 'hash', sysmonHashes],
  [['MD5'], 'hash', digest('MD5', { upper: true })],
  [['SHA1'], 'hash', digest('SHA1', { upper: true })],
  [['SHA256'], 'hash', digest('SHA256', { upper: true })],
  [['Imphash'], 'hash', digest('IMPHASH', { upper: true })],
  [['ProcessId', 'ParentProcessId', 'SourceProcessId', 'TargetProcessId', 'SourceThreadId', 'ThreadId', 'Execution_ProcessID', 'Execution_ThreadID'], 'number', processId],
  [['TerminalSessionId'], 'number', fc.constantFrom('0', '1', '1', '2')],
  [['LogonType'], 'number', fc.constantFrom('2', '3', '4', '5', '7', '8', '9', '10', '11')],
  [['EventID'], 'number', fc.constantFrom('1', '3', '5', '7', '10', '11', '12', '13', '22', '4624', '4688', '4104')],
  [['KeyLength'], 'number', fc.constantFrom('0', '128')],
  [['LogonId', 'SubjectLogonId', 'TargetLogonId', 'TargetLinkedLogonId'], 'hex', logonId],
  [['GrantedAccess', 'AccessMask'], 'hex', fc.constantFrom('0x1000', '0x1400', '0x1410', '0x1010', '0x1fffff', '0x101000', '0x40', '0x100000')],
  [['NewProcessId'], 'hex', fc.integer({ min: 1, max: 16383 }).map((n) => `0x${(n * 4).toString(16)}`)],
  [['IntegrityLevel'], 'enum', fc.constantFrom('Medium', 'High', 'System', 'Low', 'AppContainer')],
  [['EventType'], 'enum', fc.constantFrom('SetValue', 'CreateKey', 'DeleteKey', 'DeleteValue', 'RenameKey', 'CreatePipe', 'ConnectPipe')],
  [['Protocol'], 'enum', fc.constantFrom('tcp', 'udp')],
  [['Initiated', 'SourceIsIpv6', 'DestinationIsIpv6', 'IsExecutable', 'Archived', 'Signed'], 'enum', bool],
  [['SignatureStatus'], 'enum', fc.constantFrom('Valid', 'Expired', 'Unavailable', 'Revoked')],
  [['QueryStatus'], 'enum', fc.constantFrom('0', '0', '0', '9003', '1460', '9501', '87')],
  [['Channel'], 'enum', fc.constantFrom('Microsoft-Windows-Sysmon/Operational', 'Security', 'System', 'Microsoft-Windows-PowerShell/Operational')],
  [['Provider_Name'], 'enum', fc.constantFrom('Microsoft-Windows-Sysmon', 'Microsoft-Windows-Security-Auditing', 'Service Control Manager', 'Microsoft-Windows-PowerShell')],
  [['LogonProcessName'], 'enum', fc.constantFrom('User32 ', 'NtLmSsp ', 'Kerberos', 'Advapi  ', 'Negotiat')],
  [['AuthenticationPackageName'], 'enum', fc.constantFrom('Negotiate', 'NTLM', 'Kerberos')],
  [['TokenElevationType'], 'enum', fc.constantFrom('%%1936', '%%1937', '%%1938')],
  [['ServiceName'], 'name', serviceName],
  [['Description', 'Product', 'Company'], 'name', versionMetadata],
  [['Signature'], 'name', fc.constantFrom('Microsoft Windows', 'Microsoft Corporation', 'Google LLC', 'Mozilla Corporation', '-')],
  [['PipeName'], 'name', fc.constantFrom('\\srvsvc', '\\wkssvc', '\\lsass', '\\ntsvcs', '\\PSHost.134178455364102377.5788.DefaultAppDomain.powershell', '\\mojo.5688.7204.1612543423871256')],
];

const exactEntries = new Map<string, Entry & { readonly name: string }>();
for (const [names, kind, arbitrary] of exactTable) {
  for (const name of names) exactEntries.set(name.toLowerCase(), { name, kind, arbitrary });
}

/**
 * A case-sensitive suffix test for camelCase names (`camel`) and snake / dotted names (`snake`,
 * after `_` or `.` or at the start): `ProcessId` must not count as a `...Sid`, nor `Report` as a port.
 */
function suffix(camel: string, snake: string): RegExp {
  return new RegExp(`(?:${camel})$|(?:^|[_.])(?:${snake})$`);
}

/** Built-in name heuristics, in order: the first pattern that matches wins. */
const heuristicTable: readonly [RegExp, BuiltinFieldKind, fc.Arbitrary<string>][] = [
  [suffix('CommandLine', 'command_?line|cmd_?line'), 'command-line', commandLine],
  [/ScriptBlock|Script(?:Text)?$|(?:^|[_.])script(?:_?block)?(?:_?text)?$/, 'script', powershellScript],
  [/Hash|(?:^|[_.])hash/, 'hash', sysmonHashes],
  [suffix('Guid|GUID', 'guid'), 'guid', anyGuid],
  [suffix('Sid|SID', 'sid'), 'sid', sid],
  [suffix('Url|URL|Uri|URI', 'url|uri'), 'url', url],
  [/Hostname$|HostName$|Computer|Workstation|(?:^|[_.])(?:host_?name|computer(?:_name)?|workstation)$/, 'hostname', computerFqdn],
  [/(?<!Mac|Email|Mail)Address$|Ip$|IP$|(?:^|[_.])(?:ip|ip_?address)$/, 'ip', ipAddress],
  [suffix('Port', 'port'), 'port', port],
  [/Registry|Key(?:Path|Name)$|TargetObject$|(?:^|[_.])registry/, 'registry-key', registryPath],
  [suffix('Directory|Folder|Dir', 'directory|folder|dir'), 'path', directoryPath],
  [suffix('Image|Path|File|FileName|Filename', 'image|path|file|file_?name'), 'path', filePath],
  [suffix('UserName|AccountName', 'user_?name|account_?name'), 'user', accountName],
  [suffix('User|Account', 'user|account'), 'user', qualifiedUser],
  [suffix('Domain|DomainName', 'domain|domain_?name'), 'domain', netbiosDomain],
  [suffix('LogonId|LogonID', 'logon_?id'), 'hex', logonId],
  [suffix('ProcessId|ThreadId|SessionId|ProcessID|ThreadID|Pid|PID', 'pid|tid|process_?id|thread_?id|session_?id'), 'number', processId],
];

const words = fakerPool(200, 0x5eed50, (f) => f.word.sample()).filter((w) => /^[A-Za-z]{2,14}$/.test(w));
const word = oneOf(words);

/** The fallback: short realistic text (words, identifiers, versions, small numbers). */
export const fallbackText: fc.Arbitrary<string> = weighted<string>(
  [4, fc.array(word, { minLength: 1, maxLength: 3 }).map((ws) => ws.join(' '))],
  [3, fc.tuple(word, word, fc.constantFrom('_', '-', '.', '')).map(([a, b, sep]) => `${a.toLowerCase()}${sep}${b.toLowerCase()}`)],
  [1, fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 9999 })).map(([a, b, c]) => `${a}.${b}.${c}`)],
  [1, num(0, 65535)],
  [1, fc.constant('-')],
);

/** A RegExp without the `g` / `y` flags, whose `test` would otherwise be stateful. */
function normaliseRegExp(re: RegExp): RegExp {
  return re.global || re.sticky ? new RegExp(re.source, re.flags.replace(/[gy]/g, '')) : re;
}

interface UserEntry extends Entry {
  readonly match: string | RegExp;
  readonly id: number;
}

let userEntries: UserEntry[] = [];
let nextId = 0;

/**
 * Adds a generator for fields named `match` (a string: exact name, case-insensitive) or whose
 * name matches `match` (a RegExp). User registrations are consulted before the built-in ones,
 * the latest first, so a later registration overrides an earlier one and any built-in. Returns
 * a function that removes this registration again.
 */
export function registerGenerator(match: string | RegExp, arbitrary: fc.Arbitrary<string>, options: RegisterOptions = {}): () => void {
  const entry: UserEntry = {
    match: typeof match === 'string' ? match : normaliseRegExp(match),
    arbitrary,
    kind: options.kind ?? 'custom',
    id: nextId++,
  };
  userEntries = [...userEntries, entry];
  return () => {
    userEntries = userEntries.filter((e) => e.id !== entry.id);
  };
}

/** Removes every user registration (built-ins stay). */
export function clearUserGenerators(): void {
  userEntries = [];
}

function lookupUser(name: string): UserEntry | undefined {
  const lower = name.toLowerCase();
  for (let i = userEntries.length - 1; i >= 0; i--) {
    const e = userEntries[i];
    if (e === undefined) continue;
    if (typeof e.match === 'string' ? e.match.toLowerCase() === lower : e.match.test(name)) return e;
  }
  return undefined;
}

function resolveName(name: string): ResolvedGenerator | undefined {
  const user = lookupUser(name);
  if (user !== undefined) return { kind: user.kind, arbitrary: user.arbitrary, source: 'user', match: String(user.match) };
  const exact = exactEntries.get(name.toLowerCase());
  if (exact !== undefined) return { kind: exact.kind, arbitrary: exact.arbitrary, source: 'exact', match: exact.name };
  return undefined;
}

/**
 * The generator for a field and why it was chosen. Sigma modifiers (`CommandLine|contains`) are
 * ignored; for a dotted name (`Event.EventData.Image`) the last segment is tried after the full name.
 */
export function resolveGenerator(fieldName: string): ResolvedGenerator {
  const name = (fieldName.split('|')[0] ?? fieldName).trim();
  const last = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : undefined;
  const direct = resolveName(name) ?? (last === undefined ? undefined : resolveName(last));
  if (direct !== undefined) return direct;
  const subject = last ?? name;
  for (const [re, kind, arbitrary] of heuristicTable) {
    if (re.test(subject)) return { kind, arbitrary, source: 'heuristic', match: String(re) };
  }
  return { kind: 'text', arbitrary: fallbackText, source: 'fallback', match: '*' };
}

/** The arbitrary of string values for a field, by its name. */
export function generatorFor(fieldName: string): fc.Arbitrary<string> {
  return resolveGenerator(fieldName).arbitrary;
}

/** The kind of value a field holds, by its name (`path`, `ip`, `registry-key`... or `text`). */
export function fieldKind(fieldName: string): FieldKind {
  return resolveGenerator(fieldName).kind;
}

/** The built-in exact field names (as spelled in the table). */
export function builtinFieldNames(): string[] {
  return [...exactEntries.values()].map((e) => e.name);
}
