// The field definitions of everything mid-monitor stores in Elasticsearch, in one place: index names from the
// prefix, the analysis settings and the mappings of posts, clusters and dead letters. The Elasticsearch adapter
// installs them (`mid es setup`) and the Kibana generator (dashboards/kibana/) builds its data views and checks
// every field a visualisation uses against them, so a dashboard cannot drift from the templates. Pure data: no
// client, no I/O, so `dashboards/` may import it.

/** Names of everything the store creates, from the prefix. */
export function esNames(prefix = 'mid') {
  return {
    policy: `${prefix}-posts-policy`,
    settings: `${prefix}-settings`,
    postMappings: `${prefix}-posts-mappings`,
    clusterMappings: `${prefix}-clusters-mappings`,
    dlqMappings: `${prefix}-dlq-mappings`,
    postsTemplate: `${prefix}-posts`,
    clustersTemplate: `${prefix}-clusters`,
    dlqTemplate: `${prefix}-dlq`,
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
      mid_dutch: {
        type: 'custom',
        tokenizer: 'standard',
        filter: ['lowercase', 'mid_dutch_stop', 'asciifolding', 'mid_dutch_stemmer'],
      },
    },
  },
};

/** Mappings of a post document. */
export const ES_POST_MAPPINGS = {
  dynamic: false,
  properties: {
    '@timestamp': { type: 'date' },
    id: keyword,
    source: keyword,
    url: keyword,
    createdAt: { type: 'date' },
    createdAtMs: { type: 'long' },
    text,
    lang: keyword,
    langConfidence: { type: 'float' },
    declaredLang: keyword,
    author: {
      properties: {
        id: keyword,
        handle: keyword,
        createdAt: { type: 'date' },
        followers: { type: 'long' },
        following: { type: 'long' },
        posts: { type: 'long' },
        bot: { type: 'boolean' },
      },
    },
    links: keyword,
    canonicalLinks: keyword,
    hashtags: keyword,
    mentions: keyword,
    entities: { properties: { text, type: keyword } },
    botScore: { type: 'float' },
    botReasons: keyword,
    factchecks: { properties: { url: keyword, publisher: keyword, rating: keyword, claim: text } },
    replyTo: keyword,
    repostOf: keyword,
    quoteOf: keyword,
  },
};

/**
 * Mappings of a cluster document. Besides the detector's cluster, the adapter adds a few figures for analysts
 * (`size`, `postCount`, `youngShare`, `domains`; see `clusterDocument` in elasticsearch-signal-store.ts), the
 * triage application writes `triage.*` onto the same document, and `lang` is an alias of `languages` so one
 * language filter works on posts and clusters alike.
 */
export const ES_CLUSTER_MAPPINGS = {
  dynamic: false,
  properties: {
    id: keyword,
    kinds: keyword,
    score: { type: 'float' },
    pValue: { type: 'double' },
    posts: keyword,
    accounts: keyword,
    start: { type: 'date' },
    end: { type: 'date' },
    startMs: { type: 'long' },
    endMs: { type: 'long' },
    watermarkMs: { type: 'long' },
    reasons: text,
    sampleText: text,
    links: keyword,
    hashtags: keyword,
    languages: keyword,
    factchecks: { properties: { url: keyword, publisher: keyword, rating: keyword, claim: text } },
    size: { type: 'integer' },
    postCount: { type: 'integer' },
    youngShare: { type: 'float' },
    domains: keyword,
    lang: { type: 'alias', path: 'languages' },
    campaignId: keyword,
    narrativeId: keyword,
    triage: { properties: { status: keyword, assignee: keyword, labels: keyword, updatedAt: { type: 'date' } } },
  },
};

/** Mappings of a dead letter (workers/messages.ts `DeadLetterMessage`); the original value is kept, not indexed. */
export const ES_DLQ_MAPPINGS = {
  dynamic: false,
  properties: {
    v: { type: 'integer' },
    kind: keyword,
    reason: keyword,
    detail: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } },
    worker: keyword,
    topic: keyword,
    partition: { type: 'integer' },
    offset: keyword,
    key: keyword,
    at: { type: 'date' },
  },
};

/** One stored index as the dashboards see it. */
export interface IndexDefinition {
  /** Stable key, also the suffix of the Kibana data view id. */
  key: 'posts' | 'clusters' | 'dlq';
  /** Index (or data stream) name for the prefix. */
  index: string;
  /** Human name of the data view. */
  label: string;
  /** Field Kibana uses as the time field. */
  timeField: string;
  /** The mappings installed for it. */
  mappings: { properties: Record<string, unknown> };
}

/** Every index the store writes, with its mappings and time field. */
export function esIndices(prefix = 'mid'): IndexDefinition[] {
  const n = esNames(prefix);
  return [
    { key: 'posts', index: n.posts, label: `${prefix} posts`, timeField: '@timestamp', mappings: ES_POST_MAPPINGS },
    {
      key: 'clusters',
      index: n.clusters,
      label: `${prefix} clusters`,
      timeField: 'end',
      mappings: ES_CLUSTER_MAPPINGS,
    },
    { key: 'dlq', index: n.dlq, label: `${prefix} dead letters`, timeField: 'at', mappings: ES_DLQ_MAPPINGS },
  ];
}

/**
 * Every searchable field path of a mapping with its Elasticsearch type, including multi-fields (`text.keyword`) and
 * aliases (reported with the type of their target, as Elasticsearch treats them in queries and aggregations).
 */
export function mappedFields(mappings: { properties: Record<string, unknown> }): Map<string, string> {
  const out = new Map<string, string>();
  const aliases: Array<[string, string]> = [];
  const walk = (props: Record<string, unknown>, prefix: string): void => {
    for (const [name, raw] of Object.entries(props)) {
      const def = raw as {
        type?: string;
        path?: string;
        properties?: Record<string, unknown>;
        fields?: Record<string, { type: string }>;
      };
      const path = prefix + name;
      if (def.properties) {
        walk(def.properties, `${path}.`);
        continue;
      }
      if (def.type === 'alias') {
        aliases.push([path, def.path!]);
        continue;
      }
      out.set(path, def.type ?? 'object');
      for (const [sub, subDef] of Object.entries(def.fields ?? {})) out.set(`${path}.${sub}`, subDef.type);
    }
  };
  walk(mappings.properties, '');
  for (const [alias, target] of aliases) {
    const type = out.get(target);
    if (type) out.set(alias, type);
  }
  return out;
}
