// The /silences page of the triage application against the alert store the alerts worker reads: sign-in and roles,
// CSRF, the creator taken from the session, the form's validation, the audit entries, and the round trip a newsroom
// relies on: a silence made on the page suppresses the next alert (reason "silence"), and after "expire now" the
// cluster alerts again. Also the expiry parser (durations, Amsterdam wall time across DST).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryAlertStore } from '../../../workers/adapters/memory-alert-store.ts';
import { listSilences, parseSilenceExpiry, SilenceInputError } from '../../../workers/alert-silences.ts';
import type { Silence } from '../../../pipelines/alert-rules.ts';
import { alertCluster, Receiver, signal, testWorker } from '../../workers/alerts/harness.ts';
import { anonymous, harness, login } from './harness.ts';
import type { Harness } from './harness.ts';

const T = Date.parse('2026-03-01T12:00:00Z');

describe('parseSilenceExpiry', () => {
  it('reads durations, Amsterdam wall time (winter and summer) and ISO with an offset', () => {
    expect(parseSilenceExpiry('4h', T)).toBe(T + 4 * 3_600_000);
    expect(parseSilenceExpiry('1h30m', T)).toBe(T + 90 * 60_000);
    expect(parseSilenceExpiry('2d', T)).toBe(T + 2 * 86_400_000);
    // 1 March: CET (UTC+1); 1 April: CEST (UTC+2); the form's datetime-local sends the T form.
    expect(parseSilenceExpiry('2026-03-01 18:00', T)).toBe(Date.parse('2026-03-01T17:00:00Z'));
    expect(parseSilenceExpiry('2026-04-01T18:00', T)).toBe(Date.parse('2026-04-01T16:00:00Z'));
    // The night the clocks go forward (29 March 2026, 02:00 → 03:00): 03:30 local is 01:30 UTC.
    expect(parseSilenceExpiry('2026-03-29 03:30', T)).toBe(Date.parse('2026-03-29T01:30:00Z'));
    expect(parseSilenceExpiry('2026-03-01T18:00:00Z', T)).toBe(Date.parse('2026-03-01T18:00:00Z'));
  });

  it('refuses unreadable, impossible and past expiries', () => {
    const problem = (s: string) => {
      try {
        parseSilenceExpiry(s, T);
        return 'none';
      } catch (err) {
        return (err as SilenceInputError).problem;
      }
    };
    expect(problem('soon')).toBe('bad-expiry');
    expect(problem('2026-02-31 10:00')).toBe('bad-expiry');
    expect(problem('2026-03-01 12:00')).toBe('past-expiry'); // 11:00 UTC
    expect(problem('0h')).toBe('past-expiry');
  });
});

