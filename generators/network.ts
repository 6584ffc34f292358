/**
 * Network values: IPv4 (private, public, loopback, link-local, multicast), IPv6 (full,
 * Sysmon-style and RFC 5952 compressed spellings), ports, DNS domains, host names and URLs.
 */
import fc from 'fast-check';
import { fakerPool, oneOf, weighted } from './common.js';
import { adDomain, computerName } from './identity.js';

const octet = fc.integer({ min: 0, max: 255 });
const hostOctet = fc.integer({ min: 1, max: 254 });

/** RFC 1918 addresses: 10/8, 172.16/12, 192.168/16. */
export const privateIpv4: fc.Arbitrary<string> = weighted<string>(
  [4, fc.tuple(octet, octet, hostOctet).map(([b, c, d]) => `10.${b}.${c}.${d}`)],
  [2, fc.tuple(fc.integer({ min: 16, max: 31 }), octet, hostOctet).map(([b, c, d]) => `172.${b}.${c}.${d}`)],
  [4, fc.tuple(fc.integer({ min: 0, max: 10 }), hostOctet).map(([c, d]) => `192.168.${c}.${d}`)],
);

/** First octets of public ranges (cloud, CDN and ISP space); none private or reserved. */
const publicFirstOctets = [
  4, 8, 13, 20, 23, 31, 34, 35, 40, 45, 51, 52, 54, 62, 64, 66, 69, 72, 77, 80, 81, 88, 91, 93, 95, 104, 109, 140,
  142, 151, 157, 162, 176, 178, 185, 188, 193, 195, 199, 204, 207, 209, 212, 213, 216,
] as const;

/** Public IPv4 addresses (and a few famous resolvers). */
export const publicIpv4: fc.Arbitrary<string> = weighted<string>(
  [9, fc.tuple(oneOf(publicFirstOctets), octet, octet, hostOctet).map(([a, b, c, d]) => `${a}.${b}.${c}.${d}`)],
  [1, fc.constantFrom('8.8.8.8', '1.1.1.1', '9.9.9.9', '208.67.222.222')],
);

/** Any IPv4 address, weighted like endpoint telemetry (mostly internal, much public). */
export const ipv4: fc.Arbitrary<string> = weighted<string>(
  [52, privateIpv4],
  [36, publicIpv4],
  [6, fc.constant('127.0.0.1')],
  [2, fc.tuple(octet, hostOctet).map(([c, d]) => `169.254.${c}.${d}`)],
  [4, fc.constantFrom('224.0.0.251', '224.0.0.252', '239.255.255.250', '255.255.255.255', '0.0.0.0')],
);

/** How an IPv6 address is spelled. */
export type Ipv6Form = 'full' | 'sysmon' | 'compressed';

/**
 * Spells 8 groups of 16 bits: `full` pads every group to 4 digits (`2001:0db8:0000:...`),
 * `sysmon` drops leading zeros but keeps every group (`fe80:0:0:0:1c2b:...`, as Sysmon writes),
 * `compressed` is RFC 5952 (leading zeros dropped, the longest run of 2+ zero groups as `::`).
 */
