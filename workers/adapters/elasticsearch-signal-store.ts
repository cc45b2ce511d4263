// The Elasticsearch signal store (@elastic/elasticsearch 9): posts in a data stream (`create` with id = post id, so a
// repeat is a 409 conflict that counts as already indexed), clusters in a regular index updated with doc_as_upsert,
// dead letters in their own index. `setup()` (also `mid es setup`) installs, idempotently, an ILM policy (retention
// from config), composable index templates built from component templates (settings with a Dutch analyser, and
// mappings with keyword sub-fields, defined in elasticsearch-mappings.ts) and the clusters and dead-letter indices. Bulk writes go through the client's bulk helper:
// per-item 429s and 5xx are retried (by the helper, then by bulk() for those items only) and never dead-lettered;
// other refusals arrive in onDrop and are returned as rejected (→ dlq).
import { Client, errors } from '@elastic/elasticsearch';
import type { Cluster, EnrichedPost } from '../../pipelines/types.ts';
import {
  ES_CLUSTER_MAPPINGS,
  ES_DLQ_MAPPINGS,
  ES_POST_MAPPINGS,
  ES_SETTINGS,
  esNames,
} from './elasticsearch-mappings.ts';

type ClientOptions = NonNullable<ConstructorParameters<typeof Client>[0]>;
import type { DeadLetterMessage } from '../../pipelines/core/envelopes.ts';
import type { StopOptions } from '../../pipelines/core/lifecycle.ts';
import type {
  ListClustersOptions,
  SignalStore,
  StoreCounts,
  StoredCluster,
  WriteResult,
} from '../ports/signal-store.ts';
import { MidError } from '../../pipelines/core/errors.ts';

/** Options of {@link ElasticsearchSignalStore}. */
export interface ElasticsearchSignalStoreOptions {
  /** Elasticsearch URL. */
  node: string;
  /** Prefix of every index, template and policy name. Default "mid". */
  prefix?: string;
  /** Posts are deleted by ILM this many days after rollover. */
  retentionDays: number;
  /** Open window for clusters, hours. Default 24. */
  openClusterHours?: number;
  /** Basic or API-key auth. */
  auth?: ClientOptions['auth'];
  /** Extra client options (tests pass the mock Connection here). */
  client?: Partial<ClientOptions>;
  /** Run setup() on start (embedded convenience; clusters usually run `mid es setup` once). Default false. */
  setupOnStart?: boolean;
  /** Bulk helper: retries of 429s and wait between them. Defaults 3 and 500 ms. */
  bulkRetries?: number;
  bulkWaitMs?: number;
  /**
   * Items still refused with 429 or 5xx after the helper's retries are sent again (only those) with a doubling,
   * jittered back-off starting at retryBackoffMs, for up to retryForMs; then the write throws (retriable) and the
   * batch is delivered again. Defaults 1000 ms and 60000 ms.
   */
  retryBackoffMs?: number;
  retryForMs?: number;
}

/** Raised when Elasticsearch cannot be used (not a per-document refusal); retriable when the cause is. */
export class SignalStoreError extends MidError {
  override name = 'SignalStoreError';
  constructor(
    message: string,
    cause?: unknown,
    readonly retriable = true,
  ) {
    super(message, { cause });
  }
}

// The definitions live in elasticsearch-mappings.ts (shared with the Kibana generator); re-exported for callers.
export {
  esNames,
  ES_CLUSTER_MAPPINGS,
  ES_DLQ_MAPPINGS,
  ES_POST_MAPPINGS,
  ES_SETTINGS,
} from './elasticsearch-mappings.ts';

/**
 * The stored document of a cluster: the detector's cluster plus figures analysts sort and filter on in Kibana,
 * which the cluster itself does not carry: `size` (accounts), `postCount`, `domains` (hosts of its links) and
 * `youngShare` (share of its accounts created less than `detection.youngAccountDays` before posting). The detector
 * states that share only in a reason ("N of the M accounts were created less than D days before posting",
 * pipelines/detect-coordination.ts compositionReasons), which is parsed here; without that reason it is 0.
 */
