// The one pino root logger. Components take `logger.child({ component })`; secrets, handles and post text are redacted.
import pino from 'pino';
import type { DestinationStream, Logger } from 'pino';
import { z } from 'zod';

/** The `log` section of the configuration. */
export const logConfigSchema = z.object({
  level: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('pino log level (env MID_LOG_LEVEL). Default info.'),
});

/** Paths pino blanks wherever they appear in a log record: never log secrets, raw handles or post text. */
export const REDACT_PATHS = [
  'key',
  '*.key',
  'password',
  '*.password',
  'apiKey',
  '*.apiKey',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'text',
  '*.text',
  'handle',
  '*.handle',
  'displayName',
  '*.displayName',
];

/**
 * Creates the root logger; logs go to stderr so stdout stays free for command output (e.g. `mid normalize`).
 * `destination` replaces stderr (the leak test captures the log). Default stderr.
 */
export function createLogger(level = 'info', destination?: DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, destination ?? pino.destination(2));
}

export type { Logger };
