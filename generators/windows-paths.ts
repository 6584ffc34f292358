/**
 * Windows file paths for `Image`, `ParentImage`, `TargetFilename`, `ImageLoaded`,
 * `CurrentDirectory`...: drive letters, system and program folders, user-writable places,
 * realistic executable / DLL / document names, case variants, relocation of a file to a
 * user-writable folder or another drive, and look-alike file names.
 */
import fc from 'fast-check';
import { capitalise, fakerPool, oneOf, weighted } from './common.js';
import { accountName } from './identity.js';

/** A drive letter with colon: `C:` nearly always, sometimes `D:` or `E:`. */
export const driveLetter: fc.Arbitrary<string> = weighted<string>([90, fc.constant('C:')], [6, fc.constant('D:')], [4, fc.constant('E:')]);

/** Folders of the operating system (without drive). */
export const systemDirs: readonly string[] = [
  '\\Windows\\System32',
  '\\Windows\\SysWOW64',
  '\\Windows',
  '\\Windows\\System32\\wbem',
  '\\Windows\\System32\\WindowsPowerShell\\v1.0',
  '\\Windows\\SysWOW64\\WindowsPowerShell\\v1.0',
  '\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319',
  '\\Windows\\Microsoft.NET\\Framework\\v4.0.30319',
  '\\Windows\\System32\\drivers',
  '\\Windows\\System32\\config',
  '\\Windows\\System32\\Tasks',
  '\\Windows\\servicing',
  '\\Windows\\Prefetch',
  '\\Windows\\Logs\\CBS',
  '\\Windows\\SoftwareDistribution\\Download',
];

/** Installed-program folders (without drive). */
export const programDirs: readonly string[] = [
  '\\Program Files\\Google\\Chrome\\Application',
  '\\Program Files (x86)\\Microsoft\\Edge\\Application',
  '\\Program Files\\Mozilla Firefox',
  '\\Program Files\\Microsoft Office\\root\\Office16',
  '\\Program Files\\7-Zip',
  '\\Program Files\\Notepad++',
  '\\Program Files\\Git\\cmd',
  '\\Program Files\\Windows Defender',
  '\\Program Files\\Common Files\\microsoft shared\\ClickToRun',
  '\\Program Files (x86)\\Adobe\\Acrobat Reader DC\\Reader',
  '\\Program Files\\VMware\\VMware Tools',
  '\\Program Files (x86)\\Common Files\\Oracle\\Java\\javapath',
  '\\Program Files\\Zoom\\bin',
  '\\Program Files\\WindowsApps\\Microsoft.WindowsTerminal_1.21.3231.0_x64__8wekyb3d8bbwe',
  '\\Program Files (x86)\\Microsoft Visual Studio\\Installer',
];

/**
 * Folders an unprivileged user can write to, as templates without drive; `{user}` stands for an
 * account name. Paths under these are where rules expect droppers and side-loaded DLLs.
 */
export const userWritableDirs: readonly string[] = [
  '\\Users\\{user}\\AppData\\Local\\Temp',
  '\\Users\\{user}\\AppData\\Roaming',
  '\\Users\\{user}\\AppData\\Local',
  '\\Users\\{user}\\AppData\\LocalLow',
  '\\Users\\{user}\\Downloads',
  '\\Users\\{user}\\Desktop',
  '\\Users\\{user}\\Documents',
  '\\Users\\{user}\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\Startup',
  '\\Users\\Public',
  '\\Users\\Public\\Downloads',
  '\\Users\\Public\\Documents',
  '\\ProgramData',
  '\\Windows\\Temp',
  '\\PerfLogs',
  '\\Windows\\Tasks',
  '\\Windows\\System32\\spool\\drivers\\color',
  '\\$Recycle.Bin',
];

const userWritableRe =
  /^(?:[a-z]:|\\\\\?\\[a-z]:)?\\(?:users\\(?!default\\|default$)[^\\]+|programdata|windows\\temp|perflogs|windows\\tasks|windows\\system32\\spool\\drivers\\color|\$recycle\.bin)(?:\\|$)/i;

/** Whether a path lies in one of the user-writable folders (any drive, any letter case). */
export function isUserWritable(path: string): boolean {
  return userWritableRe.test(path);
}

/** Replaces `{user}` of a `userWritableDirs` template. */
export function fillUser(template: string, user: string): string {
  return template.replaceAll('{user}', user);
}

/** A concrete user-writable folder with drive: `C:\Users\jsmith\AppData\Local\Temp`. */
export const userWritableDir: fc.Arbitrary<string> = fc
  .tuple(weighted<string>([95, fc.constant('C:')], [5, fc.constant('D:')]), oneOf(userWritableDirs), accountName)
  .map(([d, t, u]) => `${d}${fillUser(t, u)}`);

