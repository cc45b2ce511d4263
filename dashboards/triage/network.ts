// The co-action network of one cluster's members, rebuilt from the member posts the signal store holds, and its
// GEXF and GraphML exports for Gephi. The detector's own edges (with their significance tests) are not stored with
// a cluster, so this is an approximation of them: two member accounts are joined when they posted the same
// normalised text (fingerprint), the same canonical link, or reposted the same post; each shared item is one piece
// of evidence with both post ids. Items shared by more than MAX_PAIRWISE accounts are chained in time order
// instead of joined all-to-all, which keeps the graph connected without n² edges. Pure: no I/O.
import type { EnrichedPost } from '../../pipelines/types.ts';

/** How two posts co-acted. */
export type CoactionKind = 'text' | 'link' | 'repost';

/** A node: one pseudonymous account. */
export interface NetworkNode {
  id: string;
  posts: number;
  /** Account age in days at its first post in the cluster, when the platform says. */
  ageDays: number | null;
  botScore: number;
}

/** One shared item between two accounts. */
export interface EdgeEvidence {
  kind: CoactionKind;
  item: string;
  pa: string;
  pb: string;
}

/** An edge between accounts a < b. */
export interface NetworkEdge {
  a: string;
  b: string;
  weight: number;
  evidence: EdgeEvidence[];
}

/** The network of a cluster. */
export interface Network {
  nodes: NetworkNode[];
  edges: NetworkEdge[];
  /** Per post: how it co-acted ('other' when it shares nothing with another member). */
  postKinds: Record<string, CoactionKind | 'other'>;
}

const MAX_PAIRWISE = 40;
const MAX_EVIDENCE = 20;

/** Builds the network from member posts (accounts appear by their stored pseudonym only). */
export function buildNetwork(posts: EnrichedPost[]): Network {
  const items = new Map<string, { kind: CoactionKind; item: string; posts: EnrichedPost[] }>();
  const add = (kind: CoactionKind, item: string, p: EnrichedPost) => {
    const key = `${kind}\u0000${item}`;
    let e = items.get(key);
    if (!e) items.set(key, (e = { kind, item, posts: [] }));
    e.posts.push(p);
  };
  for (const p of posts) {
    if (p.fingerprint?.exact) add('text', p.fingerprint.exact, p);
    for (const l of new Set(p.canonicalLinks ?? [])) add('link', l, p);
    if (p.repostOf) add('repost', p.repostOf, p);
  }
  const edges = new Map<string, NetworkEdge>();
  const postKinds: Network['postKinds'] = {};
  const link = (kind: CoactionKind, item: string, x: EnrichedPost, y: EnrichedPost) => {
    if (x.author.id === y.author.id) return;
    const [pa, pb] = x.author.id < y.author.id ? [x, y] : [y, x];
    const key = `${pa.author.id}\u0000${pb.author.id}`;
    let e = edges.get(key);
    if (!e) edges.set(key, (e = { a: pa.author.id, b: pb.author.id, weight: 0, evidence: [] }));
    if (!e.evidence.some((v) => v.kind === kind && v.item === item)) {
      e.weight++;
      if (e.evidence.length < MAX_EVIDENCE) e.evidence.push({ kind, item, pa: pa.id, pb: pb.id });
    }
    postKinds[x.id] ??= kind;
    postKinds[y.id] ??= kind;
  };
  for (const { kind, item, posts: ps } of items.values()) {
    if (new Set(ps.map((p) => p.author.id)).size < 2) continue;
    const sorted = [...ps].sort((a, b) => a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : 1));
    if (sorted.length <= MAX_PAIRWISE) {
      for (let i = 0; i < sorted.length; i++)
        for (let j = i + 1; j < sorted.length; j++) link(kind, item, sorted[i]!, sorted[j]!);
    } else {
      for (let i = 1; i < sorted.length; i++) link(kind, item, sorted[i - 1]!, sorted[i]!);
    }
  }
  const nodes = new Map<string, NetworkNode>();
  for (const p of [...posts].sort((a, b) => a.createdAtMs - b.createdAtMs)) {
    const n = nodes.get(p.author.id);
    if (n) {
      n.posts++;
      continue;
    }
    const created = p.author.createdAt ? Date.parse(p.author.createdAt) : NaN;
    nodes.set(p.author.id, {
      id: p.author.id,
      posts: 1,
      ageDays: Number.isFinite(created) ? Math.max(0, (p.createdAtMs - created) / 86_400_000) : null,
      botScore: p.botScore,
    });
  }
  for (const p of posts) postKinds[p.id] ??= 'other';
  return {
    nodes: [...nodes.values()],
    edges: [...edges.values()].sort((x, y) => y.weight - x.weight || (x.a + x.b < y.a + y.b ? -1 : 1)),
    postKinds,
  };
}

