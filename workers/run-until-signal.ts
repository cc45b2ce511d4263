// Entry-point helper: starts a Runtime, waits for SIGTERM or SIGINT, stops it within the deadline and returns the
// exit code. Only command entry points use it (components never handle signals themselves).
import type { Logger } from './logger.ts';
import type { Runtime } from './runtime.ts';

/**
 * Runs until a signal; resolves to 0 after a clean stop, 1 when start failed. `deadlineMs` is how long the stop
 * may take (config `stopDeadlineMs`).
 */
export async function runUntilSignal(runtime: Runtime, logger: Logger, deadlineMs: number): Promise<number> {
  let onSignal!: (sig: NodeJS.Signals) => void;
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = resolve;
  });
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    await runtime.start();
  } catch (err) {
    logger.error({ err: (err as Error).message }, 'Start-up failed.');
    await runtime.stop({ deadlineMs: 5_000 });
    return 1;
  }
  const sig = await signalled;
  logger.info({ signal: sig, deadlineMs }, 'Shutting down.');
  // A second signal while stopping means "now".
  const hard = () => {
    logger.warn('Second signal: exiting without a clean stop.');
    process.exit(130);
  };
  process.once('SIGTERM', hard);
  process.once('SIGINT', hard);
  await runtime.stop({ deadlineMs });
  process.off('SIGTERM', hard);
  process.off('SIGINT', hard);
  return 0;
}
