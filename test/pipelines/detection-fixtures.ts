// Builders for detection tests: enriched posts from a few fields, seeded organic background chatter, and a run of the
// coordination detector over them.
import { createCoordinationDetector } from '../../pipelines/detect-coordination.ts';
import type { EnrichedPost, NormalizedPost } from '../../pipelines/types.ts';
import { simpleEnrich } from '../eval/simple-enrich.ts';
import { prng } from '../support/prng.ts';

/** Fields a test sets; everything else gets a plain established-account default. */
export interface PostSpec {
  id: string;
  account: string;
  tMs: number;
  text?: string;
  lang?: string;
  links?: string[];
  hashtags?: string[];
  createdAt?: string;
  posts?: number;
  bot?: boolean;
  repostOf?: string;
}

/** Start of test time: 2024-03-14T08:00:00Z. */
export const T0 = Date.parse('2024-03-14T08:00:00Z');

/** An EnrichedPost (through the simple stand-in enricher). */
export function post(s: PostSpec): EnrichedPost {
  const n: NormalizedPost = {
    id: s.id,
    source: 'test',
    text: s.text ?? '',
    createdAt: new Date(s.tMs).toISOString(),
    lang: s.lang ?? 'nl',
    author: {
      id: s.account,
      createdAt: s.createdAt ?? '2015-05-01T00:00:00Z',
      posts: s.posts ?? 3000,
      bot: s.bot ?? false,
      followers: 100,
      following: 100,
    },
    links: s.links ?? [],
    hashtags: s.hashtags ?? [],
    repostOf: s.repostOf ?? null,
  };
  return simpleEnrich(n);
}

const WORDS =
  'de het een en van in is dat op zijn met voor niet stad regering kabinet trein fiets regen zon markt school zorg huur woning boer wind energie prijs vandaag morgen buurman collega vriend koffie werk bus plein straat dorp gemeente raad partij debat stem belasting pensioen jongeren leraren ziekenhuis gezellig lastig mooi raar druk rustig duur'.split(
    ' ',
  );

/** Random words: unrelated chatter. */
export function babble(r: () => number, n: number): string {
  return Array.from({ length: n }, () => WORDS[Math.floor(r() * WORDS.length)]).join(' ');
}

/** `count` organic posts by `accounts` accounts spread over `hours` from T0. */
export function background(seed: number, count: number, accounts: number, hours: number): EnrichedPost[] {
  const r = prng(seed);
  const out: EnrichedPost[] = [];
  for (let i = 0; i < count; i++) {
    out.push(
      post({
        id: `bg${seed}-${i}`,
        account: `bg-${Math.floor(r() * accounts)}`,
        tMs: T0 + r() * hours * 3_600_000,
        text: babble(r, 8 + Math.floor(r() * 10)),
      }),
    );
  }
  return out;
}

/** Sorts posts by time (stable by id). */
export function byTime(posts: EnrichedPost[]): EnrichedPost[] {
  return [...posts].sort((a, b) => a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : 1));
}

/** The accounts of each cluster after feeding `posts` (in order) to a detector, advancing every `every` posts and at the end. */
export function clusterAccounts(posts: EnrichedPost[], config: object = {}, every = 200): string[][] {
  const det = createCoordinationDetector(config);
  let latest = -Infinity;
  posts.forEach((p, i) => {
    det.observe(p);
    latest = Math.max(latest, p.createdAtMs);
    if ((i + 1) % every === 0) det.advance(latest);
  });
  det.advance(latest);
  return det.clusters().map((c) => c.accounts);
}

/** 60 organic accounts, each following most of the same 8 links at its own time over six hours (40 sharers a link). */
export function community(r: () => number): EnrichedPost[] {
  const out: EnrichedPost[] = [];
  for (let l = 0; l < 8; l++)
    for (let j = 0; j < 40; j++)
      out.push(
        post({
          id: `org-${l}-${j}`,
          account: `org-${(j * 7 + l) % 60}`,
          tMs: T0 + r() * 6 * 3_600_000,
          text: `${babble(r, 3)} https://nieuws${l}.example/artikel`,
          links: [`https://nieuws${l}.example/artikel`],
        }),
      );
  return out;
}

/** Four viral links, each shared by 120 of 300 accounts within 20 minutes of its publication. */
export function viral(r: () => number): EnrichedPost[] {
  const out: EnrichedPost[] = [];
  for (let l = 0; l < 4; l++) {
    const published = T0 + (0.5 + l) * 3_600_000;
    const sharers = new Set<number>();
    while (sharers.size < 120) sharers.add(Math.floor(r() * 300));
    for (const s of [...sharers].sort((x, y) => x - y))
      out.push(
        post({
          id: `viral-${l}-${s}`,
          account: `fan-${s}`,
          tMs: published + r() * 20 * 60_000,
          text: `${babble(r, 2)} https://omroep.example/live-${l}`,
          links: [`https://omroep.example/live-${l}`],
        }),
      );
  }
  return out;
}