/** The last path component (after the last `\` or `/`). */
export function basename(path: string): string {
  const i = Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'));
  return i < 0 ? path : path.slice(i + 1);
}

/** Everything before the last path separator (without it); `''` if there is none. */
export function dirname(path: string): string {
  const i = Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'));
  return i < 0 ? '' : path.slice(0, i);
}

/** What Sysmon reports about an executable image (from its version resource). */
export interface ProgramInfo {
  /** File name on disk (`cmd.exe`). */
  readonly name: string;
  /** Folder without drive; may contain `{user}` (`\Users\{user}\AppData\Local\...`). */
  readonly dir: string;
  readonly originalFileName: string;
  readonly description: string;
  readonly product: string;
  readonly company: string;
  readonly fileVersion: string;
  /** Relative frequency of the program in benign process-creation logs (0: never started). */
  readonly weight: number;
}

const MS = 'Microsoft Corporation';
const WINOS = 'Microsoft® Windows® Operating System';
const WINVER = '10.0.19041.1 (WinBuild.160101.0800)';
const S32 = '\\Windows\\System32';

function win(name: string, originalFileName: string, description: string, weight: number, dir = S32): ProgramInfo {
  return { name, dir, originalFileName, description, product: WINOS, company: MS, fileVersion: WINVER, weight };
}

