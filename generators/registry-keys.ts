/**
 * Registry key paths as Sysmon writes `TargetObject` and as rules reference them: every hive
 * spelling (`HKLM`, `HKEY_LOCAL_MACHINE`, `\REGISTRY\MACHINE`, `HKU\<SID>`, `HKEY_USERS\<SID>`,
 * `\REGISTRY\USER\<SID>`, `HKCU`, `HKEY_CURRENT_USER`, `HKCR`, `HKEY_CLASSES_ROOT`),
 * `CurrentControlSet` / `ControlSet00n`, realistic subkeys and value names, and respelling of a
 * concrete key into its equivalent spellings.
 */
import fc from 'fast-check';
import { capitalise, fakerPool, oneOf, pickWith, weighted } from './common.js';
import type { Rng } from './common.js';
import { bracedGuid, clsid } from './guids.js';
import { userSid } from './identity.js';
import { knownPrograms } from './windows-paths.js';

/** Every spelling of every hive root. The `HKU` family is followed by `\<SID>` in a full path. */
export const hiveSpellings = [
  'HKLM',
  'HKEY_LOCAL_MACHINE',
  '\\REGISTRY\\MACHINE',
  'HKU',
  'HKEY_USERS',
  '\\REGISTRY\\USER',
  'HKCU',
  'HKEY_CURRENT_USER',
  'HKCR',
  'HKEY_CLASSES_ROOT',
] as const;
export type HiveSpelling = (typeof hiveSpellings)[number];

/** The spellings grouped by hive. */
export const hiveGroups = {
  machine: ['HKLM', 'HKEY_LOCAL_MACHINE', '\\REGISTRY\\MACHINE'],
  users: ['HKU', 'HKEY_USERS', '\\REGISTRY\\USER'],
  currentUser: ['HKCU', 'HKEY_CURRENT_USER'],
  classesRoot: ['HKCR', 'HKEY_CLASSES_ROOT'],
} as const satisfies Record<string, readonly HiveSpelling[]>;

/** The spellings Sysmon itself writes in `TargetObject` (`HKU\<SID>`, not `HKCU`). */
export const sysmonHiveSpellings: readonly HiveSpelling[] = ['HKLM', 'HKU', 'HKCR'];

/** `CurrentControlSet` and the numbered control sets it links to. */
export const controlSetNames = ['CurrentControlSet', 'ControlSet001', 'ControlSet002', 'ControlSet003'] as const;

const controlSet: fc.Arbitrary<string> = weighted<string>(
  [85, fc.constant('CurrentControlSet')],
  [10, fc.constant('ControlSet001')],
  [3, fc.constant('ControlSet002')],
  [2, fc.constant('ControlSet003')],
);
const systemWord = fc.constantFrom('SYSTEM', 'SYSTEM', 'System');
const softwareWord = fc.constantFrom('SOFTWARE', 'SOFTWARE', 'Software');

/** Windows service names (`ServiceName`, `Services\<name>`). */
export const serviceNames: readonly string[] = [
  'Schedule', 'Dnscache', 'WinDefend', 'wuauserv', 'BITS', 'Spooler', 'LanmanServer', 'LanmanWorkstation', 'W32Time',
  'EventLog', 'Sysmon64', 'SysmonDrv', 'TermService', 'WinRM', 'RemoteRegistry', 'bam', 'VSS', 'MSSQLSERVER', 'gupdate',
  'edgeupdate', 'Tcpip', 'Netlogon', 'Dhcp', 'CryptSvc', 'DiagTrack', 'SysMain', 'WSearch', 'mpssvc', 'BFE', 'PlugPlay',
  'AppXSvc', 'ClipSVC', 'UsoSvc', 'WdNisSvc', 'SecurityHealthService', 'VMTools', 'PSEXESVC', 'TrustedInstaller',
];
const fakeServices = fakerPool(40, 0x5eed30, (f) => `${capitalise(f.word.noun())}${f.helpers.arrayElement(['Svc', 'Service', 'Update', 'Agent', 'Helper'])}`);

