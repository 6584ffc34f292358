/**
 * The built-in logsource mapping: Windows (Sysmon categories, with the Security events that serve
 * some of them and how those look to the category's rules: 4688 for process_creation, 4657 for
 * the registry categories, 4663 on files for file_access, 5156 for network_connection; PowerShell
 * categories, the Windows services SigmaHQ uses and their event
 * log channels) and Sysmon for Linux. Sources: Sigma's taxonomy appendix (semantics doc §12),
 * pySigma's Windows service → channel table and SigmaHQ's THOR test configuration. Rules whose
 * logsource is not here run against every event (see `resolveLogsource`).
 */
import type { EventTitle, FieldDerivation, LogsourceEntry, LogsourceMapping, Source } from './types.js';

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

/** Shorthands for field derivations. */
function copy(field: string, ...from: string[]): FieldDerivation {
  return { field, from: from.map((f) => [f]), transform: 'copy' };
}
function derive(field: string, transform: FieldDerivation['transform'], ...from: string[][]): FieldDerivation {
  return { field, from, transform };
}

/** The Subject account of a Security event, as Sysmon's `User`. */
const SUBJECT_USER = derive('User', 'account', ['SubjectUserSid', 'SubjectDomainName', 'SubjectUserName']);

/**
 * Security 4688 (a new process has been created) as a Sysmon 1 event. Version 2 (Windows 10 /
 * Server 2016 on) adds ParentProcessName, MandatoryLabel and the Target* account of the new
 * process; in version 0/1 those fields are unknown. Process ids are hexadecimal (`0xe74`); the
 * creator's id is `ProcessId`. The new process runs as the Target account when one is named,
 * else as the Subject (SYSTEM's processes are logged with the machine account `HOST$` as
 * Subject, Sysmon names them `NT AUTHORITY\SYSTEM`). An empty CommandLine means command-line
 * auditing is off: unknown, not empty. Sysmon 1 fields 4688 never records are unavailable.
 */
const SECURITY_4688: Source = {
  channels: ['Security'],
  eventIds: [4688],
  fields: [
    copy('Image', 'NewProcessName'),
    copy('ParentImage', 'ParentProcessName'),
    copy('CommandLine', 'CommandLine'),
    derive('ProcessId', 'number', ['NewProcessId']),
    derive('ParentProcessId', 'number', ['ProcessId']),
    derive('User', 'account', ['TargetUserSid', 'TargetDomainName', 'TargetUserName'], ['SubjectUserSid', 'SubjectDomainName', 'SubjectUserName']),
    derive('LogonId', 'logon-id', ['TargetLogonId', 'TargetUserName', 'SubjectLogonId']),
    derive('IntegrityLevel', 'integrity-level', ['MandatoryLabel']),
  ],
  unavailable: [
    'OriginalFileName', 'Hashes', 'Company', 'Description', 'Product', 'FileVersion', 'CurrentDirectory', 'ParentCommandLine', 'ParentUser',
    'ProcessGuid', 'ParentProcessGuid', 'LogonGuid', 'TerminalSessionId', 'UtcTime', 'RuleName',
  ],
};

/** Security 4657 (a registry value was modified) as a Sysmon registry event: 12 (value deleted) or 13 (value set). */
function security4657(operations: Array<[string, string]>): Source {
  return {
    channels: ['Security'],
    eventIds: [4657],
    where: { OperationType: operations.map(([op]) => op) },
    fields: [
      { field: 'EventType', from: [['OperationType']], transform: 'values', values: Object.fromEntries(operations) },
      derive('TargetObject', 'registry-path', ['ObjectName', 'ObjectValueName']),
      derive('Details', 'registry-details', ['NewValueType', 'NewValue']),
      copy('Image', 'ProcessName'),
      derive('ProcessId', 'number', ['ProcessId']),
      SUBJECT_USER,
    ],
    unavailable: ['ProcessGuid', 'UtcTime', 'RuleName'],
  };
}
/** 4657 OperationType: %%1904 a new value created, %%1905 an existing value modified (Sysmon: SetValue), %%1906 a value deleted (DeleteValue); also as rendered text. */
const SET_VALUE: Array<[string, string]> = [
  ['%%1904', 'SetValue'],
  ['%%1905', 'SetValue'],
  ['New registry value created', 'SetValue'],
  ['Existing registry value modified', 'SetValue'],
];
const DELETE_VALUE: Array<[string, string]> = [
  ['%%1906', 'DeleteValue'],
  ['Registry value deleted', 'DeleteValue'],
];

