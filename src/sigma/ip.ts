/**
 * IP addresses and networks for the `cidr` modifier (§7.8). Addresses are parsed into bigints
 * so that any textual spelling of the same address (`2001:0db8::1`, `0:0:0:0:0:0:0:1`) compares
 * equal. Anything that is not an address is simply not an IP (no exceptions).
 */

export interface IpAddress {
  family: 4 | 6;
  value: bigint;
}

const V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function parseV4(text: string): bigint | undefined {
  const m = V4.exec(text);
  if (!m) return undefined;
  let v = 0n;
  for (let k = 1; k <= 4; k++) {
    const part = m[k] as string;
    if (part.length > 1 && part.startsWith('0')) return undefined; // no octal-looking octets
    const n = Number(part);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

function v6Words(groups: string[], allowV4Tail: boolean): number[] | undefined {
  const words: number[] = [];
  for (let k = 0; k < groups.length; k++) {
    const g = groups[k] as string;
    if (allowV4Tail && k === groups.length - 1 && g.includes('.')) {
      const v4 = parseV4(g);
      if (v4 === undefined) return undefined;
      words.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
    } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) words.push(Number.parseInt(g, 16));
    else return undefined;
  }
  return words;
}

function parseV6(text: string): bigint | undefined {
  if (text.includes('%')) return undefined; // zone ids are not addresses we compare
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  let words: number[];
  if (halves.length === 2) {
    const head = halves[0] === '' ? [] : v6Words((halves[0] as string).split(':'), false);
    const tail = halves[1] === '' ? [] : v6Words((halves[1] as string).split(':'), true);
    if (head === undefined || tail === undefined || head.length + tail.length > 7) return undefined;
    words = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    const all = v6Words(text.split(':'), true);
    if (all === undefined) return undefined;
    words = all;
  }
  if (words.length !== 8) return undefined;
  let v = 0n;
  for (const w of words) v = (v << 16n) | BigInt(w);
  return v;
}

/** Parses a textual IPv4 or IPv6 address; undefined for anything else. */
export function parseIp(text: string): IpAddress | undefined {
  const v4 = parseV4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  if (text.includes(':')) {
    const v6 = parseV6(text);
    if (v6 !== undefined) return { family: 6, value: v6 };
  }
  return undefined;
}

export interface IpNetwork {
  family: 4 | 6;
  network: bigint;
  prefix: number;
}

/** Parses `addr/prefix` (or a bare address); an error message for invalid or host-bit networks. */
export function parseNetwork(text: string): IpNetwork | string {
  const slash = text.indexOf('/');
  const addrText = slash >= 0 ? text.slice(0, slash) : text;
  const ip = parseIp(addrText);
  if (ip === undefined) return `'${text}' is not an IPv4 or IPv6 network`;
  const bits = ip.family === 4 ? 32 : 128;
  let prefix = bits;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > bits) return `'${text}' has an invalid prefix length (0 to ${bits})`;
    prefix = Number(p);
  }
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  if ((ip.value & hostMask) !== 0n) {
    return `'${text}' has host bits set; write the network address (e.g. ${formatNetworkHint(ip, prefix)})`;
  }
  return { family: ip.family, network: ip.value, prefix };
}

function formatNetworkHint(ip: IpAddress, prefix: number): string {
  const bits = ip.family === 4 ? 32 : 128;
  const net = ip.value & ~((1n << BigInt(bits - prefix)) - 1n);
  if (ip.family === 4) {
    const parts = [24n, 16n, 8n, 0n].map((s) => String((net >> s) & 0xffn));
    return `${parts.join('.')}/${prefix}`;
  }
  const words: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) words.push(((net >> s) & 0xffffn).toString(16));
  return `${words.join(':')}/${prefix}`;
}

/** Is a textual address inside the network? Cross-family pairs never match. */
export function ipInNetwork(text: string, net: IpNetwork): boolean {
  const ip = parseIp(text);
  if (ip === undefined || ip.family !== net.family) return false;
  const bits = ip.family === 4 ? 32 : 128;
  const shift = BigInt(bits - net.prefix);
  return ip.value >> shift === net.network >> shift;
}