/** A service name: real Windows services, sometimes vendor-looking ones. */
export const serviceName: fc.Arbitrary<string> = weighted<string>([8, oneOf(serviceNames)], [2, oneOf(fakeServices)]);

/** Value names under `Run` keys. */
const runValueNames = [
  'OneDrive', 'SecurityHealth', 'Teams', 'com.squirrel.Teams.Teams', 'GoogleUpdate', 'Discord', 'Spotify', 'VMware User Process',
  'AdobeAAMUpdater-1.0', 'iTunesHelper', 'MicrosoftEdgeAutoLaunch_0A1B2C3D4E5F60718293A4B5C6D7E8F9', 'RtkAudUService', 'Zoom', 'Steam',
] as const;
const fakeRunNames = fakerPool(30, 0x5eed31, (f) => `${capitalise(f.word.noun())}${f.helpers.arrayElement(['Updater', 'Helper', '', 'Agent', 'Sync'])}`);
const runValueName = weighted<string>([7, oneOf(runValueNames)], [3, oneOf(fakeRunNames)]);

const exeName = oneOf(knownPrograms.map((p) => p.name));
const catalogEntry = fc.integer({ min: 1, max: 24 }).map((n) => String(n).padStart(12, '0'));
const hexId = fc.integer({ min: 0, max: 0xffffffff }).map((n) => n.toString(16).toUpperCase().padStart(8, '0'));

/** A subkey (relative to a hive root) and value names that belong under it. */
type Template = fc.Arbitrary<readonly [string, string]>;

function t(key: fc.Arbitrary<string>, value: fc.Arbitrary<string>): Template {
  return fc.tuple(key, value);
}
function k(...parts: (string | fc.Arbitrary<string>)[]): fc.Arbitrary<string> {
  return fc.tuple(...parts.map((p) => (typeof p === 'string' ? fc.constant(p) : p))).map((xs) => xs.join('\\'));
}
const v = (...names: string[]): fc.Arbitrary<string> => oneOf(names);

