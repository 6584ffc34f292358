/**
 * The modifier chain parser as a table: a detection key → the parsed record (the fields that
 * matter for it) or the diagnostic code it is rejected with. Value-dependent problems (a null
 * under contains, a quoted number under gt) are build-matcher's and tested there.
 */
import { describe, expect, it } from 'vitest';
import { NO_MODIFIERS, isChainError, itemKeyText, parseModifierChain, splitItemKey } from './modifier-chain.js';
import type { ModifierChain } from './modifier-chain.js';

function parseKey(key: string): ModifierChain | string {
  const { field, names } = splitItemKey(key);
  const r = parseModifierChain(names, field === null);
  return isChainError(r) ? r.code : r;
}

const F = { i: false, m: false, s: false };

describe('parseModifierChain', () => {
  const VALID: Array<[string, Partial<ModifierChain>]> = [
    ['F', { kind: 'plain', match: 'equals', text: '', steps: [], all: false, neq: false, cased: false, expand: false, regex: undefined }],
    ['F|contains', { kind: 'pattern', match: 'contains', text: 'contains', steps: [{ op: 'contains', name: 'contains' }] }],
    ['F|startswith', { kind: 'pattern', match: 'startswith' }],
    ['F|endswith', { kind: 'pattern', match: 'endswith' }],
    ['F|startswith|endswith', { kind: 'pattern', match: 'contains' }],
    ['F|contains|contains', { kind: 'pattern', match: 'contains', written: ['contains', 'contains'] }],
    ['F|contains|all', { kind: 'pattern', match: 'contains', all: true, text: 'contains|all' }],
    ['F|all', { kind: 'plain', all: true }],
    ['F|neq', { kind: 'plain', neq: true }],
    ['F|contains|neq', { kind: 'pattern', match: 'contains', neq: true }],
    ['F|cased', { kind: 'pattern', match: 'equals', cased: true, steps: [] }],
    ['F|expand', { kind: 'pattern', expand: true, steps: [] }],
    ['F|cased|contains', { kind: 'pattern', match: 'contains', cased: true }],
    [
      'F|wide|base64offset|contains',
      {
        kind: 'pattern',
        match: 'contains',
        encodings: ['utf16le', 'base64offset'],
        windash: false,
        steps: [
          { op: 'utf16le', name: 'wide' },
          { op: 'base64offset', name: 'base64offset' },
          { op: 'contains', name: 'contains' },
        ],
      },
    ],
    ['F|utf16be|base64', { encodings: ['utf16be', 'base64'], match: 'equals' }],
    ['F|base64|base64', { encodings: ['base64', 'base64'] }],
    ['F|windash|contains', { kind: 'pattern', windash: true, encodings: [], match: 'contains' }],
    ['F|contains|windash', { windash: true, steps: [{ op: 'contains', name: 'contains' }, { op: 'windash', name: 'windash' }] }],
    ['F|re', { kind: 'regex', regex: F, steps: [], match: 'equals' }],
    ['F|re|i|m|s', { kind: 'regex', regex: { i: true, m: true, s: true } }],
    ['F|re|ignorecase|dotall', { kind: 'regex', regex: { i: true, m: false, s: true } }],
    ['F|re|multiline', { kind: 'regex', regex: { i: false, m: true, s: false } }],
    ['F|re|expand', { kind: 'regex', expand: true }],
    ['F|re|contains', { kind: 'regex', match: 'equals', steps: [] }],
    ['F|re|re', { kind: 'regex' }],
    ['F|re|all', { kind: 'regex', all: true }],
    ['F|cidr', { kind: 'cidr', regex: undefined }],
    ['F|cidr|neq', { kind: 'cidr', neq: true }],
    ['F|gt', { kind: 'compare', compare: 'gt', timePart: undefined }],
    ['F|lte', { kind: 'compare', compare: 'lte' }],
    ['F|hour', { kind: 'compare', compare: undefined, timePart: 'hour' }],
    ['F|year|gte', { kind: 'compare', compare: 'gte', timePart: 'year' }],
    ['F|exists', { kind: 'exists' }],
    ['F|exists|exists', { kind: 'exists' }],
    ['F|fieldref', { kind: 'fieldref', match: 'equals' }],
    ['F|fieldref|endswith', { kind: 'fieldref', match: 'endswith' }],
    ['F|fieldref|cased', { kind: 'fieldref', cased: true }],
    ['|re', { kind: 'regex' }],
    ['|contains', { kind: 'pattern', match: 'contains' }],
    ['|all', { kind: 'plain', all: true }],
  ];
  it.each(VALID)('%s', (key, want) => {
    expect(parseKey(key)).toMatchObject(want);
  });

  const INVALID: Array<[string, string, RegExp]> = [
    ['F|Contains', 'MODIFIER_UNKNOWN', /lowercase: 'contains'/],
    ['F|', 'MODIFIER_UNKNOWN', /unknown modifier ''/],
    ['F|contains|bogus', 'MODIFIER_UNKNOWN', /'bogus'/],
    ['F|contains|re', 'MODIFIER_INVALID', /'re' must be the first modifier of the chain \(write 're\|contains'\)/],
    ['F|all|cidr', 'MODIFIER_INVALID', /'cidr' must be the first/],
    ['F|neq|exists', 'MODIFIER_INVALID', /'exists' must be the first/],
    ['F|i', 'MODIFIER_INVALID', /the regex flag 'i' must follow 're' \(chain 'i'\)/],
    ['F|contains|multiline', 'MODIFIER_INVALID', /'multiline' must follow 're'/],
    ['F|gt|hour', 'MODIFIER_INVALID', /'hour' cannot be applied to a comparison \(chain 'gt\|hour'\)/],
    ['F|gt|gt', 'MODIFIER_INVALID', /'gt' cannot be applied to a comparison/],
    ['F|contains|gt', 'MODIFIER_INVALID', /'gt' cannot be applied to a string pattern/],
    ['F|re|cased', 'MODIFIER_INVALID', /'cased' cannot be applied to a regular expression/],
    ['F|re|windash', 'MODIFIER_INVALID', /'windash' cannot be applied to a regular expression/],
    ['F|cidr|expand', 'MODIFIER_INVALID', /'expand' cannot be applied to a network/],
    ['F|cidr|contains', 'MODIFIER_INVALID', /'contains' cannot be applied to a network/],
    ['F|hour|cased', 'MODIFIER_INVALID', /'cased' cannot be applied to a timestamp part/],
    ['F|exists|base64', 'MODIFIER_INVALID', /'base64' cannot be applied to an existence test/],
    ['F|contains|fieldref', 'MODIFIER_INVALID', /'fieldref' cannot be applied to a string pattern/],
    ['F|fieldref|contains|endswith', 'MODIFIER_INVALID', /only one of contains\/startswith\/endswith/],
    ['F|fieldref|expand', 'MODIFIER_INVALID', /'expand' cannot be applied to a field reference/],
    ['|exists', 'MODIFIER_INVALID', /keyword search/],
    ['|gt', 'MODIFIER_INVALID', /keyword search/],
    ['|contains|hour', 'MODIFIER_INVALID', /keyword search/],
  ];
  it.each(INVALID)('%s → %s', (key, code, message) => {
    expect(parseKey(key)).toBe(code);
    const { field, names } = splitItemKey(key);
    const r = parseModifierChain(names, field === null);
    expect(isChainError(r) && r.message).toMatch(message);
  });

  it('one shared, frozen record per spelling; every record has every property', () => {
    const a = parseModifierChain(['contains', 'all'], false);
    expect(parseModifierChain(['contains', 'all'], false)).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(parseModifierChain([], false)).toBe(NO_MODIFIERS);
    const keys = Object.keys(NO_MODIFIERS);
    for (const k of ['F|re|i', 'F|hour|gt', 'F|fieldref', 'F|cidr', 'F|wide|base64']) expect(Object.keys(parseKey(k) as ModifierChain)).toEqual(keys);
  });

  it('itemKeyText writes the key back, optionally with another affix', () => {
    const chain = parseKey('Image|windash|endswith') as ModifierChain;
    expect(itemKeyText('Image', chain)).toBe('Image|windash|endswith');
    expect(itemKeyText('Image', chain, 'contains')).toBe('Image|windash|contains');
    expect(itemKeyText('Image', NO_MODIFIERS, 'startswith')).toBe('Image|startswith');
    expect(itemKeyText(null, parseKey('|re') as ModifierChain)).toBe('|re');
  });
});
