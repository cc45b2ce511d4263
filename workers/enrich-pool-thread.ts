// One thread of the enrichment pool (workers/enrich-pool.ts): builds the enricher from the options it was started
// with and answers each batch of input lines with their enrichment results, in the order given.
import { parentPort, workerData } from 'node:worker_threads';
import { createEnricher } from '../pipelines/enrich.ts';
import { enrichLines } from './enrich-pool.ts';
import type { EnrichPoolRequest, EnrichPoolReply, EnrichThreadOptions } from './enrich-pool.ts';

const options = workerData as EnrichThreadOptions;
const enrich = createEnricher({
  enrichment: options.enrichment,
  pseudonymKey: options.pseudonymKey,
  limits: options.limits,
  now: () => options.nowMs,
});

parentPort!.on('message', (m: EnrichPoolRequest) => {
  let reply: EnrichPoolReply;
  try {
    reply = { id: m.id, results: enrichLines(enrich, m.lines) };
  } catch (err) {
    // enrichLines turns every bad post into a result; reaching this is a bug, and the batch fails the run.
    reply = { id: m.id, error: (err as Error).message };
  }
  parentPort!.postMessage(reply);
});
