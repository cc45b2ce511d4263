import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createCoordinationDetector } from '../../pipelines/detect-coordination.ts';
import type { Cluster, EnrichedPost } from '../../pipelines/types.ts';
import { T0, babble, background, byTime, post, prng } from './detection-fixtures.ts';

const MIN = 60_000;

/** 12 accounts post 3 different messages, each copied with small edits within minutes. */
function copyPasteNetwork(): EnrichedPost[] {
  const r = prng(7);
  const out: EnrichedPost[] = [];
  for (let m = 0; m < 3; m++) {
    const msg = `De ${['telling', 'stempassen', 'briefstemmen'][m]} ${babble(r, 14)}`;
    for (let i = 0; i < 12; i++) {
      const text = i % 3 === 0 ? `🔥 ${msg}!!` : i % 3 === 1 ? msg.toUpperCase() : `Deel dit: ${msg}`;
      out.push(post({ id: `cp-${m}-${i}`, account: `net-${i}`, tMs: T0 + (1 + m) * 3_600_000 + r() * 8 * MIN, text }));
    }
  }
  return out;
}

function run(posts: EnrichedPost[], every = 200): { clusters: Cluster[]; updates: Cluster[][] } {
  const det = createCoordinationDetector({});
  const updates: Cluster[][] = [];
  let latest = -Infinity;
  posts.forEach((p, i) => {
    det.observe(p);
    latest = Math.max(latest, p.createdAtMs);
    if ((i + 1) % every === 0) updates.push(det.advance(latest));
  });
  updates.push(det.advance(latest));
  return { clusters: det.clusters(), updates };
}

const bg = background(1, 3000, 600, 6);

describe('createCoordinationDetector', () => {
  it('flags a copy-paste network with verifiable reasons, a p-value and a schema-valid shape', () => {
    const { clusters } = run(byTime([...bg, ...copyPasteNetwork()]));
    expect(clusters).toHaveLength(1);
    const c = clusters[0]!;
    expect(c.accounts).toEqual(Array.from({ length: 12 }, (_, i) => `net-${i}`).sort());
    expect(c.posts).toHaveLength(36);
    expect(c.kinds).toContain('duplicate_text');
    expect(c.pValue!).toBeLessThan(1e-6);
    expect(c.reasons.join(' ')).toMatch(/12 accounts posted near-identical text \(3 distinct messages\)/);
    const schema = JSON.parse(readFileSync('/work/shared/contracts/signals.schema.json', 'utf8'));
    const ajv = new Ajv2020({ strict: false });
    addFormats.default(ajv);
    expect(ajv.validate(schema, { generatedAt: new Date(T0).toISOString(), clusters })).toBe(true);
  });

  it('gives the same clusters and ids on every run, and keeps the id while a cluster grows', () => {
    const input = byTime([...bg, ...copyPasteNetwork()]);
    const a = run(input);
    const b = run(input);
    expect(JSON.stringify(b.clusters)).toBe(JSON.stringify(a.clusters));
    const ids = new Set(a.updates.flat().map((c) => c.id));
    expect(ids.size).toBe(1);
  });

  it('tolerates out-of-order and duplicated posts and posts without text', () => {
    const r = prng(3);
    const input = byTime([...bg, ...copyPasteNetwork()]);
    for (let i = 0; i + 1 < input.length; i++) if (r() < 0.1) [input[i], input[i + 1]] = [input[i + 1]!, input[i]!];
    const dup = input.flatMap((p, i) => (i % 5 === 0 ? [p, structuredClone(p)] : [p]));
    dup.push(post({ id: 'empty-1', account: 'x', tMs: T0 + MIN }), { ...post({ id: 'empty-2', account: 'y', tMs: T0 + MIN }), text: '' });
    const { clusters } = run(dup);
    expect(clusters).toHaveLength(1);
    expect(clusters[0]!.accounts).toHaveLength(12);
    expect(clusters[0]!.posts).toHaveLength(36);
  });

  it('does not flag one account posting the same text many times', () => {
    const spam = Array.from({ length: 80 }, (_, i) => post({ id: `s${i}`, account: 'spammer', tMs: T0 + i * 2 * MIN, text: 'Verdien nu snel geld met dit ene trucje klik hier!!' }));
    expect(run(byTime([...bg, ...spam])).clusters).toEqual([]);
  });

  it('does not flag generic greetings, declared news bots or a quoted sentence with own comments', () => {
    const r = prng(11);
    const extra: EnrichedPost[] = [];
    for (let i = 0; i < 300; i++) extra.push(post({ id: `g${i}`, account: `bg-${i}`, tMs: T0 + r() * 2 * 3_600_000, text: ['Goedemorgen!', 'Gefeliciteerd!', 'Goedemorgen allemaal ☀️'][i % 3] }));
    for (let k = 0; k < 30; k++) {
      const t = T0 + k * 10 * MIN;
      for (let b = 0; b < 4; b++) extra.push(post({ id: `bot${k}-${b}`, account: `newsbot-${b}`, bot: true, tMs: t + b * 3000, text: `${babble(r, 10)} https://nos.nl/l/${k}`, links: [`https://nos.nl/l/${k}`] }));
    }
    for (let i = 0; i < 200; i++) extra.push(post({ id: `q${i}`, account: `bg-${i + 100}`, tMs: T0 + 3_600_000 + r() * 90 * MIN, text: `"Wij gaan de huizenmarkt binnen vier jaar op orde brengen" ${babble(r, 8)}` }));
    expect(run(byTime([...bg, ...extra])).clusters).toEqual([]);
  });

  it('restores from exported state (through JSON) and continues exactly as without the restart', () => {
    const input = byTime([...bg, ...copyPasteNetwork()]);
    const whole = run(input).clusters;
    const det = createCoordinationDetector({});
    const half = Math.floor(input.length / 2);
    let latest = -Infinity;
    input.slice(0, half).forEach((p, i) => { det.observe(p); latest = Math.max(latest, p.createdAtMs); if ((i + 1) % 200 === 0) det.advance(latest); });
    const restored = createCoordinationDetector({}, JSON.parse(JSON.stringify(det.exportState())));
    input.slice(half).forEach((p, j) => { restored.observe(p); latest = Math.max(latest, p.createdAtMs); if ((half + j + 1) % 200 === 0) restored.advance(latest); });
    restored.advance(latest);
    expect(JSON.stringify(restored.clusters())).toBe(JSON.stringify(whole));
  });

  it('summarises member accounts and attaches matching fact-checks', () => {
    const det = createCoordinationDetector({});
    const link = 'https://waarheid.example/a/1';
    const r = prng(5);
    const posts = byTime([...bg, ...copyPasteNetwork().map((p) => ({ ...p, canonicalLinks: [link] }))]);
    for (const p of posts) det.observe(p);
    det.observeFactCheck({ id: 'f', source: 't', claim: babble(r, 3), claimant: null, rating: 'Onwaar', publisher: 'Nieuwscheckers', reviewUrl: 'https://nieuwscheckers.nl/1', lang: 'nl', reviewedAt: null, claimDate: null, appearances: [link] });
    det.advance(posts[posts.length - 1]!.createdAtMs);
    const [c] = det.clusters();
    expect(c!.factchecks.map((f) => f.url)).toEqual(['https://nieuwscheckers.nl/1']);
    const accounts = det.accounts();
    expect(accounts.map((a) => a.id)).toEqual(c!.accounts);
    expect(accounts[0]!.clusters).toEqual([c!.id]);
  });
});
