// Worker-thread entry of the snapshot replica (workers/detector-replica.ts): loads the TypeScript through tsx, as
// workers/bin/mid.mjs does for the main thread.
import { register } from 'tsx/esm/api';

register();
await import('../detector-replica.ts');