/** Executables seen in Windows process telemetry, with their version-resource metadata. */
export const knownPrograms: readonly ProgramInfo[] = [
  win('svchost.exe', 'svchost.exe', 'Host Process for Windows Services', 10),
  win('conhost.exe', 'CONHOST.EXE', 'Console Window Host', 8),
  win('cmd.exe', 'Cmd.Exe', 'Windows Command Processor', 6),
  win('powershell.exe', 'PowerShell.EXE', 'Windows PowerShell', 4, '\\Windows\\System32\\WindowsPowerShell\\v1.0'),
  win('rundll32.exe', 'RUNDLL32.EXE', 'Windows host process (Rundll32)', 3),
  win('regsvr32.exe', 'REGSVR32.EXE', 'Microsoft(C) Register Server', 0.5),
  win('schtasks.exe', 'schtasks.exe', 'Task Scheduler Configuration Tool', 1),
  win('reg.exe', 'reg.exe', 'Registry Console Tool', 1),
  win('certutil.exe', 'CertUtil.exe', 'CertUtil.exe', 0.2),
  win('msiexec.exe', 'msiexec.exe', 'Windows® installer', 1),
  win('wmic.exe', 'wmic.exe', 'WMI Commandline Utility', 0.4, '\\Windows\\System32\\wbem'),
  win('net.exe', 'net.exe', 'Net Command', 0.8),
  win('net1.exe', 'net1.exe', 'Net Command', 0.4),
  win('sc.exe', 'sc.exe', 'Service Control Manager Configuration Tool', 0.6),
  win('taskhostw.exe', 'taskhostw.exe', 'Host Process for Windows Tasks', 3),
  win('WmiPrvSE.exe', 'Wmiprvse.exe', 'WMI Provider Host', 2, '\\Windows\\System32\\wbem'),
  win('dllhost.exe', 'dllhost.exe', 'COM Surrogate', 3),
  win('backgroundTaskHost.exe', 'backgroundTaskHost.exe', 'Background Task Host', 2),
  win('RuntimeBroker.exe', 'RuntimeBroker.exe', 'Runtime Broker', 2),
  win('SearchProtocolHost.exe', 'SearchProtocolHost.exe', 'Microsoft Windows Search Protocol Host', 3),
  win('SearchFilterHost.exe', 'SearchFilterHost.exe', 'Microsoft Windows Search Filter Host', 2),
  win('explorer.exe', 'EXPLORER.EXE', 'Windows Explorer', 1, '\\Windows'),
  win('notepad.exe', 'NOTEPAD.EXE', 'Notepad', 1),
  win('whoami.exe', 'whoami.exe', 'whoami - displays logged on user information', 0.4),
  win('ipconfig.exe', 'ipconfig.exe', 'IP Configuration Utility', 0.5),
  win('PING.EXE', 'ping.exe', 'TCP/IP Ping Command', 0.4),
  win('tasklist.exe', 'tasklist.exe', 'Lists the current running tasks', 0.4),
  win('mshta.exe', 'MSHTA.EXE', 'Microsoft (R) HTML Application host', 0.1),
  win('cscript.exe', 'cscript.exe', 'Microsoft ® Console Based Script Host', 0.3),
  win('wscript.exe', 'wscript.exe', 'Microsoft ® Windows Based Script Host', 0.3),
  win('bitsadmin.exe', 'bitsadmin.exe', 'BITS administration utility', 0.1),
  win('netsh.exe', 'netsh.exe', 'Network Command Shell', 0.3),
  win('vssadmin.exe', 'VSSADMIN.EXE', 'Command Line Interface for Microsoft® Volume Shadow Copy Service ', 0.1),
  win('wevtutil.exe', 'wevtutil.exe', 'Eventing Command Line Utility', 0.1),
  win('consent.exe', 'consent.exe', 'Consent UI for administrative applications', 0.3),
  win('wermgr.exe', 'wermgr.exe', 'Windows Problem Reporting', 0.5),
  win('smartscreen.exe', 'smartscreen.exe', 'Windows Defender SmartScreen', 1),
  win('sihost.exe', 'sihost.exe', 'Shell Infrastructure Host', 0.5),
  win('ctfmon.exe', 'CTFMON.EXE', 'CTF Loader', 0.5),
  win('userinit.exe', 'USERINIT.EXE', 'Userinit Logon Application', 0.2),
  win('CompatTelRunner.exe', 'CompatTelRunner.exe', 'Microsoft Compatibility Telemetry', 0.5),
  win('wuauclt.exe', 'wuauclt.exe', 'Windows Update', 0.3),
  win('UsoClient.exe', 'UsoClient', 'UsoClient', 0.3),
  win('MoUsoCoreWorker.exe', 'MoUsoCoreWorker.exe', 'MoUSO Core Worker Process', 0.5),
  win('TiWorker.exe', 'TiWorker.exe', 'Windows Modules Installer Worker', 0.5, '\\Windows\\WinSxS\\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.19041.5194_none_7e1e9bd5a1a3d5b1'),
  win('TrustedInstaller.exe', 'TrustedInstaller.exe', 'Windows Modules Installer', 0.3, '\\Windows\\servicing'),
  win('lsass.exe', 'lsass.exe', 'Local Security Authority Process', 0),
  win('services.exe', 'services.exe', 'Services and Controller app', 0),
  win('winlogon.exe', 'WINLOGON.EXE', 'Windows Logon Application', 0),
  win('csrss.exe', 'CSRSS.Exe', 'Client Server Runtime Process', 0),
  win('wininit.exe', 'WinInit.exe', 'Windows Start-Up Application', 0),
  win('spoolsv.exe', 'spoolsv.exe', 'Spooler SubSystem App', 0),
  {
    name: 'curl.exe', dir: S32, originalFileName: 'curl.exe', description: 'The curl executable', product: 'The curl executable',
    company: 'curl, https://curl.se/', fileVersion: '8.10.1', weight: 0.2,
  },
  {
    name: 'MpCmdRun.exe', dir: '\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0', originalFileName: 'MpCmdRun.exe',
    description: 'Microsoft Malware Protection Command Line Utility', product: WINOS, company: MS, fileVersion: '4.18.24090.11 (WinBuild.160101.0800)', weight: 0.5,
  },
  {
    name: 'MsMpEng.exe', dir: '\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0', originalFileName: 'MsMpEng.exe',
    description: 'Antimalware Service Executable', product: WINOS, company: MS, fileVersion: '4.18.24090.11 (WinBuild.160101.0800)', weight: 0,
  },
  {
    name: 'chrome.exe', dir: '\\Program Files\\Google\\Chrome\\Application', originalFileName: 'chrome.exe', description: 'Google Chrome',
    product: 'Google Chrome', company: 'Google LLC', fileVersion: '131.0.6778.86', weight: 6,
  },
  {
    name: 'msedge.exe', dir: '\\Program Files (x86)\\Microsoft\\Edge\\Application', originalFileName: 'msedge.exe', description: 'Microsoft Edge',
    product: 'Microsoft Edge', company: MS, fileVersion: '131.0.2903.70', weight: 4,
  },
  {
    name: 'firefox.exe', dir: '\\Program Files\\Mozilla Firefox', originalFileName: 'firefox.exe', description: 'Firefox', product: 'Firefox',
    company: 'Mozilla Corporation', fileVersion: '133.0', weight: 1,
  },
  {
    name: 'WINWORD.EXE', dir: '\\Program Files\\Microsoft Office\\root\\Office16', originalFileName: 'WinWord.exe', description: 'Microsoft Word',
    product: 'Microsoft Office', company: MS, fileVersion: '16.0.17928.20156', weight: 1,
  },
  {
    name: 'EXCEL.EXE', dir: '\\Program Files\\Microsoft Office\\root\\Office16', originalFileName: 'Excel.exe', description: 'Microsoft Excel',
    product: 'Microsoft Office', company: MS, fileVersion: '16.0.17928.20156', weight: 1,
  },
  {
    name: 'OUTLOOK.EXE', dir: '\\Program Files\\Microsoft Office\\root\\Office16', originalFileName: 'Outlook.exe', description: 'Microsoft Outlook',
    product: 'Microsoft Outlook', company: MS, fileVersion: '16.0.17928.20156', weight: 1,
  },
  {
    name: 'OneDrive.exe', dir: '\\Users\\{user}\\AppData\\Local\\Microsoft\\OneDrive', originalFileName: 'OneDrive.exe', description: 'Microsoft OneDrive',
    product: 'Microsoft OneDrive', company: MS, fileVersion: '24.221.1029.0001', weight: 1,
  },
  {
    name: 'Teams.exe', dir: '\\Users\\{user}\\AppData\\Local\\Microsoft\\Teams\\current', originalFileName: 'Teams.exe', description: 'Microsoft Teams',
    product: 'Microsoft Teams', company: MS, fileVersion: '1.7.00.13456', weight: 1,
  },
  {
    name: 'Code.exe', dir: '\\Users\\{user}\\AppData\\Local\\Programs\\Microsoft VS Code', originalFileName: 'electron.exe', description: 'Visual Studio Code',
    product: 'Visual Studio Code', company: MS, fileVersion: '1.95.3', weight: 1,
  },
  {
    name: '7z.exe', dir: '\\Program Files\\7-Zip', originalFileName: '7z.exe', description: '7-Zip Console', product: '7-Zip', company: 'Igor Pavlov',
    fileVersion: '23.01', weight: 0.3,
  },
  {
    name: 'notepad++.exe', dir: '\\Program Files\\Notepad++', originalFileName: 'notepad++.exe', description: 'Notepad++', product: 'Notepad++',
    company: 'Don HO don.h@free.fr', fileVersion: '8.6.9', weight: 0.3,
  },
  {
    name: 'git.exe', dir: '\\Program Files\\Git\\cmd', originalFileName: 'git.exe', description: 'Git for Windows', product: 'Git',
    company: 'The Git Development Community', fileVersion: '2.47.1.windows.1', weight: 0.5,
  },
  {
    name: 'python.exe', dir: '\\Users\\{user}\\AppData\\Local\\Programs\\Python\\Python312', originalFileName: 'python.exe', description: 'Python',
    product: 'Python', company: 'Python Software Foundation', fileVersion: '3.12.7', weight: 0.5,
  },
];

