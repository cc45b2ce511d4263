// Helper process of sqlite-triage-store-two-instances.test.ts (not a test): one triage instance's store on a shared
// SQLite file, making `n` state changes with notes on the clusters c0..c4 as fast as it can, so that two of these
// processes write at the same time. Usage: node --import tsx triage-store-writer.ts <file> <name> <n>
import { existsSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { SqliteTriageStore } from '../../../workers/adapters/sqlite-triage-store.ts';
import { TRIAGE_STATUSES } from '../../../workers/ports/triage-store.ts';

const [file, name, n] = process.argv.slice(2) as [string, string, string];
const store = new SqliteTriageStore({ file });
await store.start();
// Start together: say ready, then wait for the test's go file (both processes take seconds to load).
writeFileSync(`${file}.${name}.ready`, '');
while (!existsSync(`${file}.go`)) await sleep(10);
for (let i = 0; i < Number(n); i++) {
  const id = `c${i % 5}`;
  const status = TRIAGE_STATUSES[i % 5]!; // never 'closed' (that needs a close reason)
  await store.updateState(id, { status, assignee: name }, { actor: name, action: 'status', atMs: Date.now() });
  await store.addNote(id, name, `${name} ${i}`, Date.now());
}
await store.stop();
