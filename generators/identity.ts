/**
 * Identities: account names (`jsmith`), qualified users (`CONTOSO\jsmith`, `NT AUTHORITY\SYSTEM`),
 * SIDs (domain `S-1-5-21-a-b-c-RID` and well-known), AD / NetBIOS domains, computer names and
 * logon IDs.
 */
import fc from 'fast-check';
import { capitalise, fakerPool, oneOf, weighted } from './common.js';

/** An Active Directory domain: its NetBIOS name and DNS name. */
export interface AdDomain {
  readonly netbios: string;
  readonly dns: string;
}

/** A handful of realistic AD domains (all on reserved or fictitious names). */
export const adDomains: readonly AdDomain[] = [
  { netbios: 'CONTOSO', dns: 'contoso.local' },
  { netbios: 'CORP', dns: 'corp.example.com' },
  { netbios: 'FABRIKAM', dns: 'fabrikam.com' },
  { netbios: 'NORTHWIND', dns: 'northwind.local' },
  { netbios: 'ACME', dns: 'ad.acme.org' },
  { netbios: 'LAB', dns: 'lab.internal' },
];

/** An AD domain record. */
export const adDomainRecord: fc.Arbitrary<AdDomain> = oneOf(adDomains);
/** A NetBIOS domain name (`CONTOSO`), as in `SubjectDomainName` and `DOMAIN\user`. */
export const netbiosDomain: fc.Arbitrary<string> = adDomainRecord.map((d) => d.netbios);
/** An AD DNS domain name (`contoso.local`). */
export const adDomain: fc.Arbitrary<string> = adDomainRecord.map((d) => d.dns);

const firstNames = fakerPool(200, 0x5eed01, (f) => f.person.firstName().replace(/[^A-Za-z]/g, '')).filter((n) => n.length > 1);
const lastNames = fakerPool(200, 0x5eed02, (f) => f.person.lastName().replace(/[^A-Za-z]/g, '')).filter((n) => n.length > 1);

/** Service, admin and built-in account names seen in Windows environments. */
export const builtinAccountNames: readonly string[] = [
  'Administrator', 'admin', 'Guest', 'DefaultAccount', 'WDAGUtilityAccount', 'krbtgt', 'svc_backup',
  'svc_sql', 'svc_iis', 'svc_scan', 'sqlservice', 'helpdesk', 'scanner', 'backupadmin', 'veeam',
];

/** Account names derived from people: `jsmith`, `john.smith`, `smithj`, `adm-jsmith`, `John`. */
const personAccount: fc.Arbitrary<string> = fc
  .tuple(oneOf(firstNames), oneOf(lastNames), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 99 }))
  .map(([first, last, style, n]) => {
    const f = first.toLowerCase();
    const l = last.toLowerCase();
    switch (style) {
      case 0: return `${f.charAt(0)}${l}`;
      case 1: return `${f}.${l}`;
      case 2: return `${l}${f.charAt(0)}`;
      case 3: return `adm-${f.charAt(0)}${l}`;
      case 4: return capitalise(f);
      default: return `${f.charAt(0)}${l}${n}`;
    }
  });

/** A bare account name (`TargetUserName`, the `<user>` of profile paths). */
export const accountName: fc.Arbitrary<string> = weighted<string>([85, personAccount], [15, oneOf(builtinAccountNames)]);

/** Computer names: `DESKTOP-4F2K9QL`, `LAPTOP-7HJ2K1PQ`, `WIN-3J5K8L2M4N6`, `WS-FIN-042`, `DC01`, `SRV-SQL02`. */
export const computerName: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 0, max: 6 }), fc.noBias(fc.integer({ min: 0, max: 36 ** 11 - 1 })), fc.integer({ min: 1, max: 299 }), fc.integer({ min: 0, max: 7 }))
  .map(([style, r, n, dept]) => {
    const rnd = r.toString(36).toUpperCase().padStart(11, '0');
    const d = ['FIN', 'HR', 'IT', 'OPS', 'DEV', 'SALES', 'LEGAL', 'MKT'][dept] ?? 'IT';
    switch (style) {
      case 0:
      case 1: return `DESKTOP-${rnd.slice(0, 7)}`;
      case 2: return `LAPTOP-${rnd.slice(0, 8)}`;
      case 3: return `WIN-${rnd}`;
      case 4: return `WS-${d}-${String(n).padStart(3, '0')}`;
      case 5: return ['DC', 'FS', 'SQL', 'EXCH', 'WEB', 'APP'][dept % 6] + String((n % 12) + 1).padStart(2, '0');
      default: return `SRV-${['SQL', 'FILE', 'PRINT', 'WSUS', 'CA', 'BACKUP', 'IIS', 'RDS'][dept] ?? 'APP'}${String((n % 20) + 1).padStart(2, '0')}`;
    }
  });

/** A fully qualified computer name (`DESKTOP-4F2K9QL.contoso.local`), as in the EVTX `Computer` field. */
export const computerFqdn: fc.Arbitrary<string> = fc.tuple(computerName, adDomain).map(([c, d]) => `${c}.${d}`);