/** Subkeys of HKLM. */
const machineTemplates: [number, Template][] = [
  [8, t(k(softwareWord, 'Microsoft\\Windows\\CurrentVersion', fc.constantFrom('Run', 'RunOnce', 'RunOnceEx', 'Policies\\Explorer\\Run')), runValueName)],
  [2, t(k(softwareWord, 'WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Run'), runValueName)],
  [4, t(k(softwareWord, 'Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options', exeName), v('Debugger', 'GlobalFlag', 'MitigationOptions', 'UseFilter'))],
  [2, t(k(softwareWord, 'Microsoft\\Windows NT\\CurrentVersion\\SilentProcessExit', exeName), v('MonitorProcess', 'ReportingMode'))],
  [3, t(k(softwareWord, 'Microsoft\\Windows NT\\CurrentVersion\\Winlogon'), v('Userinit', 'Shell', 'AutoAdminLogon', 'DefaultUserName', 'LastUsedUsername'))],
  [3, t(k(softwareWord, 'Policies\\Microsoft\\Windows Defender', fc.constantFrom('', 'Real-Time Protection', 'Spynet', 'Features')).map((s) => s.replace(/\\$/, '')), v('DisableAntiSpyware', 'DisableRealtimeMonitoring', 'DisableBehaviorMonitoring', 'SpynetReporting', 'TamperProtection'))],
  [2, t(k(softwareWord, 'Microsoft\\Windows Defender\\Exclusions', fc.constantFrom('Paths', 'Extensions', 'Processes')), v('C:\\Temp', 'C:\\Users\\Public', '.ps1', 'powershell.exe', 'C:\\ProgramData'))],
  [3, t(k(softwareWord, 'Classes\\CLSID', clsid, fc.constantFrom('InprocServer32', 'LocalServer32')), v('(Default)', 'ThreadingModel'))],
  [3, t(k(softwareWord, 'Microsoft\\Windows\\CurrentVersion\\Policies\\System'), v('EnableLUA', 'ConsentPromptBehaviorAdmin', 'LocalAccountTokenFilterPolicy', 'EnableLinkedConnections'))],
  [3, t(k(softwareWord, 'Microsoft\\Windows\\CurrentVersion\\Uninstall', fc.oneof(bracedGuid, runValueName)), v('DisplayName', 'DisplayVersion', 'InstallLocation', 'UninstallString'))],
  [6, t(k(systemWord, controlSet, 'Services', serviceName), v('ImagePath', 'Start', 'Type', 'ObjectName', 'DisplayName', 'Description', 'FailureActions'))],
  [3, t(k(systemWord, controlSet, 'Services', serviceName, 'Parameters'), v('ServiceDll', 'ServiceMain', 'ServiceDllUnloadOnStop'))],
  [3, t(k(systemWord, controlSet, 'Services\\WinSock2\\Parameters\\Protocol_Catalog9', fc.constantFrom('Catalog_Entries', 'Catalog_Entries64'), catalogEntry), v('PackedCatalogItem'))],
  [2, t(k(systemWord, controlSet, 'Services\\WinSock2\\Parameters\\NameSpace_Catalog5', fc.constantFrom('Catalog_Entries', 'Catalog_Entries64'), catalogEntry), v('LibraryPath', 'DisplayString', 'ProviderId', 'Enabled'))],
  [3, t(k(systemWord, controlSet, 'Control\\Lsa'), v('RunAsPPL', 'DisableRestrictedAdmin', 'LmCompatibilityLevel', 'Security Packages', 'Notification Packages', 'Authentication Packages'))],
  [2, t(k(systemWord, controlSet, 'Control\\SecurityProviders\\WDigest'), v('UseLogonCredential', 'Negotiate'))],
  [2, t(k(systemWord, controlSet, 'Control\\Terminal Server'), v('fDenyTSConnections', 'fSingleSessionPerUser'))],
  [2, t(k(systemWord, controlSet, 'Control\\Session Manager'), v('PendingFileRenameOperations', 'BootExecute', 'SafeDllSearchMode'))],
  [1, t(k(systemWord, controlSet, 'Control\\Print\\Monitors', runValueName), v('Driver'))],
  [2, t(k(systemWord, controlSet, 'Control\\Session Manager\\Environment'), v('Path', 'PSModulePath', 'TEMP', 'windir'))],
  [8, t(k(systemWord, controlSet, 'Services\\bam\\State\\UserSettings', userSid), exeName.map((e) => `\\Device\\HarddiskVolume3\\Windows\\System32\\${e}`))],
  [6, t(k(systemWord, controlSet, 'Services\\Tcpip\\Parameters\\Interfaces', bracedGuid.map((g) => g.toLowerCase())), v('DhcpIPAddress', 'DhcpServer', 'Lease', 'LeaseObtainedTime', 'DhcpNameServer'))],
  [6, t(k(softwareWord, 'Microsoft\\Windows NT\\CurrentVersion\\Notifications\\Data'), hexId.map((h) => `418A073AA3BC${h.slice(0, 4)}`))],
  [4, t(k(softwareWord, 'Microsoft\\Windows\\CurrentVersion\\WINEVT\\Publishers', bracedGuid.map((g) => g.toLowerCase())), v('(Default)', 'Enabled', 'MessageFileName'))],
  [3, t(k(softwareWord, 'Microsoft\\Cryptography\\RNG'), v('Seed'))],
  [2, t(k('SAM\\SAM\\Domains\\Account\\Users\\Names', fc.constantFrom('Administrator', 'Guest', 'DefaultAccount', 'backup$', 'support')), v('(Default)'))],
];

