// "Resolved" notices: when analysts close a cluster in triage (a triage event reaches the alerts worker), every
// route that was sent an alert about it gets one notice, in the alert's thread, even while the cluster is silenced;
// alerts not sent yet are cancelled instead, and a repeated close sends nothing more.
import { afterEach, describe, expect, it } from 'vitest';
import type { IncomingMessage } from '../../../workers/ports/bus.ts';
import { alertCluster, matrixBody, Receiver, signal, testWorker, webhookBody } from './harness.ts';

const receivers: Receiver[] = [];
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.stop();
});

function triageEvent(clusterId: string, status: string, atMs: number): IncomingMessage {
  const value = JSON.stringify({ v: 1, kind: 'triage-status', clusterId, status, closeReason: null, atMs });
  return { topic: 'triage.events', partition: 0, offset: '0', key: clusterId, value, headers: {} };
}

const desk = (groupWaitMs: number) => ({
  routes: [{ name: 'desk', groupWaitMs, groupIntervalMs: 0, channel: { format: 'json', urlEnv: 'HOOK' } }],
});

describe('resolved notices', () => {
  it('one notice per alerted route, in the thread, despite a silence; never twice', async () => {
    const rx = await new Receiver().start();
    receivers.push(rx);
    const { worker, clock } = testWorker(desk(0), { HOOK: rx.url });
    await worker.handleBatch([signal(alertCluster())]);
    await worker.deliverDue();
    expect(rx.requests).toHaveLength(1);
    await worker.addSilence({
      matchers: { clusterIds: ['cl-1'] },
      routes: [],
      createdBy: 'ana',
      comment: 'snoozed',
      startsAtMs: clock.now,
      expiresAtMs: clock.now + 3_600_000,
    });
    clock.now += 60_000;
    await worker.handleTriageBatch([triageEvent('cl-1', 'closed', clock.now)]);
    await worker.deliverDue();
    expect(rx.requests).toHaveLength(2);
    const body = rx.json(1, webhookBody);
    expect(body).toMatchObject({ idempotencyKey: 'cl-1:desk:resolved', threadKey: 'cl-1:desk:v1' });
    expect(body.message.kind).toBe('resolved');
    expect(body.message.title).toMatch(/^Afgehandeld: Signaal van gecoördineerd gedrag/);
    // The same close again (redelivered, or closed twice) and a grown cluster: nothing more.
    clock.now += 60_000;
    await worker.handleTriageBatch([triageEvent('cl-1', 'closed', clock.now)]);
    const grown = alertCluster({
      posts: Array.from({ length: 20 }, (_, i) => `post-${i}`),
      accounts: Array.from({ length: 20 }, (_, i) => `p:${i}`),
    });
    await worker.handleBatch([signal(grown, 1)]);
    clock.now += 600_000;
    await worker.deliverDue();
    expect(rx.requests).toHaveLength(2);
  });

  it('an alert still waiting is cancelled, and no notice goes out', async () => {
    const rx = await new Receiver().start();
    receivers.push(rx);
    const { worker, clock } = testWorker(desk(30_000), { HOOK: rx.url });
    await worker.handleBatch([signal(alertCluster())]);
    clock.now += 1000;
    await worker.handleTriageBatch([triageEvent('cl-1', 'dismissed', clock.now)]);
    clock.now += 60_000;
    await worker.deliverDue();
    expect(rx.requests).toHaveLength(0);
  });

  it('a status that is not final sends nothing', async () => {
    const rx = await new Receiver().start();
    receivers.push(rx);
    const { worker, clock } = testWorker(desk(0), { HOOK: rx.url });
    await worker.handleBatch([signal(alertCluster())]);
    await worker.deliverDue();
    clock.now += 1000;
    await worker.handleTriageBatch([triageEvent('cl-1', 'investigating', clock.now)]);
    await worker.deliverDue();
    expect(rx.requests).toHaveLength(1);
  });
});