/** Known programs by lower-case file name. */
export const programsByName: ReadonlyMap<string, ProgramInfo> = new Map(knownPrograms.map((p) => [p.name.toLowerCase(), p]));

/** Programs that are started (weight > 0), as an arbitrary weighted by how common they are. */
export const startedProgram: fc.Arbitrary<ProgramInfo> = fc.oneof(
  ...knownPrograms.filter((p) => p.weight > 0).map((p) => ({ weight: Math.max(1, Math.round(p.weight * 10)), arbitrary: fc.constant(p) })),
);

/** DLLs loaded by nearly every process, in `System32`. */
export const systemDlls: readonly string[] = [
  'ntdll.dll', 'kernel32.dll', 'KernelBase.dll', 'user32.dll', 'advapi32.dll', 'msvcrt.dll', 'sechost.dll', 'rpcrt4.dll',
  'combase.dll', 'ole32.dll', 'oleaut32.dll', 'shell32.dll', 'ws2_32.dll', 'crypt32.dll', 'bcrypt.dll', 'wininet.dll',
  'winhttp.dll', 'dbghelp.dll', 'dbgcore.dll', 'amsi.dll', 'mscoree.dll', 'version.dll', 'uxtheme.dll', 'dwmapi.dll',
  'gdi32.dll', 'win32u.dll', 'imm32.dll', 'shlwapi.dll', 'cfgmgr32.dll', 'wintrust.dll', 'netapi32.dll', 'samlib.dll',
  'vaultcli.dll', 'dnsapi.dll', 'iphlpapi.dll', 'mswsock.dll', 'secur32.dll', 'sspicli.dll', 'cryptbase.dll',
  'profapi.dll', 'windows.storage.dll', 'wldp.dll', 'clbcatq.dll', 'taskschd.dll', 'wbemcomn.dll', 'urlmon.dll',
  'userenv.dll', 'powrprof.dll', 'ucrtbase.dll', 'msvcp_win.dll', 'gdi32full.dll', 'bcryptprimitives.dll',
];