/** Subkeys of a user hive (`HKU\<SID>`, `HKCU`). */
const userTemplates: [number, Template][] = [
  [8, t(k(softwareWord, 'Microsoft\\Windows\\CurrentVersion', fc.constantFrom('Run', 'RunOnce')), runValueName)],
  [6, t(k(softwareWord, 'Microsoft\\Windows\\CurrentVersion\\Explorer\\UserAssist', bracedGuid, 'Count'), fc.constantFrom('HRZR_PGYFRFFVBA', '{1NP14R77-02R7-4R5Q-O744-2RO1NR5198O7}\\pzq.rkr', 'HRZR_PGYPHNPbhag:pgbe'))],
  [4, t(k(softwareWord, 'Microsoft\\Windows\\CurrentVersion\\Explorer', fc.constantFrom('RecentDocs', 'RunMRU', 'TypedPaths', 'ComDlg32\\OpenSavePidlMRU\\*')), v('MRUList', 'MRUListEx', 'a', 'b', '0', '1', 'url1'))],
  [3, t(fc.constant('Environment'), v('UserInitMprLogonScript', 'TEMP', 'TMP', 'Path', 'windir'))],
  [3, t(k(softwareWord, 'Classes', fc.constantFrom('ms-settings', 'Folder', 'exefile', 'mscfile'), 'shell\\open\\command'), v('(Default)', 'DelegateExecute'))],
  [3, t(k(softwareWord, 'Classes\\CLSID', clsid, 'InprocServer32'), v('(Default)', 'ThreadingModel'))],
  [5, t(k(softwareWord, 'Microsoft\\Windows\\CurrentVersion\\Internet Settings', fc.constantFrom('', 'ZoneMap', 'Connections')).map((s) => s.replace(/\\$/, '')), v('ProxyEnable', 'ProxyServer', 'ProxyOverride', 'AutoConfigURL', 'DefaultConnectionSettings'))],
  [2, t(k(softwareWord, 'Microsoft\\Office\\16.0', fc.constantFrom('Word', 'Excel', 'Outlook'), 'Security'), v('VBAWarnings', 'AccessVBOM', 'blockcontentexecutionfrominternet'))],
  [2, t(fc.constant('Control Panel\\Desktop'), v('SCRNSAVE.EXE', 'ScreenSaveActive', 'Wallpaper'))],
  [2, t(k(softwareWord, 'Microsoft\\Windows NT\\CurrentVersion\\Windows'), v('Load', 'Run', 'Device'))],
  [6, t(k(softwareWord, 'Microsoft\\Windows\\CurrentVersion\\CloudStore\\Store\\Cache\\DefaultAccount'), v('Data'))],
];

/** Subkeys of a classes root (`HKCR`, `HKLM\SOFTWARE\Classes`, `HKU\<SID>_Classes`). */
const classesTemplates: [number, Template][] = [
  [6, t(k('CLSID', clsid, fc.constantFrom('InprocServer32', 'LocalServer32', 'TreatAs')), v('(Default)', 'ThreadingModel'))],
  [2, t(k('WOW6432Node\\CLSID', clsid, 'InprocServer32'), v('(Default)', 'ThreadingModel'))],
  [2, t(k(fc.constantFrom('exefile', 'htafile', 'ms-settings', 'Folder', 'lnkfile', 'txtfile', 'mscfile'), 'shell\\open\\command'), v('(Default)', 'DelegateExecute'))],
  [2, t(fc.constantFrom('.exe', '.lnk', '.hta', '.ps1', '.txt', '.pdf', '.url'), v('(Default)', 'Content Type', 'PerceivedType'))],
  [1, t(k('AppID', bracedGuid), v('(Default)', 'DllSurrogate', 'RunAs', 'LocalService'))],
  [1, t(k('Interface', bracedGuid, 'ProxyStubClsid32'), v('(Default)'))],
];

const machineSub = weighted<readonly [string, string]>(...machineTemplates);
const userSub = weighted<readonly [string, string]>(...userTemplates);
const classesSub = weighted<readonly [string, string]>(...classesTemplates);