export function clusterDocument(cluster: Cluster, watermarkMs: number) {
  const young = cluster.reasons
    .map((r) => /^(\d+) of the (\d+) accounts were created less than/.exec(r))
    .find((m) => m !== null);
  const domains = new Set<string>();
  for (const link of cluster.links) {
    try {
      domains.add(new URL(link).hostname.replace(/^www\./, ''));
    } catch {
      /* not a URL: no domain */
    }
  }
  return {
    ...cluster,
    startMs: Date.parse(cluster.start),
    endMs: Date.parse(cluster.end),
    watermarkMs,
    size: cluster.accounts.length,
    postCount: cluster.posts.length,
    youngShare: young ? Number(young[1]) / Math.max(1, Number(young[2])) : 0,
    domains: [...domains].sort(),
  };
}

/** Elasticsearch implementation of the {@link SignalStore} port. */
export class ElasticsearchSignalStore implements SignalStore {
  readonly kind = 'elasticsearch' as const;
  readonly names: ReturnType<typeof esNames>;
  private client: Client | null = null;
  private readonly openWindowMs: number;

  constructor(private readonly options: ElasticsearchSignalStoreOptions) {
    this.names = esNames(options.prefix);
    this.openWindowMs = (options.openClusterHours ?? 24) * 3_600_000;
  }

  /** The underlying client (for `mid es setup` and tests). */
  get es(): Client {
    if (!this.client)
      this.client = new Client({
        node: this.options.node,
        auth: this.options.auth,
        maxRetries: 3,
        requestTimeout: 30_000,
        ...this.options.client,
      });
    return this.client;
  }

  async start(): Promise<void> {
    void this.es; // builds the client now, so a bad node URL fails at start, not at the first write
    if (this.options.setupOnStart) await this.setup();
  }

  async stop(_options?: StopOptions): Promise<void> {
    const c = this.client;
    this.client = null;
    await c?.close();
  }

  /** Installs the ILM policy, component and index templates and the clusters and dlq indices; safe to repeat. */
  async setup(): Promise<void> {
    const n = this.names;
    await this.es.ilm.putLifecycle({
      name: n.policy,
      policy: {
        _meta: { managed_by: 'mid-monitor' },
        phases: {
          hot: { min_age: '0ms', actions: { rollover: { max_age: '1d', max_primary_shard_size: '50gb' } } },
          delete: { min_age: `${this.options.retentionDays}d`, actions: { delete: {} } },
        },
      },
    });
    await this.es.cluster.putComponentTemplate({ name: n.settings, template: { settings: ES_SETTINGS as never } });
    await this.es.cluster.putComponentTemplate({
      name: n.postMappings,
      template: { mappings: ES_POST_MAPPINGS as never },
    });
    await this.es.cluster.putComponentTemplate({
      name: n.clusterMappings,
      template: { mappings: ES_CLUSTER_MAPPINGS as never },
    });
    await this.es.cluster.putComponentTemplate({
      name: n.dlqMappings,
      template: { mappings: ES_DLQ_MAPPINGS as never },
    });
    await this.es.indices.putIndexTemplate({
      name: n.postsTemplate,
      index_patterns: [`${n.posts}*`],
      data_stream: {},
      priority: 200,
      composed_of: [n.settings, n.postMappings],
      template: { settings: { 'index.lifecycle.name': n.policy } },
      _meta: { managed_by: 'mid-monitor' },
    });
    await this.es.indices.putIndexTemplate({
      name: n.clustersTemplate,
      index_patterns: [`${n.clusters}*`],
      priority: 200,
      composed_of: [n.settings, n.clusterMappings],
      _meta: { managed_by: 'mid-monitor' },
    });
    await this.es.indices.putIndexTemplate({
      name: n.dlqTemplate,
      index_patterns: [`${n.dlq}*`],
      priority: 200,
      composed_of: [n.settings, n.dlqMappings],
      _meta: { managed_by: 'mid-monitor' },
    });
    for (const [index, mappings] of [
      [n.clusters, ES_CLUSTER_MAPPINGS],
      [n.dlq, ES_DLQ_MAPPINGS],
    ] as const) {
      try {
        await this.es.indices.create({ index });
      } catch (err) {
        if (!(err instanceof errors.ResponseError && esErrorType(err) === 'resource_already_exists_exception'))
          throw err;
        // An index made by an earlier version keeps its mappings: add the fields added since (new fields only).
        await this.es.indices.putMapping({ index, ...(mappings as object) });
      }
    }
  }

  /** Makes recent writes searchable (tests). */
  async refresh(): Promise<void> {
    await this.es.indices.refresh({
      index: [this.names.posts, this.names.clusters, this.names.dlq],
      ignore_unavailable: true,
      allow_no_indices: true,
    });
  }

