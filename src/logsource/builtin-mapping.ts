/**
 * The built-in logsource mapping: Windows (Sysmon categories, Security 4688 as the second source
 * of process_creation, PowerShell categories, the Windows services SigmaHQ uses and their event
 * log channels) and Sysmon for Linux. Sources: Sigma's taxonomy appendix (semantics doc §12),
 * pySigma's Windows service → channel table and SigmaHQ's THOR test configuration. Rules whose
 * logsource is not here run against every event (see `resolveLogsource`).
 */
import type { EventTitle, LogsourceEntry, LogsourceMapping } from './types.js';

/** The Sysmon for Windows event log channel. */
export const SYSMON_CHANNEL = 'Microsoft-Windows-Sysmon/Operational';
/** The Sysmon for Linux channel (as written by SysmonForLinux into syslog / converted EVTX-JSON). */
export const LINUX_SYSMON_CHANNEL = 'Linux-Sysmon/Operational';
const PS_CHANNELS = ['Microsoft-Windows-PowerShell/Operational', 'PowerShellCore/Operational'];
const PS_CLASSIC_CHANNEL = 'Windows PowerShell';

/** Sysmon event titles (Sysmon's own names of its event types). */
const SYSMON_EVENTS: Array<[number, string]> = [
  [1, 'Process creation'],
  [2, 'A process changed a file creation time'],
  [3, 'Network connection'],
  [4, 'Sysmon service state changed'],
  [5, 'Process terminated'],
  [6, 'Driver loaded'],
  [7, 'Image loaded'],
  [8, 'CreateRemoteThread'],
  [9, 'RawAccessRead'],
  [10, 'ProcessAccess'],
  [11, 'FileCreate'],
  [12, 'RegistryEvent (Object create and delete)'],
  [13, 'RegistryEvent (Value Set)'],
  [14, 'RegistryEvent (Key and Value Rename)'],
  [15, 'FileCreateStreamHash'],
  [16, 'ServiceConfigurationChange'],
  [17, 'PipeEvent (Pipe Created)'],
  [18, 'PipeEvent (Pipe Connected)'],
  [19, 'WmiEvent (WmiEventFilter activity detected)'],
  [20, 'WmiEvent (WmiEventConsumer activity detected)'],
  [21, 'WmiEvent (WmiEventConsumerToFilter activity detected)'],
  [22, 'DNSEvent (DNS query)'],
  [23, 'FileDelete (File Delete archived)'],
  [24, 'ClipboardChange (New content in the clipboard)'],
  [25, 'ProcessTampering (Process image change)'],
  [26, 'FileDeleteDetected (File Delete logged)'],
  [27, 'FileBlockExecutable'],
  [28, 'FileBlockShredding'],
  [29, 'FileExecutableDetected'],
  [255, 'Error'],
];

/** Windows categories served by Sysmon: category → event IDs. */
const SYSMON_CATEGORIES: Array<[string, number[]]> = [
  ['process_creation', [1]],
  ['file_change', [2]],
  ['network_connection', [3]],
  ['sysmon_status', [4, 16]],
  ['process_termination', [5]],
  ['driver_load', [6]],
  ['image_load', [7]],
  ['create_remote_thread', [8]],
  ['raw_access_thread', [9]],
  ['process_access', [10]],
  ['file_event', [11]],
  ['registry_event', [12, 13, 14]],
  ['registry_add', [12]],
  ['registry_delete', [12]],
  ['registry_set', [13]],
  ['registry_rename', [14]],
  ['create_stream_hash', [15]],
  ['pipe_created', [17, 18]],
  ['wmi_event', [19, 20, 21]],
  ['dns_query', [22]],
  ['file_delete', [23]],
  ['clipboard_capture', [24]],
  ['process_tampering', [25]],
  ['file_delete_detected', [26]],
  ['file_block_executable', [27]],
  ['file_block_shredding', [28]],
  ['file_executable_detected', [29]],
  ['sysmon_error', [255]],
];