describe('Matrix updates the original message', () => {
  it('a follow-up and the resolved notice go into the thread and edit the first alert (m.replace)', async () => {
    const rx = await new Receiver().start();
    receivers.push(rx);
    let n = 0;
    rx.fallback = () => ({ status: 200, body: JSON.stringify({ event_id: `$event${++n}` }) });
    const channel = { format: 'matrix', urlEnv: 'MX_URL', secretEnv: 'MX_TOKEN', roomId: '!room:example.org' };
    const { worker, clock } = testWorker(
      { routes: [{ name: 'mx', groupWaitMs: 0, groupIntervalMs: 0, channel }] },
      { MX_URL: rx.url, MX_TOKEN: 'syt_token' },
    );
    await worker.handleBatch([signal(alertCluster())]);
    await worker.deliverDue();
    expect(rx.requests).toHaveLength(1); // a first alert edits nothing
    clock.now += 1000;
    const grown = alertCluster({
      posts: Array.from({ length: 12 }, (_, i) => `post-${i}`),
      accounts: Array.from({ length: 12 }, (_, i) => `p:${i}`),
    });
    await worker.handleBatch([signal(grown, 1)]);
    await worker.deliverDue();
    expect(rx.requests.map((r) => r.url.split('/').pop())).toEqual([
      'cl-1%3Amx%3Av1',
      'cl-1%3Amx%3Av2',
      'cl-1%3Amx%3Av2%3Aedit',
    ]);
    const edit = rx.json(2, matrixBody);
    expect(edit['m.relates_to']).toEqual({ rel_type: 'm.replace', event_id: '$event1' });
    expect(edit['m.new_content']?.body).toMatch(/^Update: .*\(12 accounts\)/);
    expect(edit.body).toMatch(/^\* Update: /);
    clock.now += 1000;
    await worker.handleTriageBatch([triageEvent('cl-1', 'closed', clock.now)]);
    await worker.deliverDue();
    expect(rx.requests.slice(3).map((r) => r.url.split('/').pop())).toEqual([
      'cl-1%3Amx%3Aresolved',
      'cl-1%3Amx%3Aresolved%3Aedit',
    ]);
    expect(rx.json(3)['m.relates_to']).toMatchObject({ rel_type: 'm.thread', event_id: '$event1' });
    expect(rx.json(4, matrixBody)['m.new_content']?.body).toMatch(/^Afgehandeld: /);
  });
});

