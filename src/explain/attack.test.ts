/**
 * ATT&CK coverage: tag sorting, the shipped tactic facts, reading a STIX bundle (a minimal
 * fixture of our own, fixtures/attack-bundle.json) and placing techniques under tactics.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ATTACK_VERSION, ENTERPRISE_TACTICS, KNOWN_TACTICS, attackCoverage, parseAttackBundle, parseAttackTags, tacticBySlug, techniqueDisplayName } from './attack.js';
import type { AttackBundle } from './attack.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/attack-bundle.json', import.meta.url));

function fixture(): AttackBundle {
  const b = parseAttackBundle(readFileSync(FIXTURE, 'utf8'));
  if ('error' in b) throw new Error(b.error);
  return b;
}

describe('tactic facts', () => {
  it('ships the 15 enterprise tactics of ATT&CK v19 with unique slugs and TA ids, and the legacy defense-evasion', () => {
    expect(ATTACK_VERSION).toBe('19');
    expect(ENTERPRISE_TACTICS).toHaveLength(15);
    expect(new Set(ENTERPRISE_TACTICS.map((t) => t.id)).size).toBe(15);
    expect(new Set(ENTERPRISE_TACTICS.map((t) => t.slug)).size).toBe(15);
    expect(tacticBySlug('privilege-escalation')).toEqual({ slug: 'privilege-escalation', id: 'TA0004', name: 'Privilege Escalation' });
    expect(tacticBySlug('command_and_control')?.id).toBe('TA0011');
    // v19 split Defense Evasion: Stealth keeps TA0005, Defense Impairment is TA0112.
    expect(tacticBySlug('stealth')).toEqual({ slug: 'stealth', id: 'TA0005', name: 'Stealth' });
    expect(tacticBySlug('defense-impairment')).toEqual({ slug: 'defense-impairment', id: 'TA0112', name: 'Defense Impairment' });
    expect(tacticBySlug('Defense-Evasion')?.name).toBe('Defense Evasion');
    expect(tacticBySlug('t1547')).toBeUndefined();
    // Matrix order: the legacy tactic sits where it used to, before stealth.
    const slugs = KNOWN_TACTICS.map((t) => t.slug);
    expect(slugs.slice(5, 9)).toEqual(['privilege-escalation', 'defense-evasion', 'stealth', 'defense-impairment']);
  });

  it('puts stealth and defense-impairment rows in matrix order (they are tactics, not other tags)', () => {
    const c = attackCoverage(['attack.defense-impairment', 'attack.stealth', 'attack.execution', 'attack.t1685']);
    expect(c.rows.map((r) => r.tactic?.slug)).toEqual(['execution', 'stealth', 'defense-impairment']);
    expect(c.otherTags).toEqual([]);
  });
});

describe('parseAttackTags', () => {
  it('sorts tags into tactics, techniques, groups, software and others', () => {
    expect(
      parseAttackTags([
        'attack.privilege-escalation',
        'attack.persistence',
        'attack.t1547.001',
        'attack.T1112',
        'attack.g0016',
        'attack.s0002',
        'attack.privilege_escalation',
        'attack.t1547.001',
        'attack.unknown-thing',
        'car.2016-04-005',
        'detection.threat-hunting',
      ]),
    ).toEqual({
      tactics: [tacticBySlug('privilege-escalation'), tacticBySlug('persistence')],
      techniques: ['T1547.001', 'T1112'],
      groups: ['G0016'],
      software: ['S0002'],
      other: ['attack.unknown-thing', 'car.2016-04-005', 'detection.threat-hunting'],
    });
  });
});

describe('parseAttackBundle', () => {
  it('reads techniques (current objects win over revoked ones), groups and software', () => {
    const b = fixture();
    expect([...b.techniques.keys()].sort()).toEqual(['T1112', 'T1547', 'T1547.001']);
    expect(b.techniques.get('T1547.001')).toEqual({
      id: 'T1547.001',
      name: 'Registry Run Keys / Startup Folder',
      phases: ['persistence', 'privilege-escalation'],
      subtechnique: true,
      retired: false,
    });
    expect(techniqueDisplayName(b, 'T1547.001')).toBe('Boot or Logon Autostart Execution: Registry Run Keys / Startup Folder');
    expect(techniqueDisplayName(b, 'T1112')).toBe('Modify Registry');
    expect(b.groups.get('G0016')).toBe('Example Group');
    expect(b.software.get('S0002')).toBe('Example Tool');
  });

  it('rejects what is not a usable bundle', () => {
    expect(parseAttackBundle('{not json')).toEqual({ error: expect.stringMatching(/^not valid JSON/) as unknown });
    expect(parseAttackBundle('[1, 2]')).toEqual({ error: expect.stringMatching(/'objects' list/) as unknown });
    expect(parseAttackBundle('{"type": "identity", "objects": []}')).toEqual({ error: expect.stringMatching(/type is 'identity'/) as unknown });
    expect(parseAttackBundle('{"type": "bundle", "objects": [{"type": "tool", "name": "x"}]}')).toEqual({
      error: expect.stringMatching(/no ATT&CK technique/) as unknown,
    });
  });
});

describe('attackCoverage', () => {
  const SEED_TAGS = ['attack.privilege-escalation', 'attack.persistence', 'attack.t1547.001'];

  it('without a bundle lists each technique under every tactic of the rule, in matrix order', () => {
    const c = attackCoverage(SEED_TAGS);
    expect(c.rows.map((r) => [r.tactic?.name, r.tagged, r.techniques])).toEqual([
      ['Persistence', true, [{ id: 'T1547.001' }]],
      ['Privilege Escalation', true, [{ id: 'T1547.001' }]],
    ]);
    expect(c.notes).toEqual([]);
  });

  it('with the bundle names techniques like the seed page', () => {
    const c = attackCoverage(SEED_TAGS, fixture());
    const name = 'Boot or Logon Autostart Execution: Registry Run Keys / Startup Folder';
    expect(c.rows.map((r) => [r.tactic?.id, r.techniques])).toEqual([
      ['TA0003', [{ id: 'T1547.001', name }]],
      ['TA0004', [{ id: 'T1547.001', name }]],
    ]);
  });

  it("places a technique only under the rule's tactics among its kill chain phases", () => {
    const c = attackCoverage(['attack.persistence', 'attack.defense-evasion', 'attack.t1547.001', 'attack.t1112'], fixture());
    expect(c.rows.map((r) => [r.tactic?.slug, r.techniques.map((t) => t.id)])).toEqual([
      ['persistence', ['T1547.001']],
      ['defense-evasion', ['T1112']],
    ]);
  });

  it('falls back to the bundle phases when the rule tags none of them, and to a tactic-less row without any', () => {
    const c = attackCoverage(['attack.execution', 'attack.t1112'], fixture());
    expect(c.rows.map((r) => [r.tactic?.slug, r.tagged, r.techniques.map((t) => t.id)])).toEqual([
      ['execution', true, []],
      ['defense-evasion', false, ['T1112']],
      ['stealth', false, ['T1112']],
    ]);
    const bare = attackCoverage(['attack.t1112']);
    expect(bare.rows).toEqual([{ tactic: null, tagged: false, techniques: [{ id: 'T1112' }] }]);
  });

  it("takes tactics beyond the shipped ones from the bundle's x-mitre-tactic objects; shipped facts win (the fixture's TA ids are made up)", () => {
    const tags = ['attack.persistence', 'attack.stealth', 'attack.example-future-tactic', 'attack.t1112'];
    expect(attackCoverage(tags).otherTags).toEqual(['attack.example-future-tactic']);
    const c = attackCoverage(tags, fixture());
    expect(c.otherTags).toEqual([]);
    expect(c.rows.map((r) => [r.tactic?.id, r.tactic?.name, r.tagged, r.techniques.map((t) => t.id)])).toEqual([
      ['TA0003', 'Persistence', true, []],
      ['TA0005', 'Stealth', true, ['T1112']],
      ['TA9902', 'Example Future Tactic', true, []],
    ]);
  });

  it('notes technique ids the bundle does not know, and names groups and software', () => {
    const c = attackCoverage(['attack.persistence', 'attack.t9999', 'attack.g0016', 'attack.s0002', 'attack.s9999'], fixture());
    expect(c.notes).toEqual(['T9999 is not in the ATT&CK bundle (unknown or mistyped technique id)']);
    expect(c.rows).toEqual([{ tactic: tacticBySlug('persistence'), tagged: true, techniques: [{ id: 'T9999' }] }]);
    expect(c.groups).toEqual([{ id: 'G0016', name: 'Example Group' }]);
    expect(c.software).toEqual([{ id: 'S0002', name: 'Example Tool' }, { id: 'S9999' }]);
  });
});