export function formatIpv6(groups: readonly number[], form: Ipv6Form, upper = false): string {
  if (groups.length !== 8 || groups.some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff)) {
    throw new Error('formatIpv6: expected 8 groups of 16 bits');
  }
  let out: string;
  if (form === 'full') out = groups.map((g) => g.toString(16).padStart(4, '0')).join(':');
  else if (form === 'sysmon') out = groups.map((g) => g.toString(16)).join(':');
  else {
    let bestStart = -1;
    let bestLen = 1;
    for (let i = 0; i < 8; ) {
      if (groups[i] !== 0) {
        i++;
        continue;
      }
      let j = i;
      while (j < 8 && groups[j] === 0) j++;
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    const hex = groups.map((g) => g.toString(16));
    out = bestStart < 0
      ? hex.join(':')
      : `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
  }
  return upper ? out.toUpperCase() : out;
}

/** Parses an IPv6 address (any spelling, with `::` and an embedded dotted IPv4) into 8 groups. */
export function parseIpv6(address: string): number[] | undefined {
  let text = address.trim();
  const tail: number[] = [];
  if (text.includes('.')) {
    const idx = text.lastIndexOf(':');
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text.slice(idx + 1));
    if (idx < 0 || m === null) return undefined;
    const o = m.slice(1, 5).map(Number);
    if (o.some((x) => x > 255)) return undefined;
    tail.push(((o[0] ?? 0) << 8) | (o[1] ?? 0), ((o[2] ?? 0) << 8) | (o[3] ?? 0));
    text = text.slice(0, idx + 1);
    if (!text.endsWith('::')) text = text.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0] ?? '');
  const rest = halves.length === 2 ? parse(halves[1] ?? '') : [];
  if (head === undefined || rest === undefined) return undefined;
  const known = head.length + rest.length + tail.length;
  if (halves.length === 1) return known === 8 ? [...head, ...tail] : undefined;
  if (known > 7) return undefined;
  return [...head, ...new Array<number>(8 - known).fill(0), ...rest, ...tail];
}

/** Every spelling of one IPv6 address: full, Sysmon-style and compressed, lower and upper case. */
export function ipv6Spellings(address: string): string[] {
  const groups = parseIpv6(address);
  if (groups === undefined) throw new Error(`ipv6Spellings: not an IPv6 address: ${address}`);
  const out = new Set<string>();
  for (const form of ['full', 'sysmon', 'compressed'] as const) {
    out.add(formatIpv6(groups, form));
    out.add(formatIpv6(groups, form, true));
  }
  return [...out];
}

const group16 = fc.integer({ min: 0, max: 0xffff });

/** IPv6 addresses as 8 groups: link-local, global unicast, unique-local, loopback. */
export const ipv6Groups: fc.Arbitrary<number[]> = weighted<number[]>(
  [4, fc.tuple(group16, group16, group16, group16).map((g) => [0xfe80, 0, 0, 0, ...g])],
  [
    4,
    fc
      .tuple(fc.constantFrom(0x2001, 0x2a00, 0x2a02, 0x2603, 0x2607, 0x2804, 0x2c0f), group16, group16, fc.integer({ min: 0, max: 0xff }), fc.boolean(), group16, group16)
      .map(([a, b, c, d, sparse, g, h]) => (sparse ? [a, b, c, d, 0, 0, 0, g] : [a, b, c, d, g, h, d ^ g, b ^ h])),
  ],
  [1, fc.tuple(fc.integer({ min: 0, max: 0xff }), group16, group16, group16, group16).map(([a, b, c, d, e]) => [0xfd00 | a, b, c, 0, d, e, 0, 1])],
  [1, fc.constant([0, 0, 0, 0, 0, 0, 0, 1])],
);

/** IPv6 with every group padded to 4 digits. */
export const ipv6Full: fc.Arbitrary<string> = ipv6Groups.map((g) => formatIpv6(g, 'full'));
/** IPv6 in RFC 5952 compressed form (`fe80::1c2b:3d4e:5f60:7a8b`). */
export const ipv6Compressed: fc.Arbitrary<string> = ipv6Groups.map((g) => formatIpv6(g, 'compressed'));
/** IPv6 as Sysmon writes it: no leading zeros, no `::` (`fe80:0:0:0:1c2b:3d4e:5f60:7a8b`). */
export const ipv6Sysmon: fc.Arbitrary<string> = ipv6Groups.map((g) => formatIpv6(g, 'sysmon'));
/** IPv6 in any of the three spellings (and rarely upper case). */
export const ipv6: fc.Arbitrary<string> = fc
  .tuple(ipv6Groups, fc.constantFrom<Ipv6Form>('compressed', 'compressed', 'sysmon', 'full'), fc.integer({ min: 0, max: 9 }))
  .map(([g, form, u]) => formatIpv6(g, form, u === 0));

/** Any IP address: mostly IPv4. */
export const ipAddress: fc.Arbitrary<string> = weighted<string>([85, ipv4], [15, ipv6]);

/** Ports that dominate Windows network telemetry. */
export const wellKnownPorts: readonly number[] = [
  53, 80, 443, 445, 135, 139, 137, 138, 88, 389, 636, 3268, 123, 3389, 5985, 5986, 1433, 8080, 8443, 22, 25, 587, 993, 9389,
];

/** A port number: well-known, ephemeral (49152-65535) or any. */
export const portNumber: fc.Arbitrary<number> = weighted<number>(
  [55, oneOf(wellKnownPorts)],
  [35, fc.integer({ min: 49152, max: 65535 })],
  [10, fc.integer({ min: 1, max: 65535 })],
);
/** An ephemeral port number (49152-65535). */
export const ephemeralPort: fc.Arbitrary<number> = fc.integer({ min: 49152, max: 65535 });
/** A port as a decimal string. */
export const port: fc.Arbitrary<string> = portNumber.map(String);

/** Domains endpoints actually talk to. */
export const popularDomains: readonly string[] = [
  'microsoft.com', 'windowsupdate.com', 'windows.com', 'office.com', 'office365.com', 'live.com', 'microsoftonline.com',
  'msftconnecttest.com', 'bing.com', 'azureedge.net', 'windows.net', 'msedge.net', 'skype.com', 'google.com',
  'googleapis.com', 'gstatic.com', 'youtube.com', 'cloudflare.com', 'akamaiedge.net', 'akamaihd.net', 'amazonaws.com',
  'cloudfront.net', 'github.com', 'githubusercontent.com', 'slack.com', 'zoom.us', 'digicert.com', 'adobe.com',
  'mozilla.org', 'apple.com', 'dropbox.com', 'teamviewer.com', 'ubuntu.com', 'pastebin.com', 'ngrok.io',
];

const fakerDomains = fakerPool(150, 0x5eed10, (f) => f.internet.domainName().toLowerCase());

/** A registered DNS domain (`microsoft.com`, `cheerful-bakery.biz`). */
export const dnsDomain: fc.Arbitrary<string> = weighted<string>([6, oneOf(popularDomains)], [4, oneOf(fakerDomains)]);

const hostLabels = [
  'www', 'login', 'api', 'cdn', 'static', 'mail', 'update', 'download', 'settings-win.data', 'ctldl', 'v10.events.data',
  'raw', 'gist', 'outlook', 'teams', 'graph', 'fs', 'vpn', 'portal', 'app', 'edge', 'ocsp', 'crl', 'time', 'wpad', 'a1',
] as const;

/** A DNS host name: `www.microsoft.com`, `fs01.contoso.local`, `d1a2b3c4.cloudfront.net`, `wpad`. */
export const hostName: fc.Arbitrary<string> = weighted<string>(
  [55, fc.tuple(oneOf(hostLabels), dnsDomain).map(([l, d]) => `${l}.${d}`)],
  [15, dnsDomain],
  [20, fc.tuple(computerName, adDomain).map(([c, d]) => `${c.toLowerCase()}.${d}`)],
  [5, fc.integer({ min: 0, max: 36 ** 8 - 1 }).map((n) => `d${n.toString(36).padStart(8, '0')}.cloudfront.net`)],
  [5, fc.constantFrom('wpad', 'localhost', 'isatap')],
);

const urlPaths = [
  '', 'index.html', 'update.exe', 'download/setup.exe', 'api/v1/status', 'payload.ps1', 'a.hta', 'files/report.pdf',
  'static/js/app.js', 'favicon.ico', 'ncsi.txt', 'connecttest.txt', 'msdownload/update/v3/static/trustedr/en/authrootstl.cab',
  'raw/main/install.ps1', 'login', 'oauth2/v2.0/token', 'images/logo.png', 'dl/agent.msi', 'x.dll', 'b64.txt',
] as const;

/** URLs: `https://www.microsoft.com/index.html`, `http://203.0.113.7:8080/update.exe`. */
export const url: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('https', 'https', 'https', 'http'),
    weighted<string>([8, hostName], [2, publicIpv4]),
    weighted<string>([8, fc.constant('')], [2, fc.constantFrom(':8080', ':8443', ':443', ':80', ':4444', ':8000')]),
    oneOf(urlPaths),
    weighted<string>([8, fc.constant('')], [2, fc.integer({ min: 1, max: 99999 }).map((n) => `?id=${n}`)]),
  )
  .map(([scheme, host, p, path, q]) => `${scheme}://${host}${p}/${path}${q}`);