/** Windows services (SigmaHQ names) → event log channels. */
const WINDOWS_SERVICES: Array<[string, string[]]> = [
  ['security', ['Security']],
  ['system', ['System']],
  ['application', ['Application']],
  ['sysmon', [SYSMON_CHANNEL]],
  ['powershell', PS_CHANNELS],
  ['powershell-classic', [PS_CLASSIC_CHANNEL]],
  ['taskscheduler', ['Microsoft-Windows-TaskScheduler/Operational']],
  ['wmi', ['Microsoft-Windows-WMI-Activity/Operational']],
  ['windefend', ['Microsoft-Windows-Windows Defender/Operational']],
  ['dns-server', ['DNS Server']],
  ['dns-server-audit', ['Microsoft-Windows-DNS-Server/Audit']],
  ['dns-server-analytic', ['Microsoft-Windows-DNS-Server/Analytical']],
  ['dns-client', ['Microsoft-Windows-DNS Client Events/Operational']],
  ['driver-framework', ['Microsoft-Windows-DriverFrameworks-UserMode/Operational']],
  ['ntlm', ['Microsoft-Windows-NTLM/Operational']],
  ['dhcp', ['Microsoft-Windows-DHCP-Server/Operational']],
  ['msexchange-management', ['MSExchange Management']],
  [
    'applocker',
    [
      'Microsoft-Windows-AppLocker/MSI and Script',
      'Microsoft-Windows-AppLocker/EXE and DLL',
      'Microsoft-Windows-AppLocker/Packaged app-Deployment',
      'Microsoft-Windows-AppLocker/Packaged app-Execution',
    ],
  ],
  ['printservice-admin', ['Microsoft-Windows-PrintService/Admin']],
  ['printservice-operational', ['Microsoft-Windows-PrintService/Operational']],
  ['codeintegrity-operational', ['Microsoft-Windows-CodeIntegrity/Operational']],
  ['smbclient-security', ['Microsoft-Windows-SmbClient/Security']],
  ['smbclient-connectivity', ['Microsoft-Windows-SmbClient/Connectivity']],
  ['smbserver-connectivity', ['Microsoft-Windows-SMBServer/Connectivity']],
  ['firewall-as', ['Microsoft-Windows-Windows Firewall With Advanced Security/Firewall']],
  ['bits-client', ['Microsoft-Windows-Bits-Client/Operational']],
  ['terminalservices-localsessionmanager', ['Microsoft-Windows-TerminalServices-LocalSessionManager/Operational']],
  ['microsoft-servicebus-client', ['Microsoft-ServiceBus-Client', 'Microsoft-ServiceBus-Client/Admin', 'Microsoft-ServiceBus-Client/Operational']],
  ['ldap', ['Microsoft-Windows-LDAP-Client/Debug']],
  ['ldap_debug', ['Microsoft-Windows-LDAP-Client/Debug']],
  ['security-mitigations', ['Microsoft-Windows-Security-Mitigations/Kernel Mode', 'Microsoft-Windows-Security-Mitigations/User Mode']],
  ['diagnosis-scripted', ['Microsoft-Windows-Diagnosis-Scripted/Operational']],
  ['shell-core', ['Microsoft-Windows-Shell-Core/Operational']],
  ['openssh', ['OpenSSH/Operational']],
  ['bitlocker', ['Microsoft-Windows-BitLocker/BitLocker Management']],
  ['vhdmp', ['Microsoft-Windows-VHDMP/Operational']],
  ['appxdeployment-server', ['Microsoft-Windows-AppXDeploymentServer/Operational']],
  ['appxpackaging-om', ['Microsoft-Windows-AppxPackaging/Operational']],
  ['appmodel-runtime', ['Microsoft-Windows-AppModel-Runtime/Admin']],
  ['lsa-server', ['Microsoft-Windows-LSA/Operational']],
  ['capi2', ['Microsoft-Windows-CAPI2/Operational']],
  ['certificateservicesclient-lifecycle-system', ['Microsoft-Windows-CertificateServicesClient-Lifecycle-System/Operational']],
  ['kernel-shimengine', ['Microsoft-Windows-Kernel-ShimEngine/Operational', 'Microsoft-Windows-Kernel-ShimEngine/Diagnostic']],
  ['iis-configuration', ['Microsoft-IIS-Configuration/Operational']],
  ['sense', ['Microsoft-Windows-SENSE/Operational']],
  ['ntfs', ['Microsoft-Windows-Ntfs/Operational']],
];

