// Test helper: polls a condition until it holds or a timeout passes (for real brokers, where fake timers cannot help).

/** Resolves when cond() is truthy; rejects with `what` after timeoutMs. */
export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
  everyMs = 50,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Resolves when cond() is truthy; rejects with `what` once progress() (a count that grows while the system works,
 * e.g. posts indexed) has not changed for stallMs. For waits whose length depends on the machine's load: a loaded
 * machine gets as long as it keeps making progress, and a stalled pipeline fails after stallMs, not after a fixed
 * deadline that is either too short under load or needlessly long when nothing moves.
 */
export async function waitWhileProgressing(
  cond: () => boolean | Promise<boolean>,
  progress: () => number | Promise<number>,
  what: string,
  stallMs = 20_000,
  everyMs = 100,
): Promise<void> {
  let last = await progress();
  let movedAt = Date.now();
  for (;;) {
    if (await cond()) return;
    const now = await progress();
    if (now !== last) {
      last = now;
      movedAt = Date.now();
    } else if (Date.now() - movedAt > stallMs)
      throw new Error(`timed out waiting for ${what}: no progress for ${stallMs} ms (at ${now})`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
