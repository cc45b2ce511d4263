// Child process for the restart test: an alerts worker on a SQLite alert store that handles one signals message
// (as a redelivered batch would be) and delivers until the outbox is empty. With CRASH=after-send it kills itself
// right after the receiver's 2xx, before recording the delivery (the worst moment).
import { SqliteAlertStore } from '../../../workers/adapters/sqlite-alert-store.ts';
import { JsonWebhookNotifier } from '../../../workers/notifiers/json-webhook.ts';
import type { Notifier } from '../../../workers/notifiers/notifier.ts';
import { alertCluster, signal, testWorker } from './harness.ts';

const store = new SqliteAlertStore(process.env.ALERTS_DB!);
await store.start();
const real = new JsonWebhookNotifier({ url: process.env.HOOK!, secret: null, timeoutMs: 60_000 });
const notifier: Notifier = {
  format: 'json',
  threads: true,
  async send(r, signal) {
    const res = await real.send(r, signal);
    if (process.env.CRASH === 'after-send') process.kill(process.pid, 'SIGKILL');
    return res;
  },
};
const size = Number(process.env.SIZE ?? 6);
const { worker, clock } = testWorker(
  {
    routes: [{ name: 'desk', groupWaitMs: 0, groupIntervalMs: 0, channel: { format: 'json', url: process.env.HOOK } }],
  },
  {},
  { alertStore: store, notifiers: new Map([['desk', notifier]]) },
);
clock.now = Date.now();
await worker.handleBatch([
  signal(
    alertCluster({
      posts: Array.from({ length: size }, (_, i) => `post-${i}`),
      accounts: Array.from({ length: size }, (_, i) => `p:${i}`),
    }),
  ),
]);
await worker.deliverDue();
await store.stop();
process.stdout.write('done\n');