/** Descriptions of the commonest DLLs (ImageLoaded metadata). */
export const dllDescriptions: Readonly<Record<string, string>> = {
  'ntdll.dll': 'NT Layer DLL',
  'kernel32.dll': 'Windows NT BASE API Client DLL',
  'kernelbase.dll': 'Windows NT BASE API Client DLL',
  'user32.dll': 'Multi-User Windows USER API Client DLL',
  'advapi32.dll': 'Advanced Windows 32 Base API',
  'msvcrt.dll': 'Windows NT CRT DLL',
  'combase.dll': 'Microsoft COM for Windows',
  'ole32.dll': 'Microsoft OLE for Windows',
  'shell32.dll': 'Windows Shell Common Dll',
  'ws2_32.dll': 'Windows Socket 2.0 32-Bit DLL',
  'crypt32.dll': 'Crypto API32',
  'wininet.dll': 'Internet Extensions for Win32',
  'winhttp.dll': 'Windows HTTP Services',
  'dbghelp.dll': 'Windows Image Helper',
  'dbgcore.dll': 'Windows Core Debugging Helpers',
  'amsi.dll': 'Anti-Malware Scan Interface',
  'mscoree.dll': 'Microsoft .NET Runtime Execution Engine',
  'version.dll': 'Version Checking and File Installation Libraries',
  'samlib.dll': 'SAM Library DLL',
  'vaultcli.dll': 'Credential Vault Client Library',
  'dnsapi.dll': 'DNS Client API DLL',
  'taskschd.dll': 'Task Scheduler COM API',
  'urlmon.dll': 'OLE32 Extensions for Win32',
};

const nouns = fakerPool(250, 0x5eed20, (f) => f.word.noun().toLowerCase()).filter((w) => /^[a-z]{3,12}$/.test(w));
const companies = fakerPool(60, 0x5eed21, (f) => f.company.name().replace(/[\\/:*?"<>|,]/g, '').trim());

/** Third-party or unknown executable names: `setup.exe`, `update_x64.exe`, `Bakery-2.4.1.exe`. */
export const unknownExecutableName: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 0, max: 6 }), oneOf(nouns), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 99 }))
  .map(([style, w, a, b]) => {
    switch (style) {
      case 0: return ['setup.exe', 'install.exe', 'update.exe', 'Updater.exe', 'launcher.exe', 'agent.exe', 'helper.exe'][a % 7] ?? 'setup.exe';
      case 1: return `${w}.exe`;
      case 2: return `${capitalise(w)}Setup.exe`;
      case 3: return `${w}_x64.exe`;
      case 4: return `${capitalise(w)}-${a}.${b % 10}.${b}.exe`;
      case 5: return `${w}${b}.exe`;
      default: return `${capitalise(w)}Service.exe`;
    }
  });

/** Executable names: known Windows / application binaries and unknown ones. */
export const executableName: fc.Arbitrary<string> = weighted<string>(
  [7, oneOf(knownPrograms.map((p) => p.name))],
  [3, unknownExecutableName],
);

/** DLL names: system DLLs, sometimes vendor / unknown ones. */
export const dllName: fc.Arbitrary<string> = weighted<string>(
  [8, oneOf(systemDlls)],
  [2, fc.tuple(oneOf(nouns), fc.constantFrom('', '32', '64', 'lib', 'core')).map(([w, s]) => `${w}${s}.dll`)],
);

const docExtensions = [
  'docx', 'xlsx', 'pdf', 'txt', 'log', 'tmp', 'ps1', 'bat', 'vbs', 'js', 'lnk', 'zip', 'iso', 'hta', 'msi', 'json', 'xml',
  'csv', 'png', 'jpg', 'etl', 'dat', 'ini', 'cab', 'db',
] as const;

/** Non-executable file names: `report 2026.docx`, `~DF1A2B.tmp`, `install.ps1`, `desktop.ini`. */
export const documentName: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 0, max: 5 }), oneOf(nouns), oneOf(nouns), oneOf(docExtensions), fc.integer({ min: 0, max: 0xffff }))
  .map(([style, a, b, ext, n]) => {
    switch (style) {
      case 0: return `${a}.${ext}`;
      case 1: return `${capitalise(a)} ${b}.${ext}`;
      case 2: return `${a}_${b}_${2020 + (n % 7)}.${ext}`;
      case 3: return `~DF${n.toString(16).toUpperCase().padStart(4, '0')}.tmp`;
      case 4: return `Invoice_${n}.${ext}`;
      default: return ['desktop.ini', 'NTUSER.DAT', 'thumbcache_256.db', 'index.dat', 'settings.json'][n % 5] ?? 'desktop.ini';
    }
  });