type KeyParts = readonly [root: string, subkey: string, value: string];

/** Key and value under a machine root, in a given spelling. */
function machineKey(roots: fc.Arbitrary<string>): fc.Arbitrary<KeyParts> {
  return fc.tuple(roots, machineSub).map(([r, [s, val]]) => [r, s, val] as const);
}

const machineRoots = fc.constantFrom<string>(...hiveGroups.machine);
const usersRoots = fc.tuple(fc.constantFrom(...hiveGroups.users), userSid).map(([h, s]) => `${h}\\${s}`);
const currentUserRoots = fc.constantFrom(...hiveGroups.currentUser);
const classesRoots = fc.constantFrom(...hiveGroups.classesRoot);

/** Parts of a registry path in any hive spelling: every spelling appears with a useful frequency. */
const anyKeyParts: fc.Arbitrary<KeyParts> = weighted<KeyParts>(
  [30, machineKey(weighted<string>([6, fc.constant('HKLM')], [2, fc.constant('HKEY_LOCAL_MACHINE')], [2, fc.constant('\\REGISTRY\\MACHINE')]))],
  [22, fc.tuple(weighted<string>([6, usersRoots.filter((r) => r.startsWith('HKU\\'))], [4, usersRoots]), userSub).map(([r, [s, val]]) => [r, s, val] as const)],
  [10, fc.tuple(currentUserRoots, userSub).map(([r, [s, val]]) => [r, s, val] as const)],
  [8, fc.tuple(classesRoots, classesSub).map(([r, [s, val]]) => [r, s, val] as const)],
  [4, fc.tuple(fc.tuple(fc.constantFrom(...hiveGroups.users), userSid).map(([h, s]) => `${h}\\${s}_Classes`), classesSub).map(([r, [s, val]]) => [r, s, val] as const)],
  [4, fc.tuple(machineRoots, softwareWord, classesSub).map(([r, sw, [s, val]]) => [`${r}\\${sw}\\Classes`, s, val] as const)],
);

/** Parts of a registry path as Sysmon writes it (`HKLM`, `HKU\<SID>`, `HKCR`, `HKU\<SID>_Classes`). */
const sysmonKeyParts: fc.Arbitrary<KeyParts> = weighted<KeyParts>(
  [60, machineKey(fc.constant('HKLM'))],
  [30, fc.tuple(userSid, userSub).map(([sidValue, [s, val]]) => [`HKU\\${sidValue}`, s, val] as const)],
  [7, fc.tuple(fc.constant('HKCR'), classesSub).map(([r, [s, val]]) => [r, s, val] as const)],
  [3, fc.tuple(userSid, classesSub).map(([sidValue, [s, val]]) => [`HKU\\${sidValue}_Classes`, s, val] as const)],
);

/** A registry key path (no value name) in any hive spelling. */
export const registryKey: fc.Arbitrary<string> = anyKeyParts.map(([r, s]) => `${r}\\${s}`);

/** A registry key path with its value name appended (what `TargetObject` holds for SetValue), any hive spelling. */
export const registryValuePath: fc.Arbitrary<string> = anyKeyParts.map(([r, s, val]) => `${r}\\${s}\\${val}`);

/** A registry key or value path in any hive spelling (what rules may write). */
export const registryPath: fc.Arbitrary<string> = weighted<string>([1, registryKey], [2, registryValuePath]);

/** A key path (CreateKey / DeleteKey / RenameKey `TargetObject`) in Sysmon's spelling. */
export const sysmonRegistryKey: fc.Arbitrary<string> = sysmonKeyParts.map(([r, s]) => `${r}\\${s}`);

/** A value path (SetValue / DeleteValue `TargetObject`) in Sysmon's spelling. */
export const sysmonRegistryValuePath: fc.Arbitrary<string> = sysmonKeyParts.map(([r, s, val]) => `${r}\\${s}\\${val}`);

