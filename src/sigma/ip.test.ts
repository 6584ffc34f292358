import { describe, expect, it } from 'vitest';
import { ipInNetwork, parseIp, parseNetwork } from './ip.js';
import type { IpNetwork } from './ip.js';

const v6 = (hex: string): bigint => BigInt(`0x${hex}`);

describe('parseIp', () => {
  const TABLE: Array<[string, { family: 4 | 6; value: bigint } | undefined]> = [
    ['0.0.0.0', { family: 4, value: 0n }],
    ['10.0.0.1', { family: 4, value: 0x0a000001n }],
    ['192.168.1.254', { family: 4, value: 0xc0a801fen }],
    ['255.255.255.255', { family: 4, value: 0xffffffffn }],
    ['256.0.0.1', undefined],
    ['1.2.3', undefined],
    ['1.2.3.4.5', undefined],
    ['01.2.3.4', undefined], // octal-looking octets are not addresses
    ['1.2.3.04', undefined],
    ['1.2.3.0', { family: 4, value: 0x01020300n }],
    [' 1.2.3.4', undefined],
    ['1.2.3.4 ', undefined],
    ['1.2.3.4/32', undefined],
    ['1.2.3.-4', undefined],
    ['a.b.c.d', undefined],
    ['', undefined],
    ['::', { family: 6, value: 0n }],
    ['::1', { family: 6, value: 1n }],
    ['0:0:0:0:0:0:0:1', { family: 6, value: 1n }],
    ['2001:db8::1', { family: 6, value: v6('20010db8000000000000000000000001') }],
    ['2001:0db8::1', { family: 6, value: v6('20010db8000000000000000000000001') }],
    ['2001:DB8::1', { family: 6, value: v6('20010db8000000000000000000000001') }],
    ['2001:db8:0:0:1:0:0:1', { family: 6, value: v6('20010db8000000000001000000000001') }],
    ['fe80::', { family: 6, value: v6('fe800000000000000000000000000000') }],
    ['1:2:3:4:5:6:7:8', { family: 6, value: v6('00010002000300040005000600070008') }],
    ['1:2:3:4:5:6:7::', { family: 6, value: v6('00010002000300040005000600070000') }],
    ['::2:3:4:5:6:7:8', { family: 6, value: v6('00000002000300040005000600070008') }],
    ['::ffff:1.2.3.4', { family: 6, value: v6('00000000000000000000ffff01020304') }],
    ['64:ff9b::10.0.0.1', { family: 6, value: v6('0064ff9b00000000000000000a000001') }],
    ['1:2:3:4:5:6:1.2.3.4', { family: 6, value: v6('00010002000300040005000601020304') }],
    ['1:2:3:4:5:6:7:8:9', undefined],
    ['1:2:3:4:5:6:7', undefined],
    ['1:2:3:4:5:6:7:8::', undefined],
    ['1::2::3', undefined],
    [':::', undefined],
    [':1', undefined],
    ['1:', undefined],
    ['12345::', undefined],
    ['g::1', undefined],
    ['1.2.3.4::', undefined], // an IPv4 tail only at the end
    ['::1.2.3', undefined],
    ['::256.0.0.1', undefined],
    ['fe80::1%eth0', undefined], // zone ids are not compared
    ['[::1]', undefined],
  ];
  it.each(TABLE)('%j', (text, expected) => {
    expect(parseIp(text)).toEqual(expected);
  });
});

describe('parseNetwork', () => {
  const OK: Array<[string, IpNetwork]> = [
    ['10.0.0.0/8', { family: 4, network: 0x0a000000n, prefix: 8 }],
    ['192.168.1.0/24', { family: 4, network: 0xc0a80100n, prefix: 24 }],
    ['1.2.3.4', { family: 4, network: 0x01020304n, prefix: 32 }],
    ['1.2.3.4/32', { family: 4, network: 0x01020304n, prefix: 32 }],
    ['0.0.0.0/0', { family: 4, network: 0n, prefix: 0 }],
    ['2001:db8::/32', { family: 6, network: v6('20010db8000000000000000000000000'), prefix: 32 }],
    ['::1', { family: 6, network: 1n, prefix: 128 }],
    ['::/0', { family: 6, network: 0n, prefix: 0 }],
    ['::ffff:0:0/96', { family: 6, network: v6('00000000000000000000ffff00000000'), prefix: 96 }],
  ];
  it.each(OK)('%s', (text, expected) => {
    expect(parseNetwork(text)).toEqual(expected);
  });

  const BAD: Array<[string, RegExp]> = [
    ['10.0.0.1/8', /host bits set.*10\.0\.0\.0\/8/],
    ['192.168.1.1/24', /host bits set.*192\.168\.1\.0\/24/],
    ['1.0.0.0/0', /host bits set.*0\.0\.0\.0\/0/],
    ['2001:db8::1/32', /host bits set.*2001:db8:0:0:0:0:0:0\/32/],
    ['10.0.0.0/33', /invalid prefix length \(0 to 32\)/],
    ['::/129', /invalid prefix length \(0 to 128\)/],
    ['10.0.0.0/', /invalid prefix length/],
    ['10.0.0.0/-1', /invalid prefix length/],
    ['10.0.0.0/8/8', /invalid prefix length/],
    ['10.0.0.0/a', /invalid prefix length/],
    ['10.0.0/8', /not an IPv4 or IPv6 network/],
    ['host/8', /not an IPv4 or IPv6 network/],
    ['', /not an IPv4 or IPv6 network/],
  ];
  it.each(BAD)('%j is an error', (text, message) => {
    const r = parseNetwork(text);
    expect(typeof r).toBe('string');
    expect(r).toMatch(message);
  });
});

describe('ipInNetwork', () => {
  const net = (text: string): IpNetwork => {
    const n = parseNetwork(text);
    if (typeof n === 'string') throw new Error(n);
    return n;
  };
  const TABLE: Array<[string, string, boolean]> = [
    ['10.0.0.0/8', '10.0.0.0', true],
    ['10.0.0.0/8', '10.255.255.255', true],
    ['10.0.0.0/8', '9.255.255.255', false],
    ['10.0.0.0/8', '11.0.0.0', false],
    ['172.16.0.0/12', '172.31.255.255', true],
    ['172.16.0.0/12', '172.32.0.0', false],
    ['1.2.3.4', '1.2.3.4', true],
    ['1.2.3.4', '1.2.3.5', false],
    ['0.0.0.0/0', '255.255.255.255', true],
    ['2001:db8::/32', '2001:0db8::1', true],
    ['2001:db8::/32', '2001:0db8:ffff:ffff:ffff:ffff:ffff:ffff', true],
    ['2001:db8::/32', '2001:0db9::', false],
    ['::1/128', '0:0:0:0:0:0:0:1', true],
    ['::/0', '::', true],
    ['fe80::/10', 'febf::1', true],
    ['fe80::/10', 'fec0::1', false],
    // cross-family pairs never match
    ['10.0.0.0/8', '::ffff:10.0.0.1', false],
    ['::ffff:0:0/96', '10.0.0.1', false],
    ['0.0.0.0/0', '::', false],
    ['::/0', '0.0.0.0', false],
    // non-addresses
    ['0.0.0.0/0', 'localhost', false],
    ['0.0.0.0/0', '', false],
    ['::/0', 'fe80::1%eth0', false],
  ];
  it.each(TABLE)('%s contains %j → %s', (network, addr, expected) => {
    expect(ipInNetwork(addr, net(network))).toBe(expected);
  });
});