/** Any file name. */
export const fileName: fc.Arbitrary<string> = weighted<string>([4, executableName], [2, dllName], [4, documentName]);

/** Spellings Windows and Sysmon use for the system folders (Sysmon keeps the case it was given). */
const windowsRootSpellings = ['\\Windows', '\\Windows', '\\Windows', '\\WINDOWS'] as const;

function respellWindowsRoot(dir: string, variant: number): string {
  if (!dir.startsWith('\\Windows')) return dir;
  const root = windowsRootSpellings[variant % windowsRootSpellings.length] ?? '\\Windows';
  let rest = dir.slice('\\Windows'.length);
  if (variant % 3 === 0) rest = rest.replace(/^\\System32(?=\\|$)/, '\\system32');
  return root + rest;
}

/** A program's full path for a given user and spelling variant. */
export function programPath(p: ProgramInfo, user: string, variant = 1, drive = 'C:'): string {
  return `${drive}${respellWindowsRoot(fillUser(p.dir, user), variant)}\\${p.name}`;
}

/** A known program together with a concrete path to it. */
export const programWithPath: fc.Arbitrary<{ program: ProgramInfo; path: string }> = fc
  .tuple(startedProgram, accountName, fc.integer({ min: 0, max: 11 }))
  .map(([program, user, v]) => ({ program, path: programPath(program, user, v) }));

/** Folders with drive: system, program, user-writable, vendor data and data drives. */
export const directoryPath: fc.Arbitrary<string> = weighted<string>(
  [25, fc.tuple(oneOf(systemDirs), fc.integer({ min: 0, max: 11 })).map(([d, v]) => `C:${respellWindowsRoot(d, v)}`)],
  [15, oneOf(programDirs).map((d) => `C:${d}`)],
  [45, userWritableDir],
  [10, fc.tuple(oneOf(companies), oneOf(nouns)).map(([c, w]) => `C:\\ProgramData\\${c}\\${capitalise(w)}`)],
  [5, fc.tuple(fc.constantFrom('D:', 'E:'), fc.constantFrom('Data', 'Backup', 'Shares', 'Projects', 'Install'), oneOf(nouns)).map(([d, a, w]) => `${d}\\${a}\\${w}`)],
);

/** `CurrentDirectory` as Sysmon writes it: a folder with a trailing backslash. */
export const currentDirectory: fc.Arbitrary<string> = weighted<string>(
  [4, fc.constantFrom('C:\\Windows\\system32\\', 'C:\\WINDOWS\\system32\\', 'C:\\Windows\\System32\\')],
  [6, directoryPath.map((d) => `${d}\\`)],
);

/** Any file path: documents and binaries in all kinds of folders. */
export const filePath: fc.Arbitrary<string> = weighted<string>(
  [45, fc.tuple(userWritableDir, weighted<string>([3, documentName], [1, executableName])).map(([d, f]) => `${d}\\${f}`)],
  [20, fc.tuple(oneOf(systemDirs), weighted<string>([2, dllName], [1, executableName], [1, documentName])).map(([d, f]) => `C:${d}\\${f}`)],
  [15, fc.tuple(oneOf(programDirs), fileName).map(([d, f]) => `C:${d}\\${f}`)],
  [20, fc.tuple(directoryPath, documentName).map(([d, f]) => `${d}\\${f}`)],
);

/** Executable paths (`Image`, `ParentImage`): mostly known programs where they live, some droppers. */
export const imagePath: fc.Arbitrary<string> = weighted<string>(
  [85, programWithPath.map((p) => p.path)],
  [10, fc.tuple(userWritableDir, unknownExecutableName).map(([d, f]) => `${d}\\${f}`)],
  [5, fc.tuple(oneOf(programDirs), unknownExecutableName).map(([d, f]) => `C:${d}\\${f}`)],
);

/** DLL paths (`ImageLoaded`). */
export const dllPath: fc.Arbitrary<string> = weighted<string>(
  [75, fc.tuple(fc.constantFrom('C:\\Windows\\System32', 'C:\\Windows\\System32', 'C:\\Windows\\SysWOW64', 'C:\\WINDOWS\\SYSTEM32'), oneOf(systemDlls)).map(([d, f]) => `${d}\\${f}`)],
  [10, fc.tuple(oneOf(programDirs), dllName).map(([d, f]) => `C:${d}\\${f}`)],
  [5, fc.constantFrom(
    'C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\clr.dll',
    'C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\clrjit.dll',
    'C:\\Windows\\assembly\\NativeImages_v4.0.30319_64\\System\\8a1b2c3d4e5f60718293a4b5c6d7e8f9\\System.ni.dll',
    'C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MpOav.dll',
  )],
  [10, fc.tuple(userWritableDir, dllName).map(([d, f]) => `${d}\\${f}`)],
);

