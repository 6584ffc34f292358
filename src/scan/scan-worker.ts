/**
 * A scan worker (`node:worker_threads`): loads the rules itself from the same paths and config
 * as the main thread, then matches the batches of events it is sent, and reads and matches the
 * `.evtx` segments it is sent (see worker-protocol.ts, evtx-jobs.ts).
 * Runs from the compiled `dist/src/scan/scan-worker.js`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadScanRules } from './scan-rules.js';
import { flattenEvent } from '../events/flatten-event.js';
import { isJsonObject } from '../util/json-object.js';
import { depthExceededAt } from '../event-files/event-depth.js';
import { matchInputs } from './match-inputs.js';
import type { ScanRuleSource } from './scan-rules.js';
import { runEvtxJob } from './evtx-jobs.js';
import type { MainMessage, WorkerMessage } from './worker-protocol.js';

const port = parentPort;
if (port === null) throw new Error('scan-worker.js runs as a worker thread');

function post(m: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(m, transfer);
}

try {
  const loaded = loadScanRules(workerData as ScanRuleSource);
  const index = loaded.index; // built now, before reporting ready
  port.on('message', (m: MainMessage) => {
    try {
      if (m.type === 'evtx') {
        post({ type: 'evtx-result', id: m.id, result: runEvtxJob(index, m.job) });
        return;
      }
      const texts = m.text === '' ? [] : m.text.split('\n');
      // Raw JSON Lines text or an already flattened event: flattening is idempotent. A line
      // that is not a JSON object is flagged (rule -1); the main thread reports it.
      const arr = matchInputs(index, texts.length, (i) => {
        let parsed: unknown;
        // Nested too deep to walk safely: flagged like a broken line (the main thread reports it).
        if (depthExceededAt(texts[i] as string, loaded.env.config.limits.eventDepth) >= 0) return undefined;
        try {
          parsed = JSON.parse(texts[i] as string);
        } catch {
          return undefined;
        }
        return isJsonObject(parsed) ? flattenEvent(parsed) : undefined;
      });
      post({ type: 'result', id: m.id, pairs: arr }, [arr.buffer as ArrayBuffer]);
    } catch (e) {
      post({ type: 'error', id: m.id, message: (e as Error).stack ?? String(e) });
    }
  });
  post({ type: 'ready', fingerprint: loaded.fingerprint });
} catch (e) {
  post({ type: 'error', message: (e as Error).stack ?? String(e) });
}
