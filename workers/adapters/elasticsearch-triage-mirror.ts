// Copies each cluster's triage status, assignee and labels onto its document in the Elasticsearch clusters index
// (fields triage.status, triage.assignee, triage.labels, triage.updatedAt), so Kibana can filter by them. The
// triage store stays the source of truth; this is a one-way, best-effort copy: a cluster document that is not there
// yet (the index worker writes it) is skipped, and the next change of that cluster copies again. On start it adds
// the four fields to the clusters index mapping (which is `dynamic: false`), idempotently.
import { Client, errors } from '@elastic/elasticsearch';
type ClientOptions = NonNullable<ConstructorParameters<typeof Client>[0]>;
import type { TriageState } from '../ports/triage-store.ts';

/** Options of {@link ElasticsearchTriageMirror}. */
export interface ElasticsearchTriageMirrorOptions {
  node: string;
  auth?: ClientOptions['auth'];
  /** Index prefix; the clusters index is `<prefix>-clusters`. Default "mid". */
  prefix?: string;
  /** Extra client options (tests pass a mock connection). */
  client?: Partial<ClientOptions>;
}

/** The triage mapping added to the clusters index. */
export const TRIAGE_MAPPING = {
  triage: {
    properties: {
      status: { type: 'keyword' },
      assignee: { type: 'keyword' },
      labels: { type: 'keyword' },
      updatedAt: { type: 'date' },
    },
  },
} as const;

/** Attempts of one update that keeps answering 409 (each already retried by Elasticsearch, `retry_on_conflict`). */
const CONFLICT_ATTEMPTS = 3;

/** A triage copy that Elasticsearch refused: still in conflict after the retries, or another error. */
export class TriageMirrorError extends Error {
  override readonly name = 'TriageMirrorError';
  constructor(
    message: string,
    /** True for conflicts and overload (the next change of the cluster, or a retry, copies it again). */
    readonly retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Writes triage fields onto cluster documents. */
export class ElasticsearchTriageMirror {
  private es: Client | null = null;
  private readonly index: string;

  constructor(private readonly options: ElasticsearchTriageMirrorOptions) {
    this.index = `${options.prefix ?? 'mid'}-clusters`;
  }

  async start(): Promise<void> {
    if (this.es) return;
    this.es = new Client({
      node: this.options.node,
      auth: this.options.auth,
      maxRetries: 3,
      requestTimeout: 10_000,
      ...this.options.client,
    });
    await this.es.indices.putMapping({ index: this.index, properties: TRIAGE_MAPPING as never }, { ignore: [404] });
  }

  async stop(): Promise<void> {
    const es = this.es;
    this.es = null;
    // Closing is best effort: nothing is buffered here, and stop must not throw.
    await es?.close().catch(() => undefined);
  }

  /** Copies one cluster's state; false when the cluster document does not exist (yet). */
  async write(state: TriageState): Promise<boolean> {
    if (!this.es) throw new Error('triage mirror not started');
    const doc = {
      triage: {
        status: state.status,
        assignee: state.assignee,
        labels: state.labels.map((l) => l.name),
        updatedAt: state.updatedAtMs === null ? null : new Date(state.updatedAtMs).toISOString(),
      },
    };
    // A 409 means the index worker rewrote the cluster document between Elasticsearch's read and write, more
    // often than retry_on_conflict covers; the update only sets triage.*, so sending it again is safe.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.es.update({ index: this.index, id: state.clusterId, doc, retry_on_conflict: 3 });
        return true;
      } catch (err) {
        if (err instanceof errors.ResponseError && err.statusCode === 404) return false;
        if (err instanceof errors.ResponseError && err.statusCode === 409 && attempt < CONFLICT_ATTEMPTS) continue;
        const status = err instanceof errors.ResponseError ? err.statusCode : undefined;
        throw new TriageMirrorError(
          `Elasticsearch refused the triage copy of a cluster${status ? ` (HTTP ${status})` : ''}`,
          status === undefined || status === 409 || status === 429 || status >= 500,
          { cause: err },
        );
      }
    }
  }
}