/** Security 4663 (an attempt was made to access an object) on a file, as a file_access event. */
const SECURITY_4663_FILE: Source = {
  channels: ['Security'],
  eventIds: [4663],
  where: { ObjectType: ['File'] },
  fields: [copy('FileName', 'ObjectName'), copy('Image', 'ProcessName'), derive('ProcessId', 'number', ['ProcessId']), SUBJECT_USER],
};

/**
 * Security 5156 (the Windows Filtering Platform has permitted a connection) as a Sysmon 3 event.
 * WFP names the local end Source and the remote end Destination in both directions (Microsoft's
 * inbound example: a listener on SourcePort 3333); Sysmon names the initiator Source. The
 * Application is a device path (`\device\harddiskvolume2\...`) whose drive letter the event does
 * not tell: Image is unknown, as are the user and host names Sysmon adds.
 */
const OUTBOUND = { Direction: ['%%14593', 'Outbound'] };
const INBOUND = { Direction: ['%%14592', 'Inbound'] };
function endpoints(local: 'Source' | 'Destination', when: Record<string, string[]>): FieldDerivation[] {
  const remote = local === 'Source' ? 'Destination' : 'Source';
  return [
    { field: `${local}Ip`, from: [['SourceAddress']], transform: 'copy', when },
    { field: `${local}Port`, from: [['SourcePort']], transform: 'number', when },
    { field: `${local}IsIpv6`, from: [['SourceAddress']], transform: 'is-ipv6', when },
    { field: `${remote}Ip`, from: [['DestAddress']], transform: 'copy', when },
    { field: `${remote}Port`, from: [['DestPort']], transform: 'number', when },
    { field: `${remote}IsIpv6`, from: [['DestAddress']], transform: 'is-ipv6', when },
  ];
}
const SECURITY_5156: Source = {
  channels: ['Security'],
  eventIds: [5156],
  fields: [
    derive('ProcessId', 'number', ['ProcessID']),
    { field: 'Protocol', from: [['Protocol']], transform: 'values', values: { '6': 'tcp', '17': 'udp' } },
    { field: 'Initiated', from: [['Direction']], transform: 'values', values: { '%%14593': 'true', Outbound: 'true', '%%14592': 'false', Inbound: 'false' } },
    ...endpoints('Source', OUTBOUND),
    ...endpoints('Destination', INBOUND),
  ],
  unavailable: ['Image', 'User', 'SourceHostname', 'DestinationHostname', 'SourcePortName', 'DestinationPortName', 'ProcessGuid', 'UtcTime', 'RuleName'],
};

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

  // Other Windows sources of Sysmon-named categories, each with how its events look to those rules.
  const alsoFrom: Record<string, Source[]> = {
    process_creation: [SECURITY_4688],
    registry_set: [security4657(SET_VALUE)],
    registry_delete: [security4657(DELETE_VALUE)],
    registry_event: [security4657([...SET_VALUE, ...DELETE_VALUE])],
    network_connection: [SECURITY_5156],
  };
  for (const [category, eventIds] of SYSMON_CATEGORIES) {
    windows(category, undefined, [{ channels: [SYSMON_CHANNEL], eventIds }, ...(alsoFrom[category] ?? [])]);
  }
  windows('ps_module', undefined, [{ channels: PS_CHANNELS, eventIds: [4103] }]);
  windows('ps_script', undefined, [{ channels: PS_CHANNELS, eventIds: [4104] }]);
  windows('ps_classic_start', undefined, [{ channels: [PS_CLASSIC_CHANNEL], eventIds: [400] }]);
  windows('ps_classic_provider_start', undefined, [{ channels: [PS_CLASSIC_CHANNEL], eventIds: [600] }]);
  windows('ps_classic_script', undefined, [{ channels: [PS_CLASSIC_CHANNEL], eventIds: [800] }]);
  // ETW-only categories: no channel, recognised by provider.
  windows('file_access', undefined, [{ provider: 'Microsoft-Windows-Kernel-File' }, SECURITY_4663_FILE]);
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
    ...titles('Security', 'Microsoft-Windows-Security-Auditing', [
      [4688, 'A new process has been created.'],
      [4657, 'A registry value was modified.'],
      [4663, 'An attempt was made to access an object.'],
      [5156, 'The Windows Filtering Platform has permitted a connection.'],
    ]),
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