describe('/silences', () => {
  let h: Harness;
  let store: MemoryAlertStore;
  const clock = { now: T };

  beforeEach(async () => {
    store = new MemoryAlertStore();
    await store.start();
    clock.now = T;
    h = await harness({ silences: store, now: () => clock.now });
  });
  afterEach(async () => {
    await h.close();
    await store.stop();
  });

  const form = (c: { csrf: string }, fields: Record<string, string>) =>
    new URLSearchParams({ _csrf: c.csrf, ...fields }).toString();
  const postForm = (
    c: { csrf: string; cookies: Record<string, string> },
    url: string,
    fields: Record<string, string>,
  ) =>
    h.app.inject({
      method: 'POST',
      url,
      cookies: c.cookies,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form(c, fields),
    });

  it('needs a sign-in, refuses viewers and requests without the CSRF token', async () => {
    const anon = await anonymous(h.app);
    const page = await anon.get('/silences');
    expect(page.statusCode).toBe(302);
    expect(page.headers.location).toBe('/login?next=%2Fsilences');
    expect((await postForm(anon, '/silences', { cluster: 'c1', comment: 'x', expires: '1h' })).statusCode).toBe(401);

    const viewer = await login(h.app, 'viewer', h.passwords.viewer);
    const seen = await viewer.get('/silences');
    expect(seen.statusCode).toBe(200);
    expect(seen.body).not.toContain('id="silence-form"');
    expect((await postForm(viewer, '/silences', { cluster: 'c1', comment: 'x', expires: '1h' })).statusCode).toBe(403);

    const analyst = await login(h.app, 'analyst', h.passwords.analyst);
    const noToken = await h.app.inject({
      method: 'POST',
      url: '/silences',
      cookies: analyst.cookies,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ cluster: 'c1', comment: 'x', expires: '1h' }).toString(),
    });
    expect(noToken.statusCode).toBe(403);
    const wrongToken = await postForm({ ...analyst, csrf: 'forged' }, '/silences', {
      cluster: 'c1',
      comment: 'x',
      expires: '1h',
    });
    expect(wrongToken.statusCode).toBe(403);
    expect(await listSilences(store)).toEqual([]);
  });

  it('says what is wrong with the form and keeps what was typed', async () => {
    const analyst = await login(h.app, 'analyst', h.passwords.analyst);
    await analyst.post('/api/me/lang', { lang: 'en' });
    const noMatcher = await postForm(analyst, '/silences', { comment: 'why', expires: '1h' });
    expect(noMatcher.statusCode).toBe(400);
    expect(noMatcher.body).toContain('Fill in at least one matcher.');
    const badKind = await postForm(analyst, '/silences', { kind: 'bursts', comment: 'why', expires: '1h' });
    expect(badKind.statusCode).toBe(400);
    expect(badKind.body).toContain('Unknown kind. Known kinds: duplicate_text');
    const blank = await postForm(analyst, '/silences', { cluster: 'c1', comment: '   ', expires: '1h' });
    expect(blank.statusCode).toBe(400);
    expect(blank.body).toContain('Say why in the comment.');
    const past = await postForm(analyst, '/silences', { cluster: 'c9', comment: 'why', expires: '2026-03-01 09:00' });
    expect(past.statusCode).toBe(400);
    expect(past.body).toContain('The expiry must be in the future.');
    expect(past.body).toContain('value="c9"');
    expect(await listSilences(store)).toEqual([]);
  });

  it('a silence made on the page holds back the alert; after "expire now" the cluster alerts again; both audited', async () => {
    const rx = await new Receiver().start();
    try {
      const {
        worker,
        clock: wclock,
        deps,
      } = testWorker(
        { routes: [{ name: 'desk', groupWaitMs: 0, groupIntervalMs: 0, channel: { format: 'json', urlEnv: 'HOOK' } }] },
        { HOOK: rx.url },
        { alertStore: store },
      );
      wclock.now = T;
      const suppressed = async () =>
        (await deps.metrics.registry.getSingleMetric('mid_alerts_suppressed_total')!.get()).values.find(
          (v) => v.labels.reason === 'silence',
        )?.value ?? 0;

      // The cluster page offers the button with the matcher filled in.
      const analyst = await login(h.app, 'analyst', h.passwords.analyst);
      const prefilled = await analyst.get('/silences?cluster=cl-1');
      expect(prefilled.body).toContain('name="cluster" maxlength="2000" value="cl-1"');

      // createdBy in the form is ignored: the creator is the signed-in analyst.
      const made = await postForm(analyst, '/silences', {
        cluster: 'cl-1',
        comment: 'known campaign, desk is on it',
        expires: '4h',
        createdBy: 'someone-else',
      });
      expect(made.statusCode).toBe(303);
      expect(made.headers.location).toBe('/silences');
      const [s] = await listSilences(store);
      expect(s).toMatchObject({
        matchers: { clusterIds: ['cl-1'] },
        routes: [],
        createdBy: 'analyst',
        comment: 'known campaign, desk is on it',
        startsAtMs: T,
        expiresAtMs: T + 4 * 3_600_000,
      } satisfies Partial<Silence>);

      await worker.handleBatch([signal(alertCluster())]);
      await worker.deliverDue();
      expect(rx.requests).toHaveLength(0);
      expect(await suppressed()).toBe(1);

      const list = await analyst.get('/silences');
      expect(list.body).toContain(`data-id="${s!.id}" data-state="active"`);
      expect(list.body).toContain('known campaign, desk is on it');

      clock.now = T + 60_000;
      const ended = await postForm(analyst, `/silences/${s!.id}/expire`, {});
      expect(ended.statusCode).toBe(303);
      expect((await listSilences(store))[0]!.expiresAtMs).toBe(T + 60_000);
      expect((await analyst.get('/silences')).body).toContain(`data-id="${s!.id}" data-state="expired"`);
      expect((await postForm(analyst, '/silences/nope/expire', {})).statusCode).toBe(404);

      wclock.now = T + 120_000;
      await worker.handleBatch([signal(alertCluster(), 1)]);
      await worker.deliverDue();
      expect(rx.requests).toHaveLength(1);
      expect(rx.json(0)).toMatchObject({ idempotencyKey: 'cl-1:desk:v1' });
      expect(await suppressed()).toBe(1);

      const audit = (await h.triage.listAudit({})).filter((e) => e.action.startsWith('silence-'));
      expect(audit.map((e) => [e.action, e.actor, e.clusterId])).toEqual([
        ['silence-add', 'analyst', 'cl-1'],
        ['silence-expire', 'analyst', 'cl-1'],
      ]);
      expect(audit[0]!.after).toMatchObject({ silenceId: s!.id, expiresAtMs: T + 4 * 3_600_000 });
      expect(audit[1]!.before).toMatchObject({ expiresAtMs: T + 4 * 3_600_000 });
      expect(audit[1]!.after).toMatchObject({ expiresAtMs: T + 60_000 });
      expect((await h.triage.verifyAudit()).ok).toBe(true);
    } finally {
      await rx.stop();
    }
  });
});
