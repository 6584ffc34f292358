// Builds a native .evtx file from flat Sysmon-shaped events (bench/run.mjs), laid out as Windows
// writes them: one template per kind of event in each chunk (System with Provider, EventID,
// TimeCreated, EventRecordID, Channel and Computer; EventData as named Data elements), each record
// an instance of it with its values as substitutions.
import { buildEvtxFile, ChunkWriter, synthValue as v } from '../dist-support/test/support/evtx-writer.js';
import { ValueType } from '../dist-support/src/evtx/values.js';

const SYSTEM = new Set(['EventID', 'Provider_Name', 'Channel', 'Computer', 'TimeCreated_SystemTime']);
/** FILETIME ticks of 1970-01-01 (100 ns since 1601). */
const EPOCH_TICKS = 116444736000000000n;
/** Room kept for a record beyond its values (its template definition, the first time in a chunk). */
const RESERVE = 4096;

function ticksOf(iso) {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? EPOCH_TICKS : EPOCH_TICKS + BigInt(ms) * 10000n;
}

/** A substitution value and its type: integers as UInt32/UInt64, everything else as text. */
function valueOf(x) {
  if (typeof x === 'number' && Number.isInteger(x) && x >= 0) return x < 2 ** 32 ? [v.uint32(x), ValueType.UInt32] : [v.uint64(BigInt(x)), ValueType.UInt64];
  return [v.string(String(x)), ValueType.String];
}

/** The .evtx bytes holding `events` as records 1..n. */
export function evtxOf(events) {
  const chunks = [];
  let w = new ChunkWriter();
  events.forEach((e, i) => {
    const data = Object.keys(e).filter((k) => !SYSTEM.has(k));
    const values = [v.string(String(e.Provider_Name ?? '')), v.uint16(Number(e.EventID) || 0), v.filetime(ticksOf(e.TimeCreated_SystemTime)), v.uint64(BigInt(i + 1)), v.string(String(e.Channel ?? '')), v.string(String(e.Computer ?? ''))];
    const types = [];
    for (const k of data) {
      const [value, type] = valueOf(e[k]);
      values.push(value);
      types.push(type);
    }
    const template = {
      key: `${e.EventID}|${e.Channel}|${data.map((k, j) => `${k}:${types[j]}`).join(',')}`,
      nodes: [
        {
          el: 'Event',
          attrs: [['xmlns', [{ text: 'http://schemas.microsoft.com/win/2004/08/events/event' }]]],
          children: [
            {
              el: 'System',
              children: [
                { el: 'Provider', attrs: [['Name', [{ sub: 0, type: ValueType.String }]]] },
                { el: 'EventID', children: [{ sub: 1, type: ValueType.UInt16 }] },
                { el: 'TimeCreated', attrs: [['SystemTime', [{ sub: 2, type: ValueType.FileTime }]]] },
                { el: 'EventRecordID', children: [{ sub: 3, type: ValueType.UInt64 }] },
                { el: 'Channel', children: [{ sub: 4, type: ValueType.String }] },
                { el: 'Computer', children: [{ sub: 5, type: ValueType.String }] },
              ],
            },
            { el: 'EventData', children: data.map((k, j) => ({ el: 'Data', attrs: [['Name', [{ text: k }]]], children: [{ sub: 6 + j, type: types[j], optional: true }] })) },
          ],
        },
      ],
      values,
    };
    let size = 0;
    for (const x of values) size += x.bytes.length;
    // The writer's position (a field of the test writer, read here, never written).
    if (w.pos + size + RESERVE > 65536) {
      chunks.push(w.finish());
      w = new ChunkWriter();
    }
    w.addRecord(i + 1, template, { written: ticksOf(e.TimeCreated_SystemTime) });
  });
  chunks.push(w.finish());
  return buildEvtxFile(chunks);
}
