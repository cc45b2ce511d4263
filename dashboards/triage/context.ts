// What the triage application's route modules share (the context they are registered with, the session cookie's
// name), apart from app.ts, so that app.ts can import the route modules without a cycle.
import type { Eta } from 'eta';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { SignalStore } from '../../workers/ports/signal-store.ts';
import type { TriageState, TriageStore } from '../../workers/ports/triage-store.ts';
import type { AlertsConfig } from '../../workers/alerts-config.ts';
import type { AlertStore } from '../../workers/ports/alert-store.ts';
import type { TriageConfig } from './config.ts';
import type { ReportArchiveAccess } from '../../workers/ports/report-archive.ts';

/** Name of the session cookie. */
export const SESSION_COOKIE = 'mid_session';

/** What the chat buttons' endpoint (chat-actions.ts) needs besides the app context. */
export interface ChatActionsDeps {
  config: AlertsConfig['interactive'];
  /** The alert store the alerts worker reads silences from (snooze); null: snooze is refused. */
  alertStore: AlertStore | null;
}

/** Options of {@link buildTriageApp}. */
export interface TriageAppOptions {
  triage: TriageStore;
  signals: SignalStore;
  config: TriageConfig;
  logger: Logger;
  /** Clock (tests). Default Date.now. */
  now?: () => number;
  /** Pseudonym → handle, when a re-identification table is configured (off by default). */
  reidentify?: ((pseudonym: string) => Promise<string | null>) | null;
  /** Called after every triage state change (cluster mode copies it onto the Elasticsearch cluster document). */
  onStateChange?: (state: TriageState) => void;
  /** The report archive (list, download, generate); without it the /reports pages are not served. Default none. */
  reports?: ReportArchiveAccess;
  /** The chat buttons' endpoint (dashboards/triage/chat-actions.ts); off when absent. */
  chatActions?: ChatActionsDeps | null;
  /** The alert store holding the silences the alerts worker reads (the /silences page); none: the page says so. */
  silences?: AlertStore | null;
}

/** Everything route modules need. */
export interface AppContext extends TriageAppOptions {
  now: () => number;
  eta: Eta;
  /** Starts a session for a user (sets the cookie) and returns nothing. */
  startSession(reply: FastifyReply, request: FastifyRequest, username: string): Promise<void>;
}