/**
 * The same string with letters' case changed: all lower, all upper or a random mix (shrinks
 * towards the original spelling). Windows paths are case-insensitive, so rules must be too.
 */
export function caseVariant(s: string): fc.Arbitrary<string> {
  return weighted<string>(
    [1, fc.constantFrom(s.toLowerCase(), s.toUpperCase())],
    [3, fc.mixedCase(fc.constant(s))],
  );
}

/** A path split into its root prefix and the rest (see `splitWindowsPath`). */
export interface WindowsPathParts {
  /** `drive` (`C:`), `long` (`\\?\C:`), `nt` (`\??\C:`), `unc` (`\\server\share`), `device` (`\Device\HarddiskVolume3`), `posix` (`/...`) or `none`. */
  readonly root: 'drive' | 'long' | 'nt' | 'unc' | 'device' | 'posix' | 'none';
  /** The prefix as written (`C:`, `\\?\C:`, `\\srv\share`, `\Device\HarddiskVolume3`; empty for `posix` and `none`). */
  readonly prefix: string;
  /** The drive letter (upper case) for the drive forms. */
  readonly drive?: string;
  /** Everything after the prefix (starts with a separator unless the path is relative). */
  readonly rest: string;
}

const rootForms: readonly [RegExp, WindowsPathParts['root']][] = [
  [/^\\\\\?\\([A-Za-z]):/, 'long'],
  [/^\\\?\?\\([A-Za-z]):/, 'nt'],
  [/^([A-Za-z]):/, 'drive'],
  [/^\\\\[^\\]+\\[^\\]+/, 'unc'],
  [/^\\Device\\[^\\]+/i, 'device'],
];

/** Splits a path into its root (drive, `\\?\` long form, `\??\` NT form, UNC share, device, POSIX) and the rest. */
export function splitWindowsPath(path: string): WindowsPathParts {
  for (const [re, root] of rootForms) {
    const m = re.exec(path);
    if (m === null) continue;
    const drive = m[1]?.toUpperCase();
    return drive === undefined ? { root, prefix: m[0], rest: path.slice(m[0].length) } : { root, prefix: m[0], drive, rest: path.slice(m[0].length) };
  }
  return path.startsWith('/') ? { root: 'posix', prefix: '', rest: path } : { root: 'none', prefix: '', rest: path };
}

/**
 * Whether `path` is a well-formed absolute Windows path: exactly one root (a drive `C:\`, `\\?\C:\`,
 * `\??\C:\`, a UNC share or a `\Device\...` volume), no doubled separator after it, no `/` mixed in,
 * and none of the characters Windows forbids in names (`<>:"|?*` and control characters).
 */
