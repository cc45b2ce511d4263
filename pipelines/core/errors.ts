// The error base classes every layer shares. House rule: errors are classes with `name`, `cause` and `retriable`;
// retriable ones are backed off with jitter and tried again, the others go to the dead-letter topic, become BullMQ's
// UnrecoverableError or stop the command. Subclasses set their own `name`.

/** Base of the project's errors: a message, an optional cause and whether trying again later can help. */
export abstract class MidError extends Error {
  /** Whether trying again later can help (a service unreachable) or not (bad input, bad configuration). */
  abstract readonly retriable: boolean;
  constructor(message?: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** An error trying again cannot fix: dead-letter the input, or report and stop. */
export class PermanentError extends MidError {
  override name = 'PermanentError';
  readonly retriable = false;
}

/** An error that may go away by itself: back off with jitter and try again. */
export class RetriableError extends MidError {
  override name = 'RetriableError';
  readonly retriable = true;
}