function xml(s: string | number): string {
  return String(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
}

// XML exports are written by hand: the formats are tiny and fixed, and every value passes through xml().

/** GEXF 1.3 (Gephi's native format). */
export function toGexf(net: Network, clusterId: string): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<gexf xmlns="http://gexf.net/1.3" version="1.3">',
    `  <meta><creator>mid-monitor</creator><description>Co-action network of cluster ${xml(clusterId)} (accounts are pseudonyms)</description></meta>`,
    '  <graph defaultedgetype="undirected" mode="static">',
    '    <attributes class="node"><attribute id="posts" title="posts" type="integer"/><attribute id="ageDays" title="ageDays" type="double"/><attribute id="botScore" title="botScore" type="double"/></attributes>',
    '    <attributes class="edge"><attribute id="kinds" title="kinds" type="string"/><attribute id="items" title="items" type="string"/></attributes>',
    '    <nodes>',
    ...net.nodes.map(
      (n) =>
        `      <node id="${xml(n.id)}" label="${xml(n.id.slice(0, 12))}"><attvalues><attvalue for="posts" value="${n.posts}"/>${n.ageDays === null ? '' : `<attvalue for="ageDays" value="${n.ageDays.toFixed(2)}"/>`}<attvalue for="botScore" value="${n.botScore}"/></attvalues></node>`,
    ),
    '    </nodes>',
    '    <edges>',
    ...net.edges.map(
      (e, i) =>
        `      <edge id="${i}" source="${xml(e.a)}" target="${xml(e.b)}" weight="${e.weight}"><attvalues><attvalue for="kinds" value="${xml([...new Set(e.evidence.map((v) => v.kind))].join(','))}"/><attvalue for="items" value="${xml(e.evidence.map((v) => v.item).join(' '))}"/></attvalues></edge>`,
    ),
    '    </edges>',
    '  </graph>',
    '</gexf>',
  ];
  return `${lines.join('\n')}\n`;
}

/** GraphML. */
export function toGraphml(net: Network, clusterId: string): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
    '  <key id="posts" for="node" attr.name="posts" attr.type="int"/>',
    '  <key id="ageDays" for="node" attr.name="ageDays" attr.type="double"/>',
    '  <key id="botScore" for="node" attr.name="botScore" attr.type="double"/>',
    '  <key id="weight" for="edge" attr.name="weight" attr.type="int"/>',
    '  <key id="kinds" for="edge" attr.name="kinds" attr.type="string"/>',
    `  <graph id="${xml(clusterId)}" edgedefault="undirected">`,
    ...net.nodes.map(
      (n) =>
        `    <node id="${xml(n.id)}"><data key="posts">${n.posts}</data>${n.ageDays === null ? '' : `<data key="ageDays">${n.ageDays.toFixed(2)}</data>`}<data key="botScore">${n.botScore}</data></node>`,
    ),
    ...net.edges.map(
      (e) =>
        `    <edge source="${xml(e.a)}" target="${xml(e.b)}"><data key="weight">${e.weight}</data><data key="kinds">${xml([...new Set(e.evidence.map((v) => v.kind))].join(','))}</data></edge>`,
    ),
    '  </graph>',
    '</graphml>',
  ];
  return `${lines.join('\n')}\n`;
}
