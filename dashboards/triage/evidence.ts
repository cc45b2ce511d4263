// Assembles what the evidence view, the evidence pack and the network exports show for one cluster: the cluster
// and its triage state from the triage store, the member posts from the signal store (reduced to what analysts may
// see: pseudonyms only, never handles; links only when http(s)), the co-action network and the figures.
import type { EnrichedPost } from '../../pipelines/types.ts';
import type { AuditEntry, ClusterRow } from '../../workers/ports/triage-store.ts';
import { accountAges, postsPerMinute, tally } from './figures.ts';
import type { MinuteBin } from './figures.ts';
import { isHttpUrl } from './markdown.ts';
import { buildNetwork } from './network.ts';
import type { Network } from './network.ts';
import type { AppContext } from './context.ts';
import { clusterReasons } from './reasons.ts';
import type { Lang } from './reasons.ts';

/** A member post as analysts see it. */
export interface PublicPost {
  id: string;
  source: string;
  /** The original post, when its URL is http(s). */
  url: string | null;
  createdAt: string;
  lang: string;
  text: string;
  /** Pseudonym of the author. */
  author: string;
  links: string[];
  botScore: number;
  kind: string;
  factchecks: Array<{ url: string | null; publisher: string; rating: string | null; claim: string | null }>;
}

/** Everything about one cluster. */
export interface Evidence {
  row: ClusterRow;
  reasons: string[];
  posts: PublicPost[];
  /** Member posts the signal store no longer has (retention, tombstones). */
  missingPosts: number;
  network: Network;
  timeline: { bins: MinuteBin[]; binMs: number };
  ages: Array<{ label: string; count: number }>;
  languages: Array<{ value: string; count: number }>;
  platforms: Array<{ value: string; count: number }>;
  factchecks: Array<{ url: string | null; publisher: string; rating: string | null; claim: string | null }>;
}

/** Most member posts loaded for one view (the detector lists at most maxClusterPosts). */
export const MAX_EVIDENCE_POSTS = 5000;

function publicPost(p: EnrichedPost, kind: string): PublicPost {
  return {
    id: p.id,
    source: p.source,
    url: isHttpUrl(p.url) ? p.url : null,
    createdAt: p.createdAt,
    lang: p.lang,
    text: p.text,
    author: p.author.id,
    links: (p.links ?? []).filter(isHttpUrl),
    botScore: p.botScore,
    kind,
    factchecks: (p.factchecks ?? []).map((f) => ({
      url: isHttpUrl(f.url) ? f.url : null,
      publisher: String(f.publisher ?? ''),
      rating: f.rating ?? null,
      claim: f.claim ?? null,
    })),
  };
}

/** Loads the evidence of a cluster, or null when the triage side does not know it. */
export async function loadEvidence(ctx: AppContext, id: string, lang: Lang): Promise<Evidence | null> {
  const row = await ctx.triage.getCluster(id);
  if (!row) return null;
  const raw = (await ctx.signals.getPosts(row.cluster.posts.slice(0, MAX_EVIDENCE_POSTS))).sort(
    (a, b) => a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : 1),
  );
  const network = buildNetwork(raw);
  const posts = raw.map((p) => publicPost(p, network.postKinds[p.id] ?? 'other'));
  const fc = new Map<string, Evidence['factchecks'][number]>();
  for (const f of [
    ...row.cluster.factchecks.map((x) => ({
      url: isHttpUrl(x.url) ? x.url : null,
      publisher: String(x.publisher ?? ''),
      rating: x.rating ?? null,
      claim: x.claim ?? null,
    })),
    ...posts.flatMap((p) => p.factchecks),
  ]) {
    fc.set(`${f.url}|${f.publisher}`, f);
  }
  return {
    row,
    reasons: clusterReasons(row.cluster, lang),
    posts,
    missingPosts: Math.min(row.cluster.posts.length, MAX_EVIDENCE_POSTS) - raw.length,
    network,
    timeline: postsPerMinute(raw, network.postKinds),
    ages: accountAges(network.nodes),
    languages: tally(raw.map((p) => p.lang)),
    platforms: tally(raw.map((p) => p.source)),
    factchecks: [...fc.values()],
  };
}

/** One CSV field; cells that a spreadsheet would run as a formula get a leading quote. */
export function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A CSV document from a header and rows. */
export function toCsv(header: string[], rows: unknown[][]): string {
  return `${[header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** The audit log as CSV with the chain hashes (the triage API's export and `mid audit export` both write this). */
export function auditCsv(entries: readonly AuditEntry[]): string {
  return toCsv(
    ['seq', 'at', 'actor', 'action', 'clusterId', 'before', 'after', 'prevHash', 'hash'],
    entries.map((e) => [
      e.seq,
      new Date(e.atMs).toISOString(),
      e.actor,
      e.action,
      e.clusterId,
      e.before,
      e.after,
      e.prevHash,
      e.hash,
    ]),
  );
}