/** A key as `reg.exe` / PowerShell users write it (`HKLM\...`, `HKEY_CURRENT_USER\...`). */
export const win32RegistryKey: fc.Arbitrary<string> = weighted<string>(
  [6, machineKey(fc.constantFrom('HKLM', 'HKEY_LOCAL_MACHINE')).map(([r, s]) => `${r}\\${s}`)],
  [4, fc.tuple(fc.constantFrom('HKCU', 'HKEY_CURRENT_USER'), userSub).map(([r, [s]]) => `${r}\\${s}`)],
);

/** A registry value name (`(Default)` is how Sysmon names the default value). */
export const registryValueName: fc.Arbitrary<string> = anyKeyParts.map(([, , val]) => val);

/** A parsed registry path: which hive, the SID for user hives, and the rest after the root. */
export interface ParsedRegistryPath {
  /** `machine` (HKLM), `user` (HKU\SID or HKCU), `classes` (HKCR), `userClasses` (HKU\SID_Classes). */
  readonly hive: 'machine' | 'user' | 'classes' | 'userClasses';
  /** The SID of a user hive, if the spelling names it (`HKCU` does not). */
  readonly sid?: string;
  /** The path below the hive root, without leading backslash (may be empty). */
  readonly rest: string;
}

const rootPatterns: readonly [RegExp, ParsedRegistryPath['hive'], boolean][] = [
  [/^(?:HKLM|HKEY_LOCAL_MACHINE|\\REGISTRY\\MACHINE)(?=\\|$)/i, 'machine', false],
  [/^(?:HKU|HKEY_USERS|\\REGISTRY\\USER)\\([^\\]+?)_Classes(?=\\|$)/i, 'userClasses', true],
  [/^(?:HKU|HKEY_USERS|\\REGISTRY\\USER)\\([^\\]+)(?=\\|$)/i, 'user', true],
  [/^(?:HKCU|HKEY_CURRENT_USER)(?=\\|$)/i, 'user', false],
  [/^(?:HKCR|HKEY_CLASSES_ROOT)(?=\\|$)/i, 'classes', false],
];

/** Splits a registry path into hive, SID and rest; `undefined` if it has no known hive root. */
export function parseRegistryPath(path: string): ParsedRegistryPath | undefined {
  for (const [re, hive, hasSid] of rootPatterns) {
    const m = re.exec(path);
    if (m === null) continue;
    const rest = path.slice(m[0].length).replace(/^\\/, '');
    const sidValue = hasSid ? m[1] : undefined;
    return sidValue === undefined ? { hive, rest } : { hive, sid: sidValue, rest };
  }
  return undefined;
}

const controlSetRe = /^(SYSTEM\\)(CurrentControlSet|ControlSet00\d)(?=\\|$)/i;
const classesRe = /^(SOFTWARE\\Classes)(?=\\|$)/i;

function controlSetVariants(rest: string): string[] {
  const m = controlSetRe.exec(rest);
  if (m === null) return [rest];
  const tail = rest.slice(m[0].length);
  return controlSetNames.map((cs) => `${m[1] ?? 'SYSTEM\\'}${cs}${tail}`);
}

function join(root: string, rest: string): string {
  return rest === '' ? root : `${root}\\${rest}`;
}

/**
 * Every equivalent spelling of a concrete registry path (the input included, first):
 * - the hive root in each spelling of its hive (`HKLM` / `HKEY_LOCAL_MACHINE` / `\REGISTRY\MACHINE`;
 *   `HKU\S` / `HKEY_USERS\S` / `\REGISTRY\USER\S` / `HKCU` / `HKEY_CURRENT_USER` for a user hive);
 * - `HKCR\X` ≡ `HKLM\SOFTWARE\Classes\X` and `HKU\S_Classes\X` ≡ `HKU\S\SOFTWARE\Classes\X`;
 * - `SYSTEM\CurrentControlSet` ≡ `SYSTEM\ControlSet001..003`.
 * `HKCU` has no SID: the `HKU` spellings of it are given only when `options.sid` is passed.
 * With `mergedClasses`, a classes key also gets the spellings of the other classes root that
 * `HKCR` merges: machine classes (`HKCR\X`, `HKLM\SOFTWARE\Classes\X`) and the user's own
 * (`HKU\<SID>_Classes\X`, `HKCU\SOFTWARE\Classes\X`, given `sid` or a SID in the path): not the
 * same key, but the same effect for COM and file associations, where a per-user key wins.
 * A path without a known hive root is returned alone.
 */