  /**
   * Writes docs with the bulk helper. Items refused as overload or unavailability (per-item 429 or 5xx) are not
   * refusals of the document: the helper retries them `bulkRetries` times, and then this loop sends those items
   * (and only those) again with a jittered back-off until `retryForMs` has passed, then throws a retriable
   * SignalStoreError so the batch stays uncommitted. Only 4xx refusals of the document itself become `rejected`.
   */
  private async bulk<T>(
    docs: T[],
    onDocument: (d: T) => unknown,
    idOf: (d: T) => string,
    result: WriteResult,
    conflictIsDuplicate: boolean,
  ): Promise<void> {
    if (docs.length === 0) return;
    const until = Date.now() + (this.options.retryForMs ?? 60_000);
    let pending = docs;
    for (let round = 0; ; round++) {
      const byId = new Map(pending.map((d) => [idOf(d), d]));
      const again: T[] = [];
      const stats = await this.es.helpers.bulk<T>({
        datasource: pending,
        onDocument: onDocument as never,
        retries: this.options.bulkRetries ?? 3,
        wait: this.options.bulkWaitMs ?? 500,
        flushBytes: 5_000_000,
        concurrency: 2,
        refreshOnCompletion: false,
        onDrop: (drop) => {
          // The action line carries the id; the document line differs per action (update wraps it in `doc`).
          const id = (Object.values(drop.operation)[0] as { _id?: string } | undefined)?._id ?? idOf(drop.document);
          if (conflictIsDuplicate && drop.status === 409) {
            result.duplicates++;
            return;
          }
          if ((drop.status === 429 || drop.status >= 500) && byId.has(id)) {
            again.push(byId.get(id)!);
            return;
          }
          const e = drop.error as { type?: string; reason?: string } | null;
          result.rejected.push({
            id,
            reason: `${drop.status} ${e?.type ?? 'error'}: ${e?.reason ?? ''}`.slice(0, 300),
          });
        },
      });
      if (stats.aborted) throw new SignalStoreError('bulk request aborted');
      result.written += stats.successful;
      if (again.length === 0) return;
      if (Date.now() >= until)
        throw new SignalStoreError(
          `${again.length} documents still refused as overload or unavailable after ${round + 1} rounds`,
        );
      const base = (this.options.retryBackoffMs ?? 1000) * 2 ** Math.min(round, 5);
      await new Promise((r) => setTimeout(r, base / 2 + (Math.random() * base) / 2));
      pending = again;
    }
  }

  async writePosts(posts: EnrichedPost[]): Promise<WriteResult> {
    const result: WriteResult = { written: 0, duplicates: 0, rejected: [] };
    const docs = posts.map((p) => ({ ...p, '@timestamp': p.createdAt }));
    try {
      await this.bulk(
        docs,
        (d) => ({ create: { _index: this.names.posts, _id: d.id } }),
        (d) => d.id,
        result,
        true,
      );
    } catch (err) {
      throw err instanceof SignalStoreError ? err : new SignalStoreError('writing posts failed', err);
    }
    return result;
  }

  async deletePost(id: string): Promise<boolean> {
    const r = await this.es.deleteByQuery({
      index: this.names.posts,
      query: { ids: { values: [id] } },
      refresh: true,
      conflicts: 'proceed',
      ignore_unavailable: true,
    });
    return (r.deleted ?? 0) > 0;
  }

  async deleteCluster(id: string): Promise<boolean> {
    const r = await this.es.delete({ index: this.names.clusters, id, refresh: true }, { ignore: [404] });
    return r.result === 'deleted';
  }

  async upsertClusters(clusters: Array<{ cluster: Cluster; watermarkMs: number }>): Promise<WriteResult> {
    const result: WriteResult = { written: 0, duplicates: 0, rejected: [] };
    const docs = clusters.map(({ cluster, watermarkMs }) => clusterDocument(cluster, watermarkMs));
    await this.bulk(
      docs,
      (d) => [{ update: { _index: this.names.clusters, _id: d.id } }, { doc_as_upsert: true }],
      (d) => d.id,
      result,
      false,
    );
    return result;
  }

