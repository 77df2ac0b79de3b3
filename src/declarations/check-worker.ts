/**
 * A checking worker's thread: reads its environment once (the reference data of `dataDir`, the node's rates), then
 * checks the chunks of items it is sent and answers with their rows. See {@link CheckPool}.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ExchangeRates, loadReferenceData } from '../reference/index.js';
import { type CheckRequest, type CheckResponse, type CheckWorkerData, packChecked } from './check-pool.js';
import { checkItem } from './checking.js';
import type { DeclarationEnvironment } from './environment.js';

const data = workerData as CheckWorkerData;
const reference = loadReferenceData(data.dataDir).preload();
const rates = data.rates === null ? reference.sampleExchangeRates : new ExchangeRates(data.rates.rows, data.rates.base);
const port = parentPort!;
/** The submission's time, set per request; one environment for all, so its memoized lookups last. */
let nowMs = 0;
const env: DeclarationEnvironment = { reference, rates, currency: data.currency, clock: { now: () => nowMs } };

port.on('message', (request: CheckRequest) => {
  nowMs = Date.parse(request.now);
  try {
    const checked = request.items.map((item) => checkItem(item, env, request.now, request.actor));
    const chunk = packChecked(checked);
    port.postMessage({ id: request.id, chunk } satisfies CheckResponse, [chunk.bytes]);
  } catch (error) {
    port.postMessage({ id: request.id, error: (error as Error).stack ?? String(error) } satisfies CheckResponse);
  }
});
port.postMessage({ ready: true });