function titles(channel: string, provider: string, events: Array<[number, string]>): EventTitle[] {
  return events.map(([eventId, title]) => ({ channel, eventId, provider, title }));
}

function buildBuiltinMapping(): LogsourceMapping {
  const logsources: LogsourceEntry[] = [];
  const windows = (category: string | undefined, service: string | undefined, sources: LogsourceEntry['sources']): void => {
    const e: LogsourceEntry = { product: 'windows', sources };
    if (category !== undefined) e.category = category;
    if (service !== undefined) e.service = service;
    logsources.push(e);
  };

  for (const [category, eventIds] of SYSMON_CATEGORIES) {
    const sources: LogsourceEntry['sources'] = [{ channels: [SYSMON_CHANNEL], eventIds }];
    if (category === 'process_creation') sources.push({ channels: ['Security'], eventIds: [4688] });
    windows(category, undefined, sources);
  }
  windows('ps_module', undefined, [{ channels: PS_CHANNELS, eventIds: [4103] }]);
  windows('ps_script', undefined, [{ channels: PS_CHANNELS, eventIds: [4104] }]);
  windows('ps_classic_start', undefined, [{ channels: [PS_CLASSIC_CHANNEL], eventIds: [400] }]);
  windows('ps_classic_provider_start', undefined, [{ channels: [PS_CLASSIC_CHANNEL], eventIds: [600] }]);
  windows('ps_classic_script', undefined, [{ channels: [PS_CLASSIC_CHANNEL], eventIds: [800] }]);
  // ETW-only categories: no channel, recognised by provider.
  windows('file_access', undefined, [{ provider: 'Microsoft-Windows-Kernel-File' }]);
  windows('file_rename', undefined, [{ provider: 'Microsoft-Windows-Kernel-File' }]);
  for (const [service, channels] of WINDOWS_SERVICES) windows(undefined, service, [{ channels }]);
  // `product: windows` alone: known, and applied to every event (no reliable "is Windows" test).
  windows(undefined, undefined, [{}]);

  for (const [category, eventIds] of [
    ['process_creation', [1]],
    ['network_connection', [3]],
    ['file_event', [11]],
  ] as Array<[string, number[]]>) {
    logsources.push({ category, product: 'linux', sources: [{ channels: [LINUX_SYSMON_CHANNEL], eventIds }] });
  }
  logsources.push({ product: 'linux', sources: [{}] });

  const events: EventTitle[] = [
    ...titles(SYSMON_CHANNEL, 'Sysmon', SYSMON_EVENTS),
    { channel: 'Security', eventId: 4688, provider: 'Microsoft-Windows-Security-Auditing', title: 'A new process has been created.' },
    ...PS_CHANNELS.flatMap((ch) =>
      titles(ch, ch.startsWith('PowerShellCore') ? 'PowerShellCore' : 'Microsoft-Windows-PowerShell', [
        [4103, 'Module logging'],
        [4104, 'Script block logging'],
      ]),
    ),
    ...titles(PS_CLASSIC_CHANNEL, 'PowerShell', [
      [400, 'Engine state changed (Engine Lifecycle)'],
      [600, 'Provider started (Provider Lifecycle)'],
      [800, 'Pipeline execution details'],
    ]),
    ...titles(LINUX_SYSMON_CHANNEL, 'Sysmon for Linux', [
      [1, 'Process creation'],
      [3, 'Network connection'],
      [11, 'FileCreate'],
    ]),
  ];
  return { logsources, events };
}

/** Freezes plain data all the way down, so that no caller can change the shared built-in mapping. */
function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/** The built-in mapping (Windows and Sysmon for Linux); deeply frozen. */
export const builtinMapping: LogsourceMapping = deepFreeze(buildBuiltinMapping());
