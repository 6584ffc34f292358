/**
 * Shared fixture of the scan tests (no vitest imports, so it type-checks with the build): two
 * rules and events in JSONL, a JSON array and EVTX-JSON in a fresh temporary folder.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEvtxFile, ChunkWriter, synthValue } from './evtx-writer.js';
import { ValueType } from '../../src/evtx/values.js';

export const PROC_RULE_ID = '11111111-2222-4333-8444-555555555555';
export const ANY_RULE_ID = '22222222-2222-4333-8444-555555555555';

/** A process_creation rule (Sysmon EventID 1 under --logsource map) and a rule without logsource mapping. */
export const PROC_RULE = `title: Whoami
id: ${PROC_RULE_ID}
logsource: {category: process_creation, product: windows}
detection:
    sel:
        Image|endswith: '\\whoami.exe'
    condition: sel
`;
export const ANY_RULE = `title: Marker
id: ${ANY_RULE_ID}
logsource: {product: test}
detection:
    sel:
        Marker: 'yes'
    condition: sel
`;

export const SYSMON = 'Microsoft-Windows-Sysmon/Operational';

/** A temp folder with the two rules and events in JSONL, a JSON array, EVTX-JSON and a nested folder. */
export function fixture(): { dir: string; rules: string; events: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sigmatest-scan-'));
  const rules = join(dir, 'rules');
  const events = join(dir, 'events');
  mkdirSync(rules);
  mkdirSync(join(events, 'nested'), { recursive: true });
  writeFileSync(join(rules, 'proc.yml'), PROC_RULE);
  writeFileSync(join(rules, 'any.yml'), ANY_RULE);
  // a.jsonl: 0 proc match (EventID 1), 1 no match, 2 same image but EventID 3 (network), 3 marker
  writeFileSync(
    join(events, 'a.jsonl'),
    [
      { Channel: SYSMON, EventID: 1, Image: 'C:\\Windows\\System32\\whoami.exe', User: 'alice' },
      { Channel: SYSMON, EventID: 1, Image: 'C:\\Windows\\System32\\cmd.exe' },
      { Channel: SYSMON, EventID: 3, Image: 'C:\\Windows\\System32\\whoami.exe' },
      { Marker: 'yes' },
    ]
      .map((e) => JSON.stringify(e))
      .join('\n') + '\n',
  );
  // b.json: a JSON array, the second element matches
  writeFileSync(
    join(events, 'b.json'),
    JSON.stringify([{ Marker: 'no' }, { Channel: SYSMON, EventID: 1, Image: 'D:\\tools\\WHOAMI.EXE', User: 'bob' }], null, 2),
  );
  // nested/c.json: EVTX-JSON (flattened before matching)
  writeFileSync(
    join(events, 'nested', 'c.json'),
    JSON.stringify({
      Event: {
        System: { Provider: { '#attributes': { Name: 'Microsoft-Windows-Sysmon' } }, EventID: 1, Channel: SYSMON },
        EventData: { Image: 'C:\\x\\whoami.exe', User: 'carol' },
      },
    }),
  );
  writeFileSync(join(events, 'notes.txt'), 'not events');
  writeFileSync(join(events, '.hidden.jsonl'), '{"Marker": "yes"}\n');
  return { dir, rules, events };
}

/** Writes a native .evtx file of Sysmon records (EventID, Channel, EventData Image). */
export function writeSysmonEvtx(path: string, records: ReadonlyArray<{ eventId: number; image: string }>): void {
  const w = new ChunkWriter();
  records.forEach((r, i) => {
    w.addRecord(i + 1, {
      key: 'sysmon',
      nodes: [
        {
          el: 'Event',
          children: [
            {
              el: 'System',
              children: [
                { el: 'EventID', children: [{ sub: 0, type: ValueType.UInt16 }] },
                { el: 'Channel', children: [{ text: SYSMON }] },
              ],
            },
            { el: 'EventData', children: [{ el: 'Data', attrs: [['Name', [{ text: 'Image' }]]], children: [{ sub: 1, type: ValueType.String }] }] },
          ],
        },
      ],
      values: [synthValue.uint16(r.eventId), synthValue.string(r.image)],
    });
  });
  writeFileSync(path, buildEvtxFile([w.finish()]));
}
