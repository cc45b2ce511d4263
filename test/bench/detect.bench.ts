// Detection throughput and memory: 1,000,000 enriched posts (env BENCH_POSTS; 50 posts/s of event time with a
// 30-minute window, so the window holds ~90,000 posts and is full after 9% of the run) through
// createCoordinationDetector, advancing every minute of event time as `mid analyze` does. Only observe/advance are
// timed; posts are built from a pool of precomputed fingerprints so enrichment cost is not counted. Every 100,000
// posts it prints throughput, heap after GC (flat once the window is full), the posts the window holds and the heap
// above the starting baseline per post held; at the end the exported state's bytes per post held.
// Run: npx tsx --expose-gc test/bench/detect.bench.ts
import { createCoordinationDetector } from '../../pipelines/detect-coordination.ts';
import { fingerprintText } from '../../pipelines/fingerprint-text.ts';
import type { EnrichedPost } from '../../pipelines/types.ts';

const TOTAL = Number(process.env.BENCH_POSTS ?? 1_000_000);
const WINDOW_S = 1800;
const ADVANCE_EVERY_MS = 60_000;
const gc = (globalThis as { gc?: () => void }).gc;
let s = 42;
const rnd = (): number => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
const WORDS =
  'de het een en van in is dat op zijn met voor niet stad regering kabinet trein fiets regen zon markt school zorg huur woning boer wind energie prijs vandaag morgen buurman collega vriend koffie werk bus plein straat dorp gemeente raad partij debat stem belasting pensioen jongeren leraren ziekenhuis gezellig lastig mooi raar druk rustig duur'.split(
    ' ',
  );
const pool = Array.from({ length: 50_000 }, () => {
  const text = Array.from({ length: 8 + Math.floor(rnd() * 12) }, () => WORDS[Math.floor(rnd() * WORDS.length)]).join(
    ' ',
  );
  return { text, fingerprint: fingerprintText(text) };
});
const T0 = Date.parse('2024-03-14T00:00:00Z');
const signals = {
  ageDays: 900,
  postsPerDay: 1,
  followerRatio: 1,
  handleDigitShare: 0,
  handleRandom: false,
  emptyDisplayName: false,
  declaredBot: false,
};

function make(i: number): EnrichedPost {
  const p = pool[Math.floor(rnd() * pool.length)]!;
  const t = T0 + i * 20 + Math.floor(rnd() * 2000); // 50/s with a little disorder
  const links = rnd() < 0.2 ? [`https://news.example/${Math.floor(rnd() * 5000)}`] : [];
  const hashtags = rnd() < 0.15 ? [`tag${Math.floor(rnd() * 300)}`] : [];
  return {
    schemaVersion: 1,
    id: `p${i}`,
    source: 'bench',
    url: null,
    createdAt: new Date(t).toISOString(),
    createdAtMs: t,
    text: p.text,
    lang: rnd() < 0.8 ? 'nl' : 'en',
    langConfidence: 1,
    declaredLang: null,
    author: {
      id: `a${Math.floor(rnd() * 50_000)}`,
      handle: null,
      createdAt: '2020-01-01T00:00:00Z',
      followers: 10,
      following: 10,
      posts: 1000,
      bot: false,
    },
    links,
    canonicalLinks: links,
    hashtags,
    mentions: [],
    entities: [],
    fingerprint: p.fingerprint,
    accountSignals: signals,
    botScore: 0.1,
    botReasons: [],
    factchecks: [],
    replyTo: null,
    repostOf: null,
    quoteOf: null,
  };
}

gc?.();
const baseline = process.memoryUsage().heapUsed;
const det = createCoordinationDetector({ windowSeconds: WINDOW_S });
const times: number[] = []; // post times, to count what the window holds
let busyMs = 0;
let latest = 0;
let advancedAt = -Infinity;
let advances = 0;
const start = performance.now();
process.stdout.write(
  `heap before the detector: ${(baseline / 1e6).toFixed(0)} MB${gc ? '' : ' (no --expose-gc: heap numbers include garbage)'}\n`,
);
process.stdout.write('posts      posts/s(detect)  heap MB (after GC)  posts held  heap bytes/post held\n');
const BATCH = 5000;
for (let i = 0; i < TOTAL; i += BATCH) {
  const batch: EnrichedPost[] = [];
  for (let j = i; j < Math.min(TOTAL, i + BATCH); j++) batch.push(make(j));
  const t0 = performance.now();
  for (const p of batch) {
    det.observe(p);
    if (p.createdAtMs > latest) latest = p.createdAtMs;
    if (latest - advancedAt >= ADVANCE_EVERY_MS) {
      det.advance(latest);
      advancedAt = latest;
      advances++;
    }
  }
  busyMs += performance.now() - t0;
  for (const p of batch) times.push(p.createdAtMs);
  const done = Math.min(TOTAL, i + BATCH);
  if (done % 100_000 === 0 || done === TOTAL) {
    gc?.();
    const heap = process.memoryUsage().heapUsed;
    const cutoff = advancedAt - WINDOW_S * 1000;
    let held = 0;
    for (let k = times.length - 1; k >= 0 && k >= times.length - 200_000; k--) if (times[k]! >= cutoff) held++;
    times.splice(0, Math.max(0, times.length - 200_000));
    process.stdout.write(
      `${String(done).padEnd(11)}${(done / (busyMs / 1000)).toFixed(0).padStart(15)}  ${(heap / 1e6).toFixed(0).padStart(18)}  ${String(held).padStart(10)}  ${((heap - baseline) / Math.max(1, held)).toFixed(0).padStart(20)}\n`,
    );
  }
}
det.advance(latest);
const state = det.exportStateJson();
const held = (JSON.parse(state) as { window: { posts: unknown[] } }).window.posts.length;
process.stdout.write(
  `\n${TOTAL} posts, ${advances} advances, detection ${(TOTAL / (busyMs / 1000)).toFixed(0)} posts/s on one core (wall ${((performance.now() - start) / 1000).toFixed(0)} s)\n`,
);
process.stdout.write(
  `posts held in the window: ${held}; exported state ${(state.length / 1e6).toFixed(1)} MB = ${(state.length / Math.max(1, held)).toFixed(0)} bytes per post held\n`,
);
process.stdout.write(`flagged clusters on random input: ${det.clusters().length}\n`);
