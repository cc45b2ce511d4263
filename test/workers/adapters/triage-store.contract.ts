// The one contract every TriageStore adapter passes: the read model (filters, keyset paging, auto-reopen, merges),
// triage state with its audit entries, notes, reminders, shift log, views, users, sessions, tokens, and the
// hash-chained audit log.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TriageStore } from '../../../workers/ports/triage-store.ts';
import { cluster } from '../fixtures.ts';

const T0 = Date.parse('2025-10-20T12:00:00Z');

/** Registers the triage-store contract. */
export function triageStoreContract(name: string, make: () => TriageStore): void {
  describe(`TriageStore contract: ${name}`, () => {
    let store: TriageStore;
    beforeEach(async () => {
      store = make();
      await store.start();
    });
    afterEach(async () => {
      await store.stop();
      await store.stop();
    });
    const ingest = (cs: Array<ReturnType<typeof cluster>>, wm = 1, nowMs = T0, share = 0.5, platforms = ['mastodon']) =>
      store.ingestClusters(
        cs.map((c) => ({ cluster: c, watermarkMs: wm, platforms })),
        { nowMs, reopenGrowthShare: share },
      );

    it('filters, sorts and pages by keyset without repeats or gaps', async () => {
      const cs = Array.from({ length: 25 }, (_, i) => ({
        ...cluster(
          `c${String(i).padStart(2, '0')}`,
          [`p${i}`],
          new Date(T0 + (i % 5) * 60_000).toISOString(),
          (i % 10) / 10,
        ),
        languages: i % 2 ? ['nl'] : ['en'],
      }));
      await ingest(cs);
      const seen: string[] = [];
      let after: string | null = null;
      do {
        const page = await store.queryClusters({ sort: 'score', limit: 7, after });
        expect(page.total).toBe(25);
        seen.push(...page.items.map((r) => r.cluster.id));
        after = page.next;
      } while (after);
      expect(seen).toHaveLength(25);
      expect(new Set(seen).size).toBe(25);
      const scores = seen.map((id) => cs.find((c) => c.id === id)!.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
      const nl = await store.queryClusters({ language: 'nl', minScore: 0.5 });
      expect(nl.items.every((r) => r.cluster.languages.includes('nl') && r.cluster.score >= 0.5)).toBe(true);
      expect(nl.total).toBe(cs.filter((c) => c.languages.includes('nl') && c.score >= 0.5).length);
      expect(
        (await store.queryClusters({ postIds: ['p3', 'p4', 'nope'] })).items.map((r) => r.cluster.id).sort(),
      ).toEqual(['c03', 'c04']);
      expect((await store.queryClusters({ platform: 'telegram' })).total).toBe(0);
    });

    it('keeps an older update from replacing a newer one, and a growing cluster keeps its status', async () => {
      await ingest([cluster('c1', ['a', 'b'], '2025-10-20T12:00:00.000Z')], 5);
      await store.updateState('c1', { status: 'investigating' }, { actor: 'ann', action: 'status', atMs: T0 });
      await ingest([cluster('c1', ['a'], '2025-10-20T12:00:00.000Z')], 4);
      expect((await store.getCluster('c1'))!.cluster.posts).toEqual(['a', 'b']);
      await ingest([cluster('c1', ['a', 'b', 'c'], '2025-10-20T12:05:00.000Z')], 6);
      const row = (await store.getCluster('c1'))!;
      expect(row.cluster.posts).toHaveLength(3);
      expect(row.state.status).toBe('investigating');
    });

    it('needs a close reason, and reopens a closed cluster that grew by the configured share, saying why', async () => {
      await ingest([cluster('c1', ['a', 'b', 'c', 'd'], '2025-10-20T12:00:00.000Z')]);
      await expect(
        store.updateState('c1', { status: 'closed' }, { actor: 'ann', action: 'status', atMs: T0 }),
      ).rejects.toThrow(/close reason/);
      await store.updateState(
        'c1',
        { status: 'closed', closeReason: 'organic_coordination' },
        { actor: 'ann', action: 'status', atMs: T0 },
      );
      expect(await ingest([cluster('c1', ['a', 'b', 'c', 'd', 'e'], '2025-10-20T12:01:00.000Z')], 2)).toEqual([]);
      const reopened = await ingest([cluster('c1', ['a', 'b', 'c', 'd', 'e', 'f'], '2025-10-20T12:02:00.000Z')], 3);
      expect(reopened.map((r) => r.clusterId)).toEqual(['c1']);
      const st = (await store.getCluster('c1'))!.state;
      expect(st.status).toBe('triage');
      expect(st.reopenReason).toMatch(/4 to 6 posts/);
      expect((await store.listAudit({ clusterId: 'c1' })).map((e) => e.action)).toEqual(['status', 'reopen']);
    });

    it('writes an audit entry with before and after for every change, and filters by status, assignee and label', async () => {
      await ingest([
        cluster('c1', ['a'], '2025-10-20T12:00:00.000Z'),
        cluster('c2', ['b'], '2025-10-20T12:00:00.000Z'),
      ]);
      const { before, after } = await store.updateState(
        'c1',
        { assignee: 'ann', labels: [{ name: 'T0049', mode: 'observed' }] },
        { actor: 'lea', action: 'assign', atMs: T0 },
      );
      expect(before.assignee).toBeNull();
      expect(after.assignee).toBe('ann');
      const [e] = await store.listAudit({ clusterId: 'c1' });
      expect(e).toMatchObject({
        actor: 'lea',
        action: 'assign',
        before: { assignee: null, labels: [] },
        after: { assignee: 'ann' },
      });
      expect((await store.queryClusters({ assignee: 'ann' })).items.map((r) => r.cluster.id)).toEqual(['c1']);
      expect((await store.queryClusters({ assignee: null })).items.map((r) => r.cluster.id)).toEqual(['c2']);
      expect((await store.queryClusters({ label: 'T0049' })).items.map((r) => r.cluster.id)).toEqual(['c1']);
      expect((await store.queryClusters({ status: ['new'] })).total).toBe(2);
      await expect(
        store.updateState('nope', { status: 'triage' }, { actor: 'x', action: 'status', atMs: T0 }),
      ).rejects.toThrow(/no cluster/);
    });

    it("shows the absorbed cluster's notes and history on the survivor of a merge", async () => {
      await ingest([cluster('a', ['1'], '2025-10-20T12:00:00.000Z'), cluster('b', ['2'], '2025-10-20T12:00:00.000Z')]);
      await store.addNote('a', 'ann', 'seen *before*', T0);
      await store.updateState('a', { status: 'investigating' }, { actor: 'ann', action: 'status', atMs: T0 + 1 });
      await store.updateState('b', { status: 'escalated' }, { actor: 'bob', action: 'status', atMs: T0 + 2 });
      await store.recordMerge('a', 'b', T0 + 3);
      await store.recordMerge('a', 'b', T0 + 4); // redelivered: no second entry
      expect(await store.getCluster('a')).toBeNull();
      const b = (await store.getCluster('b'))!;
      expect(b.state.status).toBe('escalated');
      expect(b.state.mergedFrom).toEqual(['a']);
      expect((await store.listNotes('b')).map((n) => n.markdown)).toEqual(['seen *before*']);
      expect((await store.listAudit({ clusterId: 'b' })).map((e) => `${e.clusterId}:${e.action}`)).toEqual([
        'a:note',
        'a:status',
        'b:status',
        'b:merge',
      ]);
    });

    it('keeps reminders, the shift log and saved views per user', async () => {
      const r = await store.addReminder({ clusterId: null, user: 'ann', dueMs: T0 + 60_000, text: 'check again' }, T0);
      expect((await store.listReminders('ann')).map((x) => x.text)).toEqual(['check again']);
      expect(await store.completeReminder(r.id, 'bob', T0)).toBe(false);
      expect(await store.completeReminder(r.id, 'ann', T0)).toBe(true);
      expect(await store.listReminders('ann')).toEqual([]);
      await store.addShiftEntry('ann', 'quiet night', T0);
      await store.addShiftEntry('bob', 'busy morning', T0 + 1);
      expect((await store.listShiftLog(10)).map((e) => e.text)).toEqual(['busy morning', 'quiet night']);
      const v = await store.saveView({ owner: 'ann', name: 'mine', params: { assignee: 'me' }, shared: false });
      await store.saveView({ owner: 'bob', name: 'dutch', params: { language: 'nl' }, shared: true });
      expect((await store.listViews('ann')).map((x) => x.name)).toEqual(['dutch', 'mine']);
      expect((await store.listViews('bob')).map((x) => x.name)).toEqual(['dutch']);
      expect(await store.deleteView(v.id, 'bob')).toBe(false);
      expect(await store.deleteView(v.id, 'ann')).toBe(true);
    });

    it('keeps users, expiring sessions and revocable tokens', async () => {
      await store.createUser({
        username: 'ann',
        role: 'analyst',
        passwordHash: 'h',
        disabled: false,
        failedLogins: 0,
        lockedUntilMs: 0,
        lang: 'nl',
        createdAtMs: T0,
      });
      await expect(
        store.createUser({
          username: 'ann',
          role: 'viewer',
          passwordHash: 'h',
          disabled: false,
          failedLogins: 0,
          lockedUntilMs: 0,
          lang: 'en',
          createdAtMs: T0,
        }),
      ).rejects.toThrow(/exists/);
      expect(await store.updateUser('ann', { failedLogins: 3, lockedUntilMs: T0 + 5, disabled: true })).toBe(true);
      expect(await store.getUser('ann')).toMatchObject({
        role: 'analyst',
        failedLogins: 3,
        lockedUntilMs: T0 + 5,
        disabled: true,
        lang: 'nl',
      });
      expect(await store.updateUser('nobody', { role: 'admin' })).toBe(false);
      await store.createSession({ id: 's1', username: 'ann', createdAtMs: T0, expiresAtMs: T0 + 1000 });
      expect(await store.getSession('s1', T0 + 999)).not.toBeNull();
      expect(await store.getSession('s1', T0 + 1000)).toBeNull();
      await store.deleteSessionsOf('ann');
      expect(await store.getSession('s1', T0)).toBeNull();
      const t = await store.createToken({
        username: 'ann',
        name: 'script',
        role: 'viewer',
        hash: 'abc',
        createdAtMs: T0,
        revokedAtMs: null,
      });
      expect((await store.findToken('abc'))?.role).toBe('viewer');
      expect(await store.revokeToken(t.id, T0)).toBe(true);
      expect(await store.revokeToken(t.id, T0)).toBe(false);
      expect(await store.findToken('abc')).toBeNull();
    });

    it('chains audit entries by hash and verifies them', async () => {
      for (let i = 0; i < 5; i++)
        await store.appendAudit({
          atMs: T0 + i,
          actor: 'ann',
          action: 'login',
          clusterId: null,
          before: null,
          after: { i },
        });
      const all = await store.listAudit();
      expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
      for (let i = 1; i < all.length; i++) expect(all[i]!.prevHash).toBe(all[i - 1]!.hash);
      expect(await store.verifyAudit()).toEqual({ ok: true, checked: 5, firstBadSeq: null });
      expect((await store.listAudit({ afterSeq: 3 })).map((e) => e.seq)).toEqual([4, 5]);
    });
  });
}
