// Worker-thread entry of the enrichment pool (workers/enrich-pool-thread.ts): loads the TypeScript through tsx, as
// workers/bin/mid.mjs does for the main thread.
import { register } from 'tsx/esm/api';

register();
await import('../enrich-pool-thread.ts');