  async writeDeadLetters(letters: DeadLetterMessage[]): Promise<void> {
    const result: WriteResult = { written: 0, duplicates: 0, rejected: [] };
    const docs = letters.map((l) => ({
      ...l,
      _uid: l.offset !== null ? `${l.topic}:${l.partition}:${l.offset}` : `${l.topic}:${l.key}:${l.at}:${l.reason}`,
    }));
    await this.bulk(
      docs,
      (d) => [{ index: { _index: this.names.dlq, _id: d._uid } }, (({ _uid, ...rest }) => rest)(d)],
      (d) => d._uid,
      result,
      false,
    );
  }

  private async maxEnd(): Promise<number> {
    const r = await this.es.search({
      index: this.names.clusters,
      size: 0,
      aggs: { m: { max: { field: 'endMs' } } },
      ignore_unavailable: true,
    });
    return (r.aggregations?.m as { value: number | null } | undefined)?.value ?? 0;
  }

  async listClusters(options: ListClustersOptions = {}): Promise<StoredCluster[]> {
    const openFrom = (await this.maxEnd()) - this.openWindowMs;
    const r = await this.es.search<ReturnType<typeof clusterDocument>>({
      index: this.names.clusters,
      size: options.limit ?? 100,
      ignore_unavailable: true,
      query: options.openOnly ? { range: { endMs: { gte: openFrom } } } : { match_all: {} },
      sort: [{ endMs: 'desc' }, { score: 'desc' }, { id: 'asc' }],
    });
    return r.hits.hits.map((h) => {
      // The figures added for Kibana (clusterDocument) are not part of the cluster.
      const {
        startMs: _s,
        endMs,
        watermarkMs,
        size: _n,
        postCount: _p,
        youngShare: _y,
        domains: _d,
        ...c
      } = h._source!;
      return { ...c, watermarkMs, open: endMs >= openFrom };
    });
  }

  async searchPosts(query: string, limit = 20): Promise<string[]> {
    const r = await this.es.search<{ id: string }>({
      index: this.names.posts,
      size: limit,
      query: { match: { text: query } },
      _source: ['id'],
      ignore_unavailable: true,
    });
    return r.hits.hits.map((h) => h._source!.id);
  }

  async getPosts(ids: string[]): Promise<EnrichedPost[]> {
    if (ids.length === 0) return [];
    const r = await this.es.search<EnrichedPost & { '@timestamp'?: string }>({
      index: this.names.posts,
      size: ids.length,
      query: { ids: { values: ids } },
      ignore_unavailable: true,
    });
    const byId = new Map(
      r.hits.hits.map((h) => {
        const { '@timestamp': _t, ...p } = h._source!;
        return [p.id, p as EnrichedPost];
      }),
    );
    return ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
  }

  async counts(): Promise<StoreCounts> {
    const count = async (index: string, query?: object) =>
      (await this.es.count({ index, ignore_unavailable: true, allow_no_indices: true, ...(query ? { query } : {}) }))
        .count;
    const openFrom = (await this.maxEnd()) - this.openWindowMs;
    return {
      posts: await count(this.names.posts),
      clusters: await count(this.names.clusters),
      openClusters: await count(this.names.clusters, { range: { endMs: { gte: openFrom } } }),
      dlq: await count(this.names.dlq),
    };
  }

  async purge(cutoffMs: number): Promise<number> {
    // ILM deletes whole backing indices; this purge makes the cut exact and covers clusters, which ILM does not manage.
    const posts = await this.es.deleteByQuery({
      index: this.names.posts,
      query: { range: { createdAtMs: { lt: cutoffMs } } },
      conflicts: 'proceed',
      refresh: true,
      ignore_unavailable: true,
    });
    await this.es.deleteByQuery({
      index: this.names.clusters,
      query: { range: { endMs: { lt: cutoffMs } } },
      conflicts: 'proceed',
      refresh: true,
      ignore_unavailable: true,
    });
    // Dead letters expire too (by when they were dead-lettered): ISO strings compare as dates and as keywords.
    await this.es.deleteByQuery({
      index: this.names.dlq,
      query: { range: { at: { lt: new Date(cutoffMs).toISOString() } } },
      conflicts: 'proceed',
      refresh: true,
      ignore_unavailable: true,
    });
    return posts.deleted ?? 0;
  }
}

/** The `error.type` of an Elasticsearch error response (its body is untyped in the client). */
function esErrorType(err: errors.ResponseError): string | undefined {
  const body = err.body as { error?: { type?: unknown } } | undefined;
  return typeof body?.error?.type === 'string' ? body.error.type : undefined;
}