describe('"ended" notices when a cluster leaves the detector window', () => {
  // Defaults: detect.windowSeconds 6 h, detect.maxTickMs 10 s; the signals' watermark is the event time.
  /** The message of the i-th request's JSON body. */
  const message = (rx: Receiver, i: number) =>
    rx.json(i).message as { kind: string; title: string; lines: string[]; changes: string[] };
  const WINDOW_MS = 6 * 3_600_000 + 10_000;
  const end = Date.parse(alertCluster().end);
  const other = (endMs: number, offset: number) =>
    signal(alertCluster({ id: `other-${offset}`, kinds: ['burst'], end: new Date(endMs).toISOString() }), offset);

  it('once per alerted route with the final size, despite a silence, after a restart too; it comes back in the thread', async () => {
    const rx = await new Receiver().start();
    receivers.push(rx);
    const onlyCl1 = {
      routes: [
        {
          name: 'desk',
          groupWaitMs: 0,
          groupIntervalMs: 0,
          match: { kinds: ['co_link'] },
          channel: { format: 'json', urlEnv: 'HOOK' },
        },
      ],
    };
    const { worker, clock, deps } = testWorker(onlyCl1, { HOOK: rx.url });
    await worker.handleBatch([signal(alertCluster())]);
    await worker.deliverDue();
    expect(rx.requests).toHaveLength(1);
    await worker.addSilence({
      matchers: { clusterIds: ['cl-1'] },
      routes: [],
      createdBy: 'ana',
      comment: 'quiet please',
      startsAtMs: clock.now,
      expiresAtMs: clock.now + 86_400_000,
    });
    // Event time one millisecond short of the window and the detector's tick: still open.
    await worker.handleBatch([other(end + WINDOW_MS, 1)]);
    await worker.deliverDue();
    expect(rx.requests).toHaveLength(1);
    await worker.handleBatch([other(end + WINDOW_MS + 1, 2)]);
    await worker.deliverDue();
    expect(rx.requests).toHaveLength(2);
    const body = rx.json(1);
    expect(body).toMatchObject({ idempotencyKey: 'cl-1:desk:resolved', threadKey: 'cl-1:desk:v1' });
    expect(message(rx, 1).kind).toBe('resolved');
    expect(message(rx, 1).title).toMatch(/^Voorbij: Signaal van gecoördineerd gedrag/);
    expect(message(rx, 1).lines[0]).toContain('Eindomvang: 6 berichten van 6 accounts');

    // The same batch again, and a restarted worker on the same store with a later watermark: nothing more.
    await worker.handleBatch([other(end + WINDOW_MS + 1, 2)]);
    const restarted = testWorker(onlyCl1, { HOOK: rx.url }, { alertStore: deps.alertStore });
    await restarted.worker.handleBatch([other(end + 2 * WINDOW_MS, 3)]);
    await restarted.worker.deliverDue();
    expect(rx.requests).toHaveLength(2);

    // It comes back (new posts, a later end): a follow-up in its thread (the silence expired by then).
    restarted.clock.now += 2 * 86_400_000;
    const back = alertCluster({
      posts: Array.from({ length: 7 }, (_, i) => `post-${i}`),
      end: new Date(end + 2 * WINDOW_MS + 60_000).toISOString(),
    });
    await restarted.worker.handleBatch([signal(back, 4)]);
    await restarted.worker.deliverDue();
    expect(rx.requests).toHaveLength(3);
    expect(rx.json(2)).toMatchObject({ idempotencyKey: 'cl-1:desk:v2', threadKey: 'cl-1:desk:v1' });
    expect(message(rx, 2).changes).toEqual(['weer actief na eerder einde']);
  });

  it('a cluster never alerted ends without a notice; a new episode of an ended campaign follows up in its thread', async () => {
    const rx = await new Receiver().start();
    receivers.push(rx);
    const { worker } = testWorker(
      {
        routes: [
          {
            name: 'desk',
            groupWaitMs: 0,
            groupIntervalMs: 0,
            language: 'en',
            match: { minAccounts: 5 },
            channel: { format: 'json', urlEnv: 'HOOK' },
          },
        ],
      },
      { HOOK: rx.url },
    );
    const small = alertCluster({ id: 'small', accounts: ['p:1', 'p:2'] });
    await worker.handleBatch([signal(alertCluster({ campaignId: 'camp-1' })), signal(small, 1)]);
    await worker.deliverDue();
    expect(rx.requests).toHaveLength(1);
    const later = end + WINDOW_MS + 3_600_000;
    const episode = alertCluster({
      id: 'cl-2',
      campaignId: 'camp-1',
      start: new Date(later - 600_000).toISOString(),
      end: new Date(later).toISOString(),
    });
    await worker.handleBatch([signal(episode, 2)]);
    await worker.deliverDue();
    expect(rx.requests.map((r) => (JSON.parse(r.body) as { idempotencyKey: string }).idempotencyKey)).toEqual([
      'cl-1:desk:v1',
      'cl-1:desk:resolved',
      'cl-2:desk:v2',
    ]);
    expect(message(rx, 1).title).toMatch(/^Ended: /);
    expect(rx.json(2)).toMatchObject({
      threadKey: 'cl-1:desk:v1',
      message: { kind: 'update', changes: ['active again after it had ended'] },
    });
  });
});
