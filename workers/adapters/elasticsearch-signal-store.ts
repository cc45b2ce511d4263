// The Elasticsearch signal store (@elastic/elasticsearch 9): posts in a data stream (`create` with id = post id, so a
// repeat is a 409 conflict that counts as already indexed), clusters in a regular index updated with doc_as_upsert,
// dead letters in their own index. `setup()` (also `mid es setup`) installs, idempotently, an ILM policy (retention
// from config), composable index templates built from component templates (settings with a Dutch analyser, and
// mappings with keyword sub-fields) and the clusters index. Bulk writes go through the client's bulk helper:
// 429s are retried by the helper, other refusals arrive in onDrop and are returned as rejected (→ dlq).
import { Client, errors } from '@elastic/elasticsearch';
import type { Cluster, EnrichedPost } from '../../pipelines/types.ts';

type ClientOptions = NonNullable<ConstructorParameters<typeof Client>[0]>;
import type { DeadLetterMessage } from '../messages.ts';
import type { StopOptions } from '../ports/lifecycle.ts';
import type { ListClustersOptions, SignalStore, StoreCounts, StoredCluster, WriteResult } from '../ports/signal-store.ts';

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
}

/** Raised when Elasticsearch cannot be used (not a per-document refusal); retriable when the cause is. */
export class SignalStoreError extends Error {
  override name = 'SignalStoreError';
  constructor(message: string, override readonly cause?: unknown, readonly retriable = true) { super(message); }
}

/** Names of everything the store creates, from the prefix. */
export function esNames(prefix = 'mid') {
  return {
    policy: `${prefix}-posts-policy`,
    settings: `${prefix}-settings`,
    postMappings: `${prefix}-posts-mappings`,
    clusterMappings: `${prefix}-clusters-mappings`,
    postsTemplate: `${prefix}-posts`,
    clustersTemplate: `${prefix}-clusters`,
    posts: `${prefix}-posts`,
    clusters: `${prefix}-clusters`,
    dlq: `${prefix}-dlq`,
  };
}

const text = { type: 'text', analyzer: 'mid_dutch', fields: { keyword: { type: 'keyword', ignore_above: 256 } } };
const keyword = { type: 'keyword' };

/** Index settings: a Dutch analyser (lower case, Dutch stop words and stemmer, ASCII folding). */
export const ES_SETTINGS = {
  analysis: {
    filter: {
      mid_dutch_stop: { type: 'stop', stopwords: '_dutch_' },
      mid_dutch_stemmer: { type: 'stemmer', language: 'dutch' },
    },
    analyzer: {
      mid_dutch: { type: 'custom', tokenizer: 'standard', filter: ['lowercase', 'mid_dutch_stop', 'asciifolding', 'mid_dutch_stemmer'] },
    },
  },
};

/** Mappings of a post document. */
export const ES_POST_MAPPINGS = {
  dynamic: false,
  properties: {
    '@timestamp': { type: 'date' }, id: keyword, source: keyword, url: keyword, createdAt: { type: 'date' }, createdAtMs: { type: 'long' },
    text, lang: keyword, langConfidence: { type: 'float' }, declaredLang: keyword,
    author: { properties: { id: keyword, handle: keyword, createdAt: { type: 'date' }, followers: { type: 'long' }, following: { type: 'long' }, posts: { type: 'long' }, bot: { type: 'boolean' } } },
    links: keyword, canonicalLinks: keyword, hashtags: keyword, mentions: keyword,
    entities: { properties: { text, type: keyword } },
    botScore: { type: 'float' }, botReasons: keyword,
    factchecks: { properties: { url: keyword, publisher: keyword, rating: keyword, claim: text } },
    replyTo: keyword, repostOf: keyword, quoteOf: keyword,
  },
};