export function registryPathSpellings(path: string, options: { sid?: string; mergedClasses?: boolean } = {}): string[] {
  const parsed = parseRegistryPath(path);
  if (parsed === undefined) return [path];
  const out = new Set<string>([path]);
  const sidValue = parsed.sid ?? options.sid;
  const userRoots = (s: string | undefined): string[] => [
    ...(s === undefined ? [] : hiveGroups.users.map((h) => `${h}\\${s}`)),
    ...hiveGroups.currentUser,
  ];
  const add = (roots: readonly string[], rest: string): void => {
    for (const r of roots) for (const x of controlSetVariants(rest)) out.add(join(r, x));
  };
  const classesRest = (rest: string): string | undefined => {
    const m = classesRe.exec(rest);
    return m === null ? undefined : rest.slice(m[0].length).replace(/^\\/, '');
  };
  const machineClasses = (c: string): void => {
    add(hiveGroups.classesRoot, c);
    add(hiveGroups.machine, join('SOFTWARE\\Classes', c));
  };
  const userClasses = (c: string): void => {
    if (sidValue !== undefined) add(hiveGroups.users.map((h) => `${h}\\${sidValue}_Classes`), c);
    add(userRoots(sidValue), join('SOFTWARE\\Classes', c));
  };
  const merged = options.mergedClasses === true;
  switch (parsed.hive) {
    case 'machine': {
      add(hiveGroups.machine, parsed.rest);
      const c = classesRest(parsed.rest);
      if (c !== undefined) add(hiveGroups.classesRoot, c);
      if (c !== undefined && merged) userClasses(c);
      break;
    }
    case 'classes':
      machineClasses(parsed.rest);
      if (merged) userClasses(parsed.rest);
      break;
    case 'user': {
      add(userRoots(sidValue), parsed.rest);
      const c = classesRest(parsed.rest);
      if (c !== undefined && sidValue !== undefined) add(hiveGroups.users.map((h) => `${h}\\${sidValue}_Classes`), c);
      if (c !== undefined && merged) machineClasses(c);
      break;
    }
    case 'userClasses':
      if (sidValue !== undefined) {
        add(hiveGroups.users.map((h) => `${h}\\${sidValue}_Classes`), parsed.rest);
        add(userRoots(sidValue), join('SOFTWARE\\Classes', parsed.rest));
      }
      if (merged) machineClasses(parsed.rest);
      break;
  }
  return [...out];
}

/**
 * The same key in another (or the same) equivalent spelling, see `registryPathSpellings` (and its
 * `mergedClasses` option). For `HKCU` paths a random user SID supplies the `HKU\<SID>` spellings.
 * Shrinks towards the input, then towards the spellings listed first.
 */
export function registryPathVariants(path: string, options: { mergedClasses?: boolean } = {}): fc.Arbitrary<string> {
  const count = registryPathSpellings(path, { ...options, sid: 'S-1-5-21-0-0-0-1000' }).length;
  return fc
    .tuple(fc.integer({ min: 0, max: count - 1 }), userSid)
    .map(([i, s]) => {
      const all = registryPathSpellings(path, { ...options, sid: s });
      return all[i] ?? path;
    });
}

/** One equivalent spelling of `path` picked with `rng` (see `registryPathSpellings`). */
export function respell(path: string, rng: Rng, options: { sid?: string } = {}): string {
  return pickWith(registryPathSpellings(path, options), rng);
}
