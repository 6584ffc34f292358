import fc from 'fast-check';
import { isIPv4, isIPv6 } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  dnsDomain,
  formatIpv6,
  hostName,
  ipAddress,
  ipv4,
  ipv6,
  ipv6Compressed,
  ipv6Full,
  ipv6Groups,
  ipv6Spellings,
  ipv6Sysmon,
  parseIpv6,
  port,
  portNumber,
  privateIpv4,
  publicIpv4,
  url,
} from './network.js';

const isPrivate = (ip: string): boolean => /^(?:10\.|192\.168\.|172\.(?:1[6-9]|2\d|3[01])\.)/.test(ip);

describe('IPv4', () => {
  it('is valid IPv4', () => {
    fc.assert(fc.property(ipv4, (ip) => { expect(isIPv4(ip)).toBe(true); }), { numRuns: 200, seed: 1 });
  });

  it('private addresses are RFC 1918, public ones are not', () => {
    fc.assert(fc.property(privateIpv4, (ip) => { expect(isIPv4(ip) && isPrivate(ip)).toBe(true); }), { numRuns: 200, seed: 2 });
    fc.assert(
      fc.property(publicIpv4, (ip) => {
        expect(isIPv4(ip)).toBe(true);
        expect(isPrivate(ip)).toBe(false);
        expect(ip).not.toMatch(/^(?:127|0|169\.254|22[4-9]|2[3-5]\d)\./);
      }),
      { numRuns: 200, seed: 3 },
    );
  });

  it('mixes internal, public, loopback and multicast', () => {
    const s = fc.sample(ipv4, { seed: 4, numRuns: 400 });
    expect(s.some(isPrivate)).toBe(true);
    expect(s.some((ip) => !isPrivate(ip) && !ip.startsWith('127.'))).toBe(true);
    expect(s).toContain('127.0.0.1');
    expect(s.some((ip) => /^2(?:2[4-9]|3\d)\./.test(ip))).toBe(true);
  });
});

