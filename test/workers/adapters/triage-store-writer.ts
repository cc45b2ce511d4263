// Helper process of sqlite-triage-store-two-instances.test.ts (not a test): one triage instance's store on a shared
// SQLite file, making `n` state changes with notes on the clusters c0..c4 as fast as it can, so that two of these
// processes write at the same time. Every 10 changes it waits at a checkpoint until the other writer has made as many
// (a barrier through files, not a timing assumption), so the two really write in the same stretches even on a loaded
// machine where one process could otherwise finish before the other starts.
// Usage: node --import tsx triage-store-writer.ts <file> <name> <n> <other name>
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { SqliteTriageStore } from '../../../workers/adapters/sqlite-triage-store.ts';
import { TRIAGE_STATUSES } from '../../../workers/ports/triage-store.ts';

const [file, name, n, other] = process.argv.slice(2) as [string, string, string, string];
const STRETCH = 10;

function progressOf(writer: string): number {
  try {
    return Number(readFileSync(`${file}.${writer}.at`, 'utf8'));
  } catch {
    return -1;
  }
}

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
  if (i % STRETCH === STRETCH - 1) {
    writeFileSync(`${file}.${name}.at`, String(i));
    const deadline = Date.now() + 120_000;
    while (progressOf(other) < i) {
      if (Date.now() > deadline) process.exit(3);
      await sleep(5);
    }
  }
}
await store.stop();