/** Mappings of a cluster document. */
export const ES_CLUSTER_MAPPINGS = {
  dynamic: false,
  properties: {
    id: keyword, kinds: keyword, score: { type: 'float' }, pValue: { type: 'double' }, posts: keyword, accounts: keyword,
    start: { type: 'date' }, end: { type: 'date' }, startMs: { type: 'long' }, endMs: { type: 'long' }, watermarkMs: { type: 'long' },
    reasons: text, sampleText: text, links: keyword, hashtags: keyword, languages: keyword,
    factchecks: { properties: { url: keyword, publisher: keyword, rating: keyword, claim: text } },
  },
};

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
    if (!this.client) this.client = new Client({ node: this.options.node, auth: this.options.auth, maxRetries: 3, requestTimeout: 30_000, ...this.options.client });
    return this.client;
  }

  async start(): Promise<void> {
    this.es;
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
    await this.es.cluster.putComponentTemplate({ name: n.postMappings, template: { mappings: ES_POST_MAPPINGS as never } });
    await this.es.cluster.putComponentTemplate({ name: n.clusterMappings, template: { mappings: ES_CLUSTER_MAPPINGS as never } });
    await this.es.indices.putIndexTemplate({
      name: n.postsTemplate, index_patterns: [`${n.posts}*`], data_stream: {}, priority: 200,
      composed_of: [n.settings, n.postMappings], template: { settings: { 'index.lifecycle.name': n.policy } },
      _meta: { managed_by: 'mid-monitor' },
    });
    await this.es.indices.putIndexTemplate({
      name: n.clustersTemplate, index_patterns: [`${n.clusters}*`, `${n.dlq}*`], priority: 200,
      composed_of: [n.settings, n.clusterMappings], _meta: { managed_by: 'mid-monitor' },
    });
    for (const index of [n.clusters, n.dlq]) {
      try {
        await this.es.indices.create({ index });
      } catch (err) {
        if (!(err instanceof errors.ResponseError && err.body?.error?.type === 'resource_already_exists_exception')) throw err;
      }
    }
  }

  /** Makes recent writes searchable (tests). */
  async refresh(): Promise<void> {
    await this.es.indices.refresh({ index: [this.names.posts, this.names.clusters, this.names.dlq], ignore_unavailable: true, allow_no_indices: true });
  }

  private async bulk<T>(docs: T[], onDocument: (d: T) => unknown, idOf: (d: T) => string, result: WriteResult, conflictIsDuplicate: boolean): Promise<void> {
    if (docs.length === 0) return;
    const stats = await this.es.helpers.bulk<T>({
      datasource: docs,
      onDocument: onDocument as never,
      retries: this.options.bulkRetries ?? 3,
      wait: this.options.bulkWaitMs ?? 500,
      flushBytes: 5_000_000,
      concurrency: 2,
      refreshOnCompletion: false,
      onDrop: (drop) => {
        const id = idOf(drop.document);
        if (conflictIsDuplicate && drop.status === 409) { result.duplicates++; return; }
        const e = drop.error as { type?: string; reason?: string } | null;
        result.rejected.push({ id, reason: `${drop.status} ${e?.type ?? 'error'}: ${e?.reason ?? ''}`.slice(0, 300) });
      },
    });
    if (stats.aborted) throw new SignalStoreError('bulk request aborted');
    result.written += stats.successful;
  }

  async writePosts(posts: EnrichedPost[]): Promise<WriteResult> {
    const result: WriteResult = { written: 0, duplicates: 0, rejected: [] };
    const docs = posts.map((p) => ({ ...p, '@timestamp': p.createdAt }));
    try {
      await this.bulk(docs, (d) => ({ create: { _index: this.names.posts, _id: d.id } }), (d) => d.id, result, true);
    } catch (err) {
      throw err instanceof SignalStoreError ? err : new SignalStoreError('writing posts failed', err);
    }
    return result;
  }

  async deletePost(id: string): Promise<boolean> {
    const r = await this.es.deleteByQuery({ index: this.names.posts, query: { ids: { values: [id] } }, refresh: true, conflicts: 'proceed', ignore_unavailable: true });
    return (r.deleted ?? 0) > 0;
  }

  async deleteCluster(id: string): Promise<boolean> {
    const r = await this.es.delete({ index: this.names.clusters, id, refresh: true }, { ignore: [404] });
    return r.result === 'deleted';
  }

  async upsertClusters(clusters: Array<{ cluster: Cluster; watermarkMs: number }>): Promise<WriteResult> {
    const result: WriteResult = { written: 0, duplicates: 0, rejected: [] };
    const docs = clusters.map(({ cluster, watermarkMs }) => ({ ...cluster, startMs: Date.parse(cluster.start), endMs: Date.parse(cluster.end), watermarkMs }));
    await this.bulk(docs, (d) => [{ update: { _index: this.names.clusters, _id: d.id } }, { doc_as_upsert: true }], (d) => d.id, result, false);
    return result;
  }

  async writeDeadLetters(letters: DeadLetterMessage[]): Promise<void> {
    const result: WriteResult = { written: 0, duplicates: 0, rejected: [] };
    const docs = letters.map((l) => ({ ...l, _uid: l.offset !== null ? `${l.topic}:${l.partition}:${l.offset}` : `${l.topic}:${l.key}:${l.at}:${l.reason}` }));
    await this.bulk(docs, (d) => [{ index: { _index: this.names.dlq, _id: d._uid } }, (({ _uid, ...rest }) => rest)(d)], (d) => d._uid, result, false);
  }

  private async maxEnd(): Promise<number> {
    const r = await this.es.search({ index: this.names.clusters, size: 0, aggs: { m: { max: { field: 'endMs' } } }, ignore_unavailable: true });
    return (r.aggregations?.m as { value: number | null } | undefined)?.value ?? 0;
  }

  async listClusters(options: ListClustersOptions = {}): Promise<StoredCluster[]> {
    const openFrom = (await this.maxEnd()) - this.openWindowMs;
    const r = await this.es.search<Cluster & { startMs: number; endMs: number; watermarkMs: number }>({
      index: this.names.clusters, size: options.limit ?? 100, ignore_unavailable: true,
      query: options.openOnly ? { range: { endMs: { gte: openFrom } } } : { match_all: {} },
      sort: [{ endMs: 'desc' }, { score: 'desc' }, { id: 'asc' }],
    });
    return r.hits.hits.map((h) => {
      const { startMs: _s, endMs, watermarkMs, ...c } = h._source!;
      return { ...c, watermarkMs, open: endMs >= openFrom };
    });
  }

  async searchPosts(query: string, limit = 20): Promise<string[]> {
    const r = await this.es.search<{ id: string }>({ index: this.names.posts, size: limit, query: { match: { text: query } }, _source: ['id'], ignore_unavailable: true });
    return r.hits.hits.map((h) => h._source!.id);
  }

  async getPosts(ids: string[]): Promise<EnrichedPost[]> {
    if (ids.length === 0) return [];
    const r = await this.es.search<EnrichedPost & { '@timestamp'?: string }>({ index: this.names.posts, size: ids.length, query: { ids: { values: ids } }, ignore_unavailable: true });
    const byId = new Map(r.hits.hits.map((h) => { const { '@timestamp': _t, ...p } = h._source!; return [p.id, p as EnrichedPost]; }));
    return ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
  }

  async counts(): Promise<StoreCounts> {
    const count = async (index: string, query?: object) => (await this.es.count({ index, ignore_unavailable: true, allow_no_indices: true, ...(query ? { query } : {}) })).count;
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
    const posts = await this.es.deleteByQuery({ index: this.names.posts, query: { range: { createdAtMs: { lt: cutoffMs } } }, conflicts: 'proceed', refresh: true, ignore_unavailable: true });
    await this.es.deleteByQuery({ index: this.names.clusters, query: { range: { endMs: { lt: cutoffMs } } }, conflicts: 'proceed', refresh: true, ignore_unavailable: true });
    // Dead letters expire too (by when they were dead-lettered): ISO strings compare as dates and as keywords.
    await this.es.deleteByQuery({ index: this.names.dlq, query: { range: { at: { lt: new Date(cutoffMs).toISOString() } } }, conflicts: 'proceed', refresh: true, ignore_unavailable: true });
    return posts.deleted ?? 0;
  }
}