/** A machine account name: `DESKTOP-4F2K9QL$`. */
export const machineAccountName: fc.Arbitrary<string> = computerName.map((c) => `${c}$`);

/** Qualified users that are not domain accounts (service identities, session managers). */
export const wellKnownUsers: readonly string[] = [
  'NT AUTHORITY\\SYSTEM',
  'NT AUTHORITY\\LOCAL SERVICE',
  'NT AUTHORITY\\NETWORK SERVICE',
  'NT AUTHORITY\\ANONYMOUS LOGON',
  'NT AUTHORITY\\IUSR',
  'Window Manager\\DWM-1',
  'Window Manager\\DWM-2',
  'Font Driver Host\\UMFD-0',
  'Font Driver Host\\UMFD-1',
  'NT SERVICE\\TrustedInstaller',
  'IIS APPPOOL\\DefaultAppPool',
];

/** A qualified user as Sysmon writes `User`: `CONTOSO\jsmith`, `NT AUTHORITY\SYSTEM`, `DESKTOP-X\admin`. */
export const qualifiedUser: fc.Arbitrary<string> = weighted<string>(
  [55, fc.tuple(netbiosDomain, accountName).map(([d, a]) => `${d}\\${a}`)],
  [25, fc.constant('NT AUTHORITY\\SYSTEM')],
  [10, oneOf(wellKnownUsers)],
  [10, fc.tuple(computerName, accountName).map(([c, a]) => `${c}\\${a}`)],
);

/** A user principal name: `jsmith@contoso.local`. */
export const userPrincipalName: fc.Arbitrary<string> = fc.tuple(accountName, adDomain).map(([a, d]) => `${a}@${d}`);

/** Well-known SIDs by name. */
export const wellKnownSids = {
  NULL: 'S-1-0-0',
  EVERYONE: 'S-1-1-0',
  LOCAL: 'S-1-2-0',
  CREATOR_OWNER: 'S-1-3-0',
  NETWORK: 'S-1-5-2',
  INTERACTIVE: 'S-1-5-4',
  ANONYMOUS_LOGON: 'S-1-5-7',
  AUTHENTICATED_USERS: 'S-1-5-11',
  SYSTEM: 'S-1-5-18',
  LOCAL_SERVICE: 'S-1-5-19',
  NETWORK_SERVICE: 'S-1-5-20',
  ADMINISTRATORS: 'S-1-5-32-544',
  USERS: 'S-1-5-32-545',
  GUESTS: 'S-1-5-32-546',
  REMOTE_DESKTOP_USERS: 'S-1-5-32-555',
  TRUSTED_INSTALLER: 'S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464',
  LOW_INTEGRITY: 'S-1-16-4096',
  MEDIUM_INTEGRITY: 'S-1-16-8192',
  HIGH_INTEGRITY: 'S-1-16-12288',
  SYSTEM_INTEGRITY: 'S-1-16-16384',
} as const;

/** A well-known SID. */
export const wellKnownSid: fc.Arbitrary<string> = oneOf(Object.values(wellKnownSids));

const sidSubAuthority = fc.noBias(fc.integer({ min: 100_000_000, max: 4_294_967_295 }));

/** The domain (or machine) part of a SID: `S-1-5-21-1004336348-1177238915-682003330`. */
export const domainSidPrefix: fc.Arbitrary<string> = fc
  .tuple(sidSubAuthority, sidSubAuthority, sidSubAuthority)
  .map(([a, b, c]) => `S-1-5-21-${a}-${b}-${c}`);

/** A user's SID: domain prefix and a user RID (1000 and up, sometimes 500 Administrator). */
export const userSid: fc.Arbitrary<string> = fc
  .tuple(domainSidPrefix, weighted<number>([9, fc.integer({ min: 1000, max: 99_999 })], [1, fc.constantFrom(500, 501)]))
  .map(([p, rid]) => `${p}-${rid}`);

/** A domain SID with a user or a group RID (512 Domain Admins, 513, 515, 516, 519...). */
export const domainSid: fc.Arbitrary<string> = weighted<string>(
  [8, userSid],
  [2, fc.tuple(domainSidPrefix, fc.constantFrom(502, 512, 513, 515, 516, 518, 519, 520)).map(([p, r]) => `${p}-${r}`)],
);

/** Any SID, mostly domain SIDs, often well-known ones. */
export const sid: fc.Arbitrary<string> = weighted<string>([6, domainSid], [4, wellKnownSid]);

/** Logon IDs as Windows writes them (`0x3e7` SYSTEM, `0x3e4`/`0x3e5` services, `0x1a2b3c` users). */
export const logonId: fc.Arbitrary<string> = weighted<string>(
  [3, fc.constantFrom('0x3e7', '0x3e4', '0x3e5')],
  [7, fc.integer({ min: 0x10000, max: 0xfffffff }).map((n) => `0x${n.toString(16)}`)],
);
