import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  accountName,
  adDomains,
  computerFqdn,
  computerName,
  domainSid,
  logonId,
  machineAccountName,
  qualifiedUser,
  sid,
  userPrincipalName,
  userSid,
  wellKnownSid,
  wellKnownSids,
  wellKnownUsers,
} from './identity.js';

const DOMAIN_SID = /^S-1-5-21-(\d+)-(\d+)-(\d+)-(\d+)$/;

describe('SIDs', () => {
  it('domain SIDs have three 32-bit sub-authorities and a RID', () => {
    fc.assert(
      fc.property(domainSid, (s) => {
        const m = DOMAIN_SID.exec(s);
        expect(m).not.toBeNull();
        for (const part of (m ?? []).slice(1, 4)) expect(Number(part)).toBeLessThanOrEqual(0xffffffff);
      }),
      { numRuns: 200, seed: 1 },
    );
    fc.assert(fc.property(userSid, (s) => { expect(Number(DOMAIN_SID.exec(s)?.[4])).toBeGreaterThanOrEqual(500); }), { numRuns: 100, seed: 2 });
  });

  it('any SID has the S-1-... shape; well-known ones come from the table', () => {
    fc.assert(fc.property(sid, (s) => { expect(s).toMatch(/^S-1-\d+(?:-\d+)+$/); }), { numRuns: 200, seed: 3 });
    const known = new Set<string>(Object.values(wellKnownSids));
    fc.assert(fc.property(wellKnownSid, (s) => { expect(known.has(s)).toBe(true); }), { numRuns: 100, seed: 4 });
    expect(wellKnownSids.SYSTEM).toBe('S-1-5-18');
    const s = fc.sample(sid, { seed: 5, numRuns: 200 });
    expect(s.some((x) => DOMAIN_SID.test(x))).toBe(true);
    expect(s.some((x) => known.has(x))).toBe(true);
  });
});

describe('users and hosts', () => {
  it('qualified users are DOMAIN\\user, often NT AUTHORITY\\SYSTEM', () => {
    const s = fc.sample(qualifiedUser, { seed: 6, numRuns: 300 });
    for (const u of s) expect(u).toMatch(/^[^\\]+\\[^\\]+$/);
    expect(s).toContain('NT AUTHORITY\\SYSTEM');
    expect(s.some((u) => adDomains.some((d) => u.startsWith(`${d.netbios}\\`)))).toBe(true);
    expect(s.some((u) => wellKnownUsers.includes(u) && u !== 'NT AUTHORITY\\SYSTEM')).toBe(true);
  });

  it('account names are single tokens', () => {
    fc.assert(fc.property(accountName, (a) => { expect(a).toMatch(/^[A-Za-z0-9._$-]+$/); }), { numRuns: 200, seed: 7 });
  });

  it('computer names are NetBIOS-sized, upper case; FQDNs add an AD domain', () => {
    fc.assert(fc.property(computerName, (c) => { expect(c).toMatch(/^[A-Z0-9-]{1,15}$/); }), { numRuns: 200, seed: 8 });
    fc.assert(
      fc.property(computerFqdn, (c) => {
        const dot = c.indexOf('.');
        expect(c.slice(0, dot)).toMatch(/^[A-Z0-9-]{1,15}$/);
        expect(adDomains.map((d) => d.dns)).toContain(c.slice(dot + 1));
      }),
      { numRuns: 100, seed: 9 },
    );
    fc.assert(fc.property(machineAccountName, (m) => { expect(m).toMatch(/^[A-Z0-9-]{1,15}\$$/); }), { numRuns: 50, seed: 10 });
    fc.assert(fc.property(userPrincipalName, (u) => { expect(u).toMatch(/^[A-Za-z0-9._$-]+@[a-z.]+$/); }), { numRuns: 50, seed: 11 });
  });

  it('logon IDs are lower-case 0x hex', () => {
    const s = fc.sample(logonId, { seed: 12, numRuns: 100 });
    for (const l of s) expect(l).toMatch(/^0x[0-9a-f]+$/);
    expect(s).toContain('0x3e7');
  });
});
