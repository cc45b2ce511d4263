// Report aggregates from the Elasticsearch signal store: posts counted per UTC hour, source and language with a
// composite aggregation (paged by after_key, so any number of buckets), clusters overlapping the period by a range
// query on startMs/endMs, and per cluster one search over its member posts returning only the four fields the
// figures need (source, author id, account age, exact fingerprint). Nothing loads every post of the period.
import { Client } from '@elastic/elasticsearch';
import type { estypes } from '@elastic/elasticsearch';
import type { PostHourBucket, ReportClusterInput } from '../../pipelines/report-data.ts';
import type { Cluster } from '../../pipelines/types.ts';
import type { StopOptions } from '../../pipelines/core/lifecycle.ts';
import type { ReportClusterQuery, ReportSource } from '../ports/report-source.ts';
import { esNames } from './elasticsearch-signal-store.ts';
import { clusterFigures, toReportCluster } from './sqlite-report-source.ts';

type ClientOptions = NonNullable<ConstructorParameters<typeof Client>[0]>;

/** Options of {@link ElasticsearchReportSource}. */
export interface ElasticsearchReportSourceOptions {
  /** Elasticsearch URL. */
  node: string;
  /** Prefix of the store's indices. Default "mid". */
  prefix?: string;
  /** Basic or API-key auth. */
  auth?: ClientOptions['auth'];
  /** Extra client options (tests pass the mock Connection here). */
  client?: Partial<ClientOptions>;
  /** Buckets per composite page. Default 1000. */
  pageSize?: number;
  /** Most clusters read for one period. Default 10000 (the index window). */
  maxClusters?: number;
}

interface MemberSource {
  source: string;
  author?: { id?: string | null };
  accountSignals?: { ageDays?: number | null };
  fingerprint?: { exact?: string; minhash?: number[] };
}
interface HourKey {
  h: number;
  source: string;
  lang: string | null;
}

/** Elasticsearch implementation of the {@link ReportSource} port. */
export class ElasticsearchReportSource implements ReportSource {
  readonly kind = 'elasticsearch' as const;
  private client: Client | null = null;
  private readonly names: ReturnType<typeof esNames>;

  constructor(private readonly options: ElasticsearchReportSourceOptions) {
    this.names = esNames(options.prefix);
  }

  private get es(): Client {
    if (!this.client)
      this.client = new Client({
        node: this.options.node,
        auth: this.options.auth,
        maxRetries: 3,
        requestTimeout: 60_000,
        ...this.options.client,
      });
    return this.client;
  }

  async start(): Promise<void> {
    void this.es;
  }

  async stop(_options?: StopOptions): Promise<void> {
    const c = this.client;
    this.client = null;
    await c?.close();
  }

  async postHours(fromMs: number, toMs: number): Promise<PostHourBucket[]> {
    const out: PostHourBucket[] = [];
    let after: estypes.AggregationsCompositeAggregateKey | undefined;
    for (;;) {
      const r = await this.es.search({
        index: this.names.posts,
        size: 0,
        ignore_unavailable: true,
        query: { range: { createdAtMs: { gte: fromMs, lt: toMs } } },
        aggs: {
          hours: {
            composite: {
              size: this.options.pageSize ?? 1000,
              sources: [
                { h: { histogram: { field: 'createdAtMs', interval: 3_600_000 } } },
                { source: { terms: { field: 'source' } } },
                { lang: { terms: { field: 'lang', missing_bucket: true } } },
              ],
              ...(after ? { after } : {}),
            },
          },
        },
      });
      const agg = r.aggregations?.hours as
        | { after_key?: estypes.AggregationsCompositeAggregateKey; buckets: Array<{ key: HourKey; doc_count: number }> }
        | undefined;
      const buckets = agg?.buckets ?? [];
      for (const b of buckets)
        out.push({ hourMs: Number(b.key.h), platform: b.key.source, lang: b.key.lang ?? 'und', posts: b.doc_count });
      if (buckets.length === 0 || !agg?.after_key) break;
      after = agg.after_key;
    }
    return out;
  }

  async clusters(fromMs: number, toMs: number, query: ReportClusterQuery): Promise<ReportClusterInput[]> {
    const r = await this.es.search<Cluster & { startMs?: number; endMs?: number; watermarkMs?: number }>({
      index: this.names.clusters,
      size: this.options.maxClusters ?? 10_000,
      ignore_unavailable: true,
      query: { bool: { filter: [{ range: { startMs: { lt: toMs } } }, { range: { endMs: { gte: fromMs } } }] } },
      sort: [{ startMs: 'asc' }, { id: 'asc' }],
    });
    const out: ReportClusterInput[] = [];
    for (const h of r.hits.hits) {
      const { startMs: _s, endMs: _e, watermarkMs: _w, ...c } = h._source!;
      const m =
        c.posts.length === 0
          ? []
          : (
              await this.es.search<MemberSource>({
                index: this.names.posts,
                size: c.posts.length,
                ignore_unavailable: true,
                query: { ids: { values: c.posts } },
                _source: ['source', 'author.id', 'accountSignals.ageDays', 'fingerprint.exact', 'fingerprint.minhash'],
              })
            ).hits.hits.map((x) => x._source!);
      const rows = m.map((p) => ({
        source: p.source,
        author_id: p.author?.id ?? null,
        age: p.accountSignals?.ageDays ?? null,
        fp: p.fingerprint?.exact || null,
        minhash: p.fingerprint?.minhash ?? null,
      }));
      out.push(toReportCluster(c, clusterFigures(c, rows, query.youngAccountDays)));
    }
    return out;
  }
}