describe('IPv6', () => {
  it('every form is valid IPv6', () => {
    for (const arb of [ipv6, ipv6Full, ipv6Compressed, ipv6Sysmon]) {
      fc.assert(fc.property(arb, (ip) => { expect(isIPv6(ip)).toBe(true); }), { numRuns: 150, seed: 5 });
    }
  });

  it('full form pads 8 groups; Sysmon form has 8 unpadded groups; compressed has at most one ::', () => {
    fc.assert(fc.property(ipv6Full, (ip) => { expect(ip).toMatch(/^(?:[0-9a-f]{4}:){7}[0-9a-f]{4}$/); }), { numRuns: 100, seed: 6 });
    fc.assert(
      fc.property(ipv6Sysmon, (ip) => {
        expect(ip.split(':')).toHaveLength(8);
        expect(ip).not.toMatch(/(?:^|:)0[0-9a-f]/);
      }),
      { numRuns: 100, seed: 7 },
    );
    fc.assert(
      fc.property(ipv6Compressed, (ip) => {
        expect(ip.split('::').length).toBeLessThanOrEqual(2);
        expect(ip).not.toMatch(/(?:^|:)0[0-9a-f]/);
        expect(ip).not.toMatch(/(?:^|:)0:0(?::|$)/); // a run of two zero groups is always compressed
      }),
      { numRuns: 200, seed: 8 },
    );
    expect(fc.sample(ipv6Compressed, { seed: 9, numRuns: 100 }).some((ip) => ip.includes('::'))).toBe(true);
  });

  it('compresses per RFC 5952', () => {
    expect(formatIpv6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1], 'compressed')).toBe('2001:db8::1');
    expect(formatIpv6([1, 0, 0, 1, 0, 0, 0, 1], 'compressed')).toBe('1:0:0:1::1');
    expect(formatIpv6([1, 0, 0, 1, 0, 0, 1, 1], 'compressed')).toBe('1::1:0:0:1:1');
    expect(formatIpv6([1, 0, 1, 1, 1, 1, 1, 1], 'compressed')).toBe('1:0:1:1:1:1:1:1');
    expect(formatIpv6([0, 0, 0, 0, 0, 0, 0, 1], 'compressed')).toBe('::1');
    expect(formatIpv6([0, 0, 0, 0, 0, 0, 0, 0], 'compressed')).toBe('::');
    expect(formatIpv6([0xfe80, 0, 0, 0, 0x1c2b, 0x3d4e, 0x5f60, 0x7a8b], 'sysmon')).toBe('fe80:0:0:0:1c2b:3d4e:5f60:7a8b');
    expect(formatIpv6([0xfe80, 0, 0, 0, 0x1c2b, 0x3d4e, 0x5f60, 0x7a8b], 'full')).toBe('fe80:0000:0000:0000:1c2b:3d4e:5f60:7a8b');
    expect(() => formatIpv6([1, 2, 3], 'full')).toThrow();
  });

  it('parses every spelling back to the same groups', () => {
    fc.assert(
      fc.property(ipv6Groups, fc.constantFrom('full', 'sysmon', 'compressed' as const), fc.boolean(), (g, form, upper) => {
        expect(parseIpv6(formatIpv6(g, form, upper))).toEqual(g);
      }),
      { numRuns: 200, seed: 10 },
    );
    expect(parseIpv6('::ffff:192.168.1.1')).toEqual([0, 0, 0, 0, 0, 0xffff, 0xc0a8, 0x0101]);
    expect(parseIpv6('::1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0, 0x0102, 0x0304]);
    expect(parseIpv6('1::2::3')).toBeUndefined();
    expect(parseIpv6('12345::')).toBeUndefined();
    expect(parseIpv6('1:2:3:4:5:6:7')).toBeUndefined();
  });

  it('ipv6Spellings lists the forms of one address', () => {
    const s = ipv6Spellings('2001:db8::1');
    expect(s).toEqual(expect.arrayContaining(['2001:db8::1', '2001:db8:0:0:0:0:0:1', '2001:0db8:0000:0000:0000:0000:0000:0001', '2001:DB8::1']));
    for (const x of s) expect(isIPv6(x)).toBe(true);
  });

  it('ipAddress is mostly IPv4 with some IPv6', () => {
    const s = fc.sample(ipAddress, { seed: 11, numRuns: 300 });
    expect(s.every((ip) => isIPv4(ip) || isIPv6(ip))).toBe(true);
    expect(s.filter((ip) => isIPv4(ip)).length).toBeGreaterThan(200);
    expect(s.some((ip) => isIPv6(ip))).toBe(true);
  });
});

describe('ports, names and URLs', () => {
  it('ports are 1..65535, as numbers and decimal strings', () => {
    fc.assert(fc.property(portNumber, (p) => { expect(Number.isInteger(p) && p >= 1 && p <= 65535).toBe(true); }), { numRuns: 200, seed: 12 });
    fc.assert(fc.property(port, (p) => { expect(p).toMatch(/^[1-9]\d{0,4}$/); }), { numRuns: 100, seed: 13 });
    const s = fc.sample(portNumber, { seed: 14, numRuns: 300 });
    expect(s).toContain(443);
    expect(s.some((p) => p >= 49152)).toBe(true);
  });

  it('host names and domains are DNS names', () => {
    const label = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
    fc.assert(
      fc.property(fc.oneof(hostName, dnsDomain), (h) => {
        expect(h).toBe(h.toLowerCase());
        for (const l of h.split('.')) expect(l).toMatch(label);
      }),
      { numRuns: 200, seed: 15 },
    );
    expect(fc.sample(dnsDomain, { seed: 16, numRuns: 100 }).every((d) => d.includes('.'))).toBe(true);
  });

  it('URLs parse and are http(s)', () => {
    fc.assert(
      fc.property(url, (u) => {
        const parsed = new URL(u);
        expect(['http:', 'https:']).toContain(parsed.protocol);
        expect(parsed.hostname.length).toBeGreaterThan(0);
      }),
      { numRuns: 200, seed: 17 },
    );
  });
});