export function isValidWindowsPath(path: string): boolean {
  const parts = splitWindowsPath(path);
  if (parts.root === 'none' || parts.root === 'posix') return false;
  if (parts.rest !== '' && !parts.rest.startsWith('\\')) return false;
  if (parts.rest.includes('\\\\') || parts.rest.includes('/')) return false;
  // eslint-disable-next-line no-control-regex
  return !/[<>:"|?*\u0000-\u001f]/.test(parts.rest);
}

/** Folders any local user can write to on Linux (`{user}` stands for an account name). */
export const posixUserWritableDirs: readonly string[] = ['/tmp', '/var/tmp', '/dev/shm', '/home/{user}', '/home/{user}/.cache', '/home/{user}/.local/bin', '/run/user/1000'];

/**
 * The same file name somewhere else: in a user-writable folder, on another drive, in a
 * trailing-space mock of a Windows folder (`C:\Windows \System32\`) or in a copy of its own
 * folder tree under a user-writable one; user-writable places come first (values shrink towards
 * them). A POSIX path (`/usr/bin/sudo`) moves to Linux folders any user can write to (`/tmp`,
 * `/dev/shm`, a home folder). Windows results are well-formed (`isValidWindowsPath`): one root,
 * no doubled separators, whatever the original's root (`\\?\C:\`, UNC, `\Device\...`).
 * Never the original path (compared case-insensitively).
 * Used to check whether a path-based exclusion can be evaded by moving the binary.
 */
export function relocate(path: string): fc.Arbitrary<string> {
  const parts = splitWindowsPath(path);
  const original = path.toLowerCase();
  if (parts.root === 'posix') {
    const name = path.slice(path.lastIndexOf('/') + 1);
    const dir = path.slice(0, path.lastIndexOf('/'));
    const lastDir = dir.slice(dir.lastIndexOf('/') + 1);
    const place = fc.tuple(oneOf(posixUserWritableDirs), accountName).map(([t, u]) => fillUser(t, u.toLowerCase()));
    const candidates = [place.map((d) => `${d}/${name}`)];
    if (lastDir !== '') candidates.push(place.map((d) => `${d}/${lastDir}/${name}`));
    return fc.oneof(...candidates).filter((p) => p.toLowerCase() !== original);
  }
  // A path without a root is taken as relative to the root of the drive.
  const rest = parts.rest.startsWith('\\') ? parts.rest : `\\${parts.rest}`;
  const name = basename(rest);
  const dir = dirname(rest);
  const drive = parts.drive ?? 'C';
  const otherDrives = ['C', 'D', 'E', 'F'].filter((d) => d !== drive);
  const lastDir = basename(dir);
  const onDrive = (d: string, r: string): string => (parts.root === 'long' || parts.root === 'nt' ? `${parts.prefix.slice(0, -2)}${d}:${r}` : `${d}:${r}`);
  const candidates: fc.Arbitrary<string>[] = [
    userWritableDir.map((d) => `${d}\\${name}`),
    oneOf(otherDrives).map((d) => onDrive(d, rest)),
  ];
  if (/^\\Windows\\/i.test(rest)) candidates.push(fc.constant(onDrive(drive, `\\Windows ${rest.slice('\\Windows'.length)}`)));
  if (lastDir !== '') candidates.push(userWritableDir.map((d) => `${d}\\${lastDir}\\${name}`));
  return fc.oneof(...candidates).filter((p) => p.toLowerCase() !== original);
}

const homoglyphs: Readonly<Record<string, string>> = {
  a: '\u0430', c: '\u0441', e: '\u0435', o: '\u043e', p: '\u0440', x: '\u0445', y: '\u0443', i: '\u0456', s: '\u0455',
  A: '\u0410', C: '\u0421', E: '\u0415', O: '\u041e', P: '\u0420', X: '\u0425', S: '\u0405', M: '\u041c', T: '\u0422',
};

function splitExt(name: string): [string, string] {
  const i = name.lastIndexOf('.');
  return i <= 0 ? [name, ''] : [name.slice(0, i), name.slice(i)];
}

/**
 * A small set of realistic look-alikes of a file name (none equal to it, case-insensitively):
 * a Cyrillic homoglyph (`msiexeс.exe`), `m`→`rn` (`rnsiexec.exe`), `i`→`l`, `o`→`0`, swapped
 * letters (`scvhost.exe`), a dropped letter, a suffix (`msiexec64.exe`), a double extension
 * (`msiexec.exe.exe`) and a space before the extension (`msiexec .exe`).
 */
export function lookalikeNames(name: string): string[] {
  const [stem, ext] = splitExt(name);
  const out: string[] = [];
  const glyphAt = (() => {
    for (let i = stem.length - 1; i >= 0; i--) if (homoglyphs[stem.charAt(i)] !== undefined) return i;
    return -1;
  })();
  if (glyphAt >= 0) out.push(`${stem.slice(0, glyphAt)}${homoglyphs[stem.charAt(glyphAt)] ?? ''}${stem.slice(glyphAt + 1)}${ext}`);
  const sub = (from: RegExp, to: string): void => {
    if (from.test(stem)) out.push(stem.replace(from, to) + ext);
  };
  sub(/m/, 'rn');
  sub(/rn/, 'm');
  sub(/i/, 'l');
  sub(/o/, '0');
  sub(/l/, '1');
  if (stem.length >= 3) {
    out.push(stem.charAt(0) + stem.charAt(2) + stem.charAt(1) + stem.slice(3) + ext);
    const mid = Math.floor(stem.length / 2);
    out.push(stem.slice(0, mid) + stem.slice(mid + 1) + ext);
  }
  out.push(`${stem}64${ext}`);
  out.push(ext === '' ? `${name}.exe` : `${name}${ext}`);
  if (ext !== '') out.push(`${stem} ${ext}`);
  const lower = name.toLowerCase();
  return [...new Set(out)].filter((n) => n.toLowerCase() !== lower && n !== '');
}

/** One look-alike of `name` (see `lookalikeNames`). */
export function lookalikeName(name: string): fc.Arbitrary<string> {
  return oneOf(lookalikeNames(name));
}
