// The alerts worker: a consumer group on `signals` that decides, with the pure rules of pipelines/alert-rules.ts,
// which routes hear about a cluster update, and delivers through the channels of workers/notifiers/.
//
// Exactly-once as far as the channel allows (outbox pattern): a batch's decisions and the deliveries they imply are
// written to the alert store in one transaction before the offsets are committed, so a redelivered batch finds its
// decisions made and adds nothing. A delivery job (scheduler port: in-process timers embedded, BullMQ in cluster
// mode, under a store lock so one process drains at a time) sends what is due and records it as sent only after the
// 2xx, in the same transaction that removes it from the outbox. A process killed between the receiver's 2xx and that
// transaction sends the same delivery again with the same idempotency key (cluster:route:vN): Matrix drops it by
// txnId, JSON receivers dedupe by X-Mid-Idempotency-Key, e-mail repeats its Message-ID; Slack and Teams webhooks
// have no key and may show it twice (the window is one request plus one local write).
import { randomUUID } from 'node:crypto';
import {
  buildAlertMessage,
  buildDigestMessage,
  buildResolvedMessage,
  buildTestMessage,
} from '../pipelines/alert-message.ts';
import type { AlertMessage } from '../pipelines/alert-message.ts';
import {
  buildDigest,
  countAlert,
  decideAlerts,
  digestDue,
  digestItem,
  subjectPlatforms,
} from '../pipelines/alert-rules.ts';
import type {
  AlertChange,
  AlertRoute,
  DigestItem,
  MemberPost,
  RouteClusterState,
  RouteRateState,
  Silence,
  SuppressReason,
} from '../pipelines/alert-rules.ts';
import type { Cluster } from '../pipelines/types.ts';
import { addSilence, expireSilence, listSilences } from './alert-silences.ts';
import { resolveAlertRoutes, toAlertRoute } from './alerts-config.ts';
import type { RouteConfig } from './alerts-config.ts';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import { decodeSignal } from './messages.ts';
import { redactDetail } from '../pipelines/redact.ts';
import type { ClusterMergedMessage, ClusterMessage } from '../pipelines/core/envelopes.ts';
import { alertMetrics } from './metrics.ts';
import type { AlertMetrics, WorkerMetrics } from './metrics.ts';
import { createNotifier } from './notifiers/create-notifier.ts';
import { DeliveryError } from './notifiers/notifier.ts';
import type { Notifier } from './notifiers/notifier.ts';
import type { AlertStore, AlertStoreOp } from './ports/alert-store.ts';
import type { Bus, IncomingMessage, Subscription } from './ports/bus.ts';
import type { StopOptions } from '../pipelines/core/lifecycle.ts';
import type { Scheduler } from './ports/scheduler.ts';
import type { SignalStore } from './ports/signal-store.ts';
import type { StateStore } from './ports/state-store.ts';
import type { TriageStatusSource } from './ports/triage-status.ts';
import { decodeTriageEvent } from './triage-events.ts';
import type { TriageEvent } from './triage-events.ts';
import type { Worker } from './worker.ts';

/** Store namespaces. */
const NS = {
  cluster: 'cluster',
  thread: 'thread',
  subject: 'subject',
  outbox: 'outbox',
  dead: 'dead',
  silence: 'silence',
  rate: 'rate',
  digest: 'digest',
  triage: 'triage',
  resolved: 'resolved',
  /** Alerted clusters by when they leave the detector's window (due index: end + window + margin). */
  live: 'live',
  /** The newest event time seen on signals (key "signals"). */
  watermark: 'watermark',
  /** Per campaign id: the last of its clusters that ended, so the next episode follows up in its thread. */
  campaign: 'campaign',
  held: (route: string) => `held:${route}`,
} as const;

/** Per-cluster decisions (the worker's side; threads live apart so the delivery loop never races this). */
interface ClusterDoc {
  routes: Record<string, RouteClusterState>;
  /** Set once the cluster was merged into another. */
  absorbedInto?: string;
  /** Clusters this one absorbed. */
  absorbed: string[];
  /** Set when it left the detector's window (its "ended" notices were queued): its end then, epoch ms. */
  endedEndMs?: number;
}

/** What the delivery loop knows of a (cluster, route): the thread root and the highest version sent. */
interface ThreadDoc {
  thread: string | null;
  sentVersion: number;
}

/** The latest state of an alerted cluster, so a delivery sends the newest content (grouping during the wait). */
interface SubjectDoc {
  cluster: Cluster;
  platforms: string[];
}

/** One pending delivery (outbox entry); its key is the idempotency key. */
export interface Delivery {
  key: string;
  route: string;
  clusterId: string | null;
  version: number;
  kind: 'new' | 'update' | 'digest' | 'test' | 'resolved';
  /** For 'resolved': closed or dismissed in triage, or ended (left the detector's window). Default 'closed'. */
  why?: 'closed' | 'ended';
  changes: AlertChange[];
  /** Inline message for digests and tests (cluster alerts are built at send time from the latest state). */
  message?: AlertMessage;
  attempts: number;
  /** When it first became due (latency is measured from here). */
  firstDueMs: number;
  lastError?: string;
}

/** A delivery given up on, with the reason. */
export interface DeadDelivery {
  delivery: Delivery;
  reason: string;
  status: number | null;
  atMs: number;
}

/** The idempotency key of a cluster's one "resolved" notice on a route. */
export function resolvedKey(clusterId: string, route: string): string {
  return `${clusterId}:${route}:resolved`;
}

/** Triage statuses that end alerting about a cluster and send its "resolved" notice. */
const RESOLVED_STATUSES = new Set(['closed', 'dismissed']);

/** The idempotency key of (cluster, route, version). */
export function idempotencyKey(clusterId: string, route: string, version: number): string {
  return `${clusterId}:${route}:v${version}`;
}

/** Dependencies of {@link AlertsWorker}. */
export interface AlertsWorkerDeps {
  config: Config;
  bus: Bus;
  scheduler: Scheduler;
  state: StateStore;
  logger: Logger;
  metrics: WorkerMetrics;
  alertStore: AlertStore;
  /** Member posts for watchlists and platforms; null: the cluster's own fields stand in. */
  signalStore: SignalStore | null;
  triage?: TriageStatusSource;
  /** Notifiers per route name instead of building them from config (tests). */
  notifiers?: Map<string, Notifier>;
  now?: () => number;
  random?: () => number;
}

/** The alerts worker. */
export class AlertsWorker implements Worker {
  readonly name = 'alerts';
  private sub: Subscription | null = null;
  private triageSub: Subscription | null = null;
  private running = false;
  private readonly log: Logger;
  private readonly m: AlertMetrics;
  private readonly routes: RouteConfig[];
  private readonly rules: AlertRoute[];
  private readonly notifiers = new Map<string, Notifier>();
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly abort = new AbortController();
  private delivering: Promise<void> | null = null;

  constructor(private readonly deps: AlertsWorkerDeps) {
    this.log = deps.logger.child({ component: 'alerts-worker' });
    this.m = alertMetrics(deps.metrics.registry);
    this.routes = resolveAlertRoutes(deps.config.alerts);
    this.rules = this.routes.map(toAlertRoute);
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
  }

  /** Route names in effect. */
  routeNames(): string[] {
    return this.routes.map((r) => r.name);
  }
  ready(): boolean {
    return this.running;
  }
  async lag(): Promise<number> {
    return this.sub ? this.sub.lag() : 0;
  }

  private notifier(route: RouteConfig): Notifier {
    let n = this.deps.notifiers?.get(route.name) ?? this.notifiers.get(route.name);
    if (!n) {
      n = createNotifier(route.name, route.channel, this.deps.config.alerts.interactive);
      this.notifiers.set(route.name, n);
    }
    return n;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const { config, bus, scheduler } = this.deps;
    if (this.routes.length === 0) {
      this.log.info('No alert routes configured (alerts.routes or MID_ALERT_WEBHOOK_URL); alerts are off.');
      this.running = true;
      return;
    }
    for (const r of this.routes) this.notifier(r); // fail at start on a missing secret, not at the first alert
    await this.deps.alertStore.start();
    await scheduler.schedule({
      name: 'alerts-deliver',
      everyMs: config.alerts.deliverEveryMs,
      run: (signal) => this.deliverDue(signal),
    });
    await scheduler.schedule({
      name: 'alerts-digest',
      everyMs: config.alerts.digestCheckEveryMs,
      run: () => this.checkDigests(),
    });
    this.sub = await bus.subscribe({
      topics: [config.bus.topics.signals],
      groupId: `${config.bus.groupPrefix}-alerts`,
      eachBatch: (batch) => this.handleBatch(batch),
    });
    // The analysts' status changes (triage-events.ts), in a group of their own so they never wait behind signals.
    this.triageSub = await bus.subscribe({
      topics: [config.bus.topics.triage],
      groupId: `${config.bus.groupPrefix}-alerts-triage`,
      eachBatch: (batch) => this.handleTriageBatch(batch),
    });
    this.running = true;
    this.log.info(
      { routes: this.routes.map((r) => ({ name: r.name, format: r.channel.format })) },
      'Alerts worker started.',
    );
  }

  async stop(_options?: StopOptions): Promise<void> {
    if (!this.running && !this.sub) return;
    this.running = false;
    this.abort.abort();
    const sub = this.sub;
    const triageSub = this.triageSub;
    this.sub = null;
    this.triageSub = null;
    await sub?.stop();
    await triageSub?.stop();
    await this.delivering?.catch(() => undefined);
    for (const n of this.notifiers.values()) await n.close?.().catch(() => undefined);
    await this.deps.alertStore.stop();
    this.log.info('Alerts worker stopped.');
  }

  // -------------------------------------------------------------------------------------------------------------
  // Decisions

  /** Handles one batch of `signals`; throws (so the batch comes again) only when the store is unavailable. */
  async handleBatch(batch: IncomingMessage[]): Promise<void> {
    const silences = (await this.deps.alertStore.list<Silence>(NS.silence)).map((e) => e.doc);
    let watermarkMs = (await this.deps.alertStore.get<{ atMs: number }>(NS.watermark, 'signals'))?.atMs ?? -Infinity;
    for (const msg of batch) {
      const d = decodeSignal(msg.value);
      if (!d.ok) {
        this.deps.metrics.rejected.inc({ worker: this.name, reason: d.reason });
        continue;
      } // the index worker dead-letters it
      // Clusters that ended before this message's event time end first: a new episode of a campaign is reported
      // only after its earlier cluster was retired, and follows up in that cluster's thread.
      if (d.message.watermarkMs > watermarkMs) {
        watermarkMs = d.message.watermarkMs;
        await this.endClusters(watermarkMs);
      }
      if (d.message.kind === 'merged') await this.handleMerge(d.message);
      else await this.handleCluster(d.message, silences);
    }
  }

  /**
   * The event time after which the detector has retired a cluster that ended at `endMs`: it retires a cluster whose
   * last post is older than its window at an advance, and it advances at least every `maxTickMs` of event time, so
   * once the signals' watermark passes end + window + that margin the cluster has left the window.
   */
  private endedAfterMs(endMs: number): number {
    const d = this.deps.config.detect;
    return endMs + d.windowSeconds * 1000 + Math.max(d.tickMs, d.maxTickMs) + 1;
  }

  /**
   * Clusters that left the detector's window by event time `watermarkMs` (the newest seen on signals, kept in the
   * store, so a restart or a redelivered batch decides the same): per route that had an alert, one "ended" notice
   * with the final size (also when silenced; Alertmanager's send_resolved). The detector publishes nothing when it
   * retires a cluster; the watermark every signals message carries is what tells us its clock passed the end.
   */
  private async endClusters(watermarkMs: number): Promise<void> {
    const { alertStore: store } = this.deps;
    const seen = await store.get<{ atMs: number }>(NS.watermark, 'signals');
    const w = Math.max(watermarkMs, seen?.atMs ?? -Infinity);
    if (!Number.isFinite(w)) return;
    if (!seen || seen.atMs < w) await store.apply([{ op: 'put', ns: NS.watermark, key: 'signals', doc: { atMs: w } }]);
    for (;;) {
      const due = await store.due<{ endMs: number }>(NS.live, w, 100);
      if (due.length === 0) return;
      for (const { key: clusterId, doc: live } of due) {
        const ops = await this.resolveOps(clusterId, 'ended');
        const doc = await store.get<ClusterDoc>(NS.cluster, clusterId);
        if (doc) ops.push({ op: 'put', ns: NS.cluster, key: clusterId, doc: { ...doc, endedEndMs: live.endMs } });
        const subject = await store.get<SubjectDoc>(NS.subject, clusterId);
        const campaignId = subject?.cluster.campaignId;
        if (campaignId) ops.push({ op: 'put', ns: NS.campaign, key: campaignId, doc: { clusterId } });
        await store.apply(ops); // resolveOps removed it from the live index
      }
    }
  }

  /**
   * Handles one batch of triage events: the newest status per cluster goes to the alert store, where the rules read
   * it in cluster mode (the triage store is in another process).
   */
  async handleTriageBatch(batch: IncomingMessage[]): Promise<void> {
    const latest = new Map<string, TriageEvent>();
    for (const msg of batch) {
      const e = decodeTriageEvent(msg.value);
      if (!e) {
        this.deps.metrics.rejected.inc({ worker: this.name, reason: 'invalid-message' });
        continue;
      }
      const seen = latest.get(e.clusterId);
      if (!seen || seen.atMs <= e.atMs) latest.set(e.clusterId, e);
    }
    for (const e of latest.values()) {
      const stored = await this.deps.alertStore.get<TriageEvent>(NS.triage, e.clusterId);
      if (stored && stored.atMs > e.atMs) continue; // an older change delivered again
      const ops: AlertStoreOp[] = [{ op: 'put', ns: NS.triage, key: e.clusterId, doc: e }];
      if (RESOLVED_STATUSES.has(e.status)) ops.push(...(await this.resolveOps(e.clusterId, 'closed')));
      await this.deps.alertStore.apply(ops);
    }
  }

  /**
   * A cluster closed in triage (or ended, see endClusters): per route, its unsent alerts are cancelled and, where an
   * alert was sent, one "resolved" notice is queued (once: its key is per cluster and route). Silences do not hold it back: the
   * channel heard about the cluster, so it hears that it is over (Alertmanager's send_resolved).
   */
  private async resolveOps(clusterId: string, why: 'closed' | 'ended'): Promise<AlertStoreOp[]> {
    const { alertStore: store } = this.deps;
    // Either way its alerting is over: it leaves the index of clusters waiting to leave the window.
    const ops: AlertStoreOp[] = [{ op: 'del', ns: NS.live, key: clusterId }];
    const doc = await store.get<ClusterDoc>(NS.cluster, clusterId);
    if (!doc) return ops;
    const now = this.now();
    for (const [route, st] of Object.entries(doc.routes)) {
      const t = await store.get<ThreadDoc>(NS.thread, `${clusterId}|${route}`);
      for (let v = (t?.sentVersion ?? 0) + 1; v <= st.version; v++)
        ops.push({ op: 'del', ns: NS.outbox, key: idempotencyKey(clusterId, route, v) });
      if (!t || t.sentVersion === 0) continue;
      const key = resolvedKey(clusterId, route);
      if (await store.get(NS.resolved, key)) continue;
      const delivery: Delivery = {
        key,
        route,
        clusterId,
        version: t.sentVersion,
        kind: 'resolved',
        why,
        changes: [],
        attempts: 0,
        firstDueMs: now,
      };
      ops.push({ op: 'put', ns: NS.resolved, key, doc: { atMs: now } });
      ops.push({ op: 'put', ns: NS.outbox, key, doc: delivery, dueMs: now });
    }
    return ops;
  }

  /** The triage status: from the triage store in this process (embedded), else the last triage event received. */
  private async triageStatus(clusterId: string): Promise<string | undefined> {
    if (this.deps.triage) return this.deps.triage.getStatus(clusterId);
    return (await this.deps.alertStore.get<TriageEvent>(NS.triage, clusterId))?.status;
  }

  private async memberPosts(cluster: Cluster): Promise<MemberPost[]> {
    const store = this.deps.signalStore;
    const n = this.deps.config.alerts.memberPosts;
    if (!store || n === 0) return [];
    try {
      const posts = await store.getPosts(cluster.posts.slice(0, n));
      return posts.map((p) => ({
        text: p.text,
        hashtags: p.hashtags,
        links: p.canonicalLinks.length ? p.canonicalLinks : p.links,
        source: p.source,
      }));
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, "Member posts unavailable; matching on the cluster's own fields.");
      return [];
    }
  }

  private async handleCluster(msg: ClusterMessage, silences: Silence[]): Promise<void> {
    const { alertStore: store } = this.deps;
    const cluster = msg.cluster;
    const now = this.now();
    const doc = (await store.get<ClusterDoc>(NS.cluster, cluster.id)) ?? { routes: {}, absorbed: [] };
    const posts = await this.memberPosts(cluster);
    const triageStatus = await this.triageStatus(cluster.id);
    const subject = { cluster, posts, triageStatus };
    const rates: Record<string, RouteRateState | undefined> = {};
    for (const r of this.rules) rates[r.name] = (await store.get<RouteRateState>(NS.rate, r.name)) ?? undefined;
    const ops: AlertStoreOp[] = [];
    let changed = false;
    const endMs = Date.parse(cluster.end);
    let returned = false;
    if (doc.endedEndMs !== undefined && endMs > doc.endedEndMs) {
      // It had ended and has new posts: active again. Its next end sends an "ended" notice again.
      returned = true;
      delete doc.endedEndMs;
      changed = true;
      for (const route of Object.keys(doc.routes))
        ops.push({ op: 'del', ns: NS.resolved, key: resolvedKey(cluster.id, route) });
    } else if (Object.keys(doc.routes).length === 0 && cluster.campaignId && !doc.absorbedInto) {
      // A new episode of a campaign whose earlier cluster was alerted and ended: continue in that cluster's thread.
      const prevId = (await store.get<{ clusterId: string }>(NS.campaign, cluster.campaignId))?.clusterId;
      const prev = prevId && prevId !== cluster.id ? await store.get<ClusterDoc>(NS.cluster, prevId) : null;
      for (const [route, st] of Object.entries(prev?.routes ?? {})) {
        const t = await store.get<ThreadDoc>(NS.thread, `${prevId}|${route}`);
        if (!t || t.sentVersion === 0) continue;
        doc.routes[route] = { ...st, version: t.sentVersion };
        ops.push({ op: 'put', ns: NS.thread, key: `${cluster.id}|${route}`, doc: t satisfies ThreadDoc });
        returned = true;
        changed = true;
      }
    }
    const decisions = decideAlerts({
      subject,
      routes: this.rules,
      states: doc.routes,
      rates,
      silences,
      absorbedInto: doc.absorbedInto,
      absorbedCount: doc.absorbed.length,
      electionPeriods: this.deps.config.alerts.electionPeriods,
      now,
      returned,
    });
    for (const d of decisions) {
      if (d.action === 'none') continue;
      if (d.action === 'suppress') {
        this.m.suppressed.inc({ reason: d.reason });
        if (d.hold) ops.push({ op: 'put', ns: NS.held(d.route), key: cluster.id, doc: digestItem(cluster, now) });
        continue;
      }
      if (d.action === 'digest') {
        ops.push({ op: 'put', ns: NS.held(d.route), key: cluster.id, doc: digestItem(cluster, now) });
        continue;
      }
      doc.routes[d.route] = d.state;
      changed = true;
      const delivery: Delivery = {
        key: idempotencyKey(cluster.id, d.route, d.version),
        route: d.route,
        clusterId: cluster.id,
        version: d.version,
        kind: d.kind,
        changes: d.changes,
        attempts: 0,
        firstDueMs: d.notBeforeMs,
      };
      ops.push({ op: 'put', ns: NS.outbox, key: delivery.key, doc: delivery, dueMs: d.notBeforeMs });
      // Alerting again (the cluster was reopened and grew): a later close sends a "resolved" notice again.
      ops.push({ op: 'del', ns: NS.resolved, key: resolvedKey(cluster.id, d.route) });
      if (d.kind === 'new') ops.push({ op: 'put', ns: NS.rate, key: d.route, doc: countAlert(rates[d.route], now) });
    }
    // Keep the newest content of every cluster that has (or gets) an alert, for the message built at send time.
    if (changed || Object.keys(doc.routes).length > 0) {
      ops.push({
        op: 'put',
        ns: NS.subject,
        key: cluster.id,
        doc: { cluster, platforms: subjectPlatforms(subject) } satisfies SubjectDoc,
      });
    }
    if (changed) ops.push({ op: 'put', ns: NS.cluster, key: cluster.id, doc });
    // Alerted and still alerting: wait (in event time) for it to leave the detector's window (endClusters).
    if (
      Object.keys(doc.routes).length > 0 &&
      doc.endedEndMs === undefined &&
      !doc.absorbedInto &&
      !RESOLVED_STATUSES.has(triageStatus ?? '') &&
      Number.isFinite(endMs)
    )
      ops.push({ op: 'put', ns: NS.live, key: cluster.id, doc: { endMs }, dueMs: this.endedAfterMs(endMs) });
    if (ops.length) await store.apply(ops);
  }

  /**
   * A merge: the absorbed cluster is inhibited from now on (its unsent alerts are cancelled) and, per route, what it
   * had sent carries over to the absorbing cluster, so the merge is at most one message in the existing thread.
   */
  private async handleMerge(msg: ClusterMergedMessage): Promise<void> {
    const { alertStore: store } = this.deps;
    const now = this.now();
    const from = (await store.get<ClusterDoc>(NS.cluster, msg.id)) ?? { routes: {}, absorbed: [] };
    const into = (await store.get<ClusterDoc>(NS.cluster, msg.into)) ?? { routes: {}, absorbed: [] };
    const intoSubject = await store.get<SubjectDoc>(NS.subject, msg.into);
    const ops: AlertStoreOp[] = [];
    for (const [route, st] of Object.entries(from.routes)) {
      const t = (await store.get<ThreadDoc>(NS.thread, `${msg.id}|${route}`)) ?? { thread: null, sentVersion: 0 };
      for (let v = t.sentVersion + 1; v <= st.version; v++) {
        ops.push({ op: 'del', ns: NS.outbox, key: idempotencyKey(msg.id, route, v) });
        this.m.suppressed.inc({ reason: 'inhibition' });
      }
      if (t.sentVersion === 0) continue; // nothing was sent: the absorbing cluster alerts on its own
      const target = into.routes[route];
      const targetThread = (await store.get<ThreadDoc>(NS.thread, `${msg.into}|${route}`)) ?? {
        thread: null,
        sentVersion: 0,
      };
      if (target && targetThread.sentVersion > 0) continue; // both were sent: the absorbing one's thread goes on
      // Continue in the absorbed cluster's thread: cancel the absorbing cluster's unsent first alert, if any.
      if (target)
        for (let v = 1; v <= target.version; v++)
          ops.push({ op: 'del', ns: NS.outbox, key: idempotencyKey(msg.into, route, v) });
      const carried: RouteClusterState = { ...st, version: t.sentVersion };
      ops.push({ op: 'put', ns: NS.thread, key: `${msg.into}|${route}`, doc: t satisfies ThreadDoc });
      if (target && intoSubject) {
        // The absorbing cluster was about to be announced as new: announce the merge instead, as one follow-up.
        const version = t.sentVersion + 1;
        const c = intoSubject.cluster;
        into.routes[route] = {
          version,
          posts: c.posts.length,
          accounts: c.accounts.length,
          kinds: [...c.kinds].sort(),
          factchecks: [...new Set(c.factchecks.map((f) => f.url))].sort(),
          decidedAtMs: now,
        };
        const delivery: Delivery = {
          key: idempotencyKey(msg.into, route, version),
          route,
          clusterId: msg.into,
          version,
          kind: 'update',
          changes: ['merged'],
          attempts: 0,
          firstDueMs: now,
        };
        ops.push({ op: 'put', ns: NS.outbox, key: delivery.key, doc: delivery, dueMs: now });
      } else {
        into.routes[route] = carried;
      }
    }
    if (!into.absorbed.includes(msg.id)) into.absorbed.push(msg.id);
    ops.push({ op: 'put', ns: NS.cluster, key: msg.into, doc: into });
    ops.push({
      op: 'put',
      ns: NS.cluster,
      key: msg.id,
      doc: { routes: {}, absorbed: from.absorbed, absorbedInto: msg.into } satisfies ClusterDoc,
    });
    ops.push({ op: 'del', ns: NS.subject, key: msg.id });
    ops.push({ op: 'del', ns: NS.live, key: msg.id });
    if (intoSubject && Object.keys(into.routes).length > 0) {
      const endMs = Date.parse(intoSubject.cluster.end);
      if (Number.isFinite(endMs))
        ops.push({ op: 'put', ns: NS.live, key: msg.into, doc: { endMs }, dueMs: this.endedAfterMs(endMs) });
    }
    await store.apply(ops);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Delivery

  private takeToken(route: RouteConfig, now: number): boolean {
    const cap = route.channel.ratePerMinute;
    const b = this.buckets.get(route.name) ?? { tokens: cap, atMs: now };
    b.tokens = Math.min(cap, b.tokens + ((now - b.atMs) * cap) / 60_000);
    b.atMs = now;
    this.buckets.set(route.name, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Delay before the next attempt: Retry-After when the receiver sent one, else exponential with equal jitter. */
  backoffMs(attempts: number, retryAfterMs: number | null): number {
    const { backoffBaseMs, backoffMaxMs } = this.deps.config.alerts;
    if (retryAfterMs !== null) return retryAfterMs + Math.floor(this.random() * Math.min(1000, backoffBaseMs));
    const exp = Math.min(backoffMaxMs, backoffBaseMs * 2 ** Math.max(0, attempts - 1));
    return Math.floor(exp / 2 + this.random() * (exp / 2));
  }

  /** Sends every due delivery once (one process at a time across the cluster). */
  deliverDue(signal?: AbortSignal): Promise<void> {
    const run = this.deps.state
      .withLock('alerts-deliver', () => this.deliverDueLocked(signal ?? this.abort.signal), {
        ttlMs: 120_000,
        waitMs: 1000,
      })
      .catch((err: Error) => {
        if (err.name !== 'LockTimeoutError') throw err;
      });
    this.delivering = run.finally(() => {
      if (this.delivering === run) this.delivering = null;
    });
    return run;
  }

  private async deliverDueLocked(signal: AbortSignal): Promise<void> {
    const { alertStore: store } = this.deps;
    const due = await store.due<Delivery>(NS.outbox, this.now(), 100);
    const startedAt = Date.now();
    for (const { doc: d } of due) {
      // Stay well inside the lock's 120 s TTL (slow receivers time out at channel.timeoutMs each); the rest is
      // still due at the next tick.
      if (signal.aborted || Date.now() - startedAt > 60_000) return;
      const route = this.routes.find((r) => r.name === d.route);
      if (!route) {
        await this.deadLetter(d, 'route-removed', null, 'unknown');
        continue;
      }
      // Versions go out in order: a follow-up waits while the previous version of its cluster is still pending.
      if (
        d.clusterId &&
        d.version > 1 &&
        (await store.get(NS.outbox, idempotencyKey(d.clusterId, d.route, d.version - 1)))
      )
        continue;
      const now = this.now();
      if (!this.takeToken(route, now)) continue; // stays due; the channel's rate limit delays, it does not drop
      const notifier = this.notifier(route);
      const threadKey = d.clusterId ? `${d.clusterId}|${d.route}` : null;
      const thread = threadKey
        ? ((await store.get<ThreadDoc>(NS.thread, threadKey)) ?? { thread: null, sentVersion: 0 })
        : null;
      let message = d.message;
      if (!message && d.clusterId) {
        const subject = await store.get<SubjectDoc>(NS.subject, d.clusterId);
        if (!subject) {
          await this.deadLetter(d, 'cluster-gone', null, notifier.format);
          continue;
        }
        // Without threads a follow-up must say "update" in its title; with threads it still does (it is one).
        message =
          d.kind === 'resolved'
            ? buildResolvedMessage(subject.cluster, {
                why: d.why ?? 'closed',
                lang: route.language,
                triageUrlTemplate: this.deps.config.alerts.triageUrlTemplate,
                platforms: subject.platforms,
              })
            : buildAlertMessage(subject.cluster, {
                lang: route.language,
                kind: d.kind === 'update' ? 'update' : 'new',
                changes: d.changes,
                triageUrlTemplate: this.deps.config.alerts.triageUrlTemplate,
                platforms: subject.platforms,
              });
      }
      if (!message) {
        await this.deadLetter(d, 'no-content', null, notifier.format);
        continue;
      }
      try {
        const res = await notifier.send(
          { message, idempotencyKey: d.key, route: d.route, version: d.version, thread: thread?.thread ?? null },
          signal,
        );
        // Sent = gone from the outbox, and (for cluster alerts) the thread's sentVersion; one transaction.
        const ops: AlertStoreOp[] = [{ op: 'del', ns: NS.outbox, key: d.key }];
        if (threadKey)
          ops.push({
            op: 'put',
            ns: NS.thread,
            key: threadKey,
            doc: {
              thread: thread?.thread ?? res.threadRef,
              sentVersion: Math.max(thread?.sentVersion ?? 0, d.version),
            } satisfies ThreadDoc,
          });
        await store.apply(ops);
        this.m.sent.inc({ channel: notifier.format, kind: d.kind });
        this.m.latency.observe({ channel: notifier.format }, Math.max(0, this.now() - d.firstDueMs) / 1000);
      } catch (err) {
        const e =
          err instanceof DeliveryError ? err : new DeliveryError((err as Error).message, false, null, null, err);
        const attempts = d.attempts + 1;
        if (e.retriable && attempts < this.deps.config.alerts.maxAttempts && !signal.aborted) {
          const delay = this.backoffMs(attempts, e.retryAfterMs);
          await store.apply([
            {
              op: 'put',
              ns: NS.outbox,
              key: d.key,
              doc: { ...d, attempts, lastError: e.message } satisfies Delivery,
              dueMs: this.now() + delay,
            },
          ]);
          this.m.failed.inc({ channel: notifier.format, outcome: 'retry' });
          this.log.warn(
            { route: d.route, key: d.key, attempts, delayMs: delay, status: e.status, err: e.message },
            'Alert delivery failed; will retry.',
          );
        } else if (e.retriable && signal.aborted) {
          // Stopping: leave it due; the next start sends it.
        } else {
          await this.deadLetter(
            { ...d, attempts },
            e.retriable ? `gave up after ${attempts} attempts: ${e.message}` : e.message,
            e.status,
            notifier.format,
          );
        }
      }
    }
  }

  private async deadLetter(d: Delivery, reason: string, status: number | null, channel: string): Promise<void> {
    // The reason may quote the receiver's answer or a hostile cluster's text: redacted like every dead letter.
    const dead: DeadDelivery = { delivery: d, reason: redactDetail(reason, 500), status, atMs: this.now() };
    await this.deps.alertStore.apply([
      { op: 'del', ns: NS.outbox, key: d.key },
      { op: 'put', ns: NS.dead, key: d.key, doc: dead },
    ]);
    this.m.failed.inc({ channel, outcome: 'dead_letter' });
    this.log.error(
      { route: d.route, key: d.key, reason: dead.reason, status },
      'Alert delivery given up; it is on the dead-letter list.',
    );
  }

  // -------------------------------------------------------------------------------------------------------------
  // Digests, silences, inspection

  /** Enqueues the digests that are due (digest mode, end of quiet hours, rate-limited clusters). */
  async checkDigests(): Promise<void> {
    const { alertStore: store } = this.deps;
    const now = this.now();
    for (const route of this.routes) {
      const rule = this.rules.find((r) => r.name === route.name)!;
      const last = await store.get<{ lastAtMs: number }>(NS.digest, route.name);
      if (!last) {
        await store.apply([{ op: 'put', ns: NS.digest, key: route.name, doc: { lastAtMs: now } }]);
        continue;
      }
      const held = await store.list<DigestItem>(NS.held(route.name));
      if (!digestDue(rule, last.lastAtMs, held.length, now)) continue;
      const ops: AlertStoreOp[] = [{ op: 'put', ns: NS.digest, key: route.name, doc: { lastAtMs: now } }];
      if (held.length > 0) {
        const digest = buildDigest(
          held.map((h) => h.doc),
          Math.min(last.lastAtMs, ...held.map((h) => h.doc.atMs)),
          now + 1,
        );
        const message = buildDigestMessage(digest, route.language, this.deps.config.alerts.triageUrlTemplate);
        const key = `digest:${route.name}:${now}`;
        const delivery: Delivery = {
          key,
          route: route.name,
          clusterId: null,
          version: 1,
          kind: 'digest',
          changes: [],
          message,
          attempts: 0,
          firstDueMs: now,
        };
        ops.push({ op: 'put', ns: NS.outbox, key, doc: delivery, dueMs: now });
        for (const h of held) ops.push({ op: 'del', ns: NS.held(route.name), key: h.key });
      }
      await store.apply(ops);
    }
  }

  /** Adds a silence; returns it. */
  addSilence(s: Omit<Silence, 'id'> & { id?: string }): Promise<Silence> {
    return addSilence(this.deps.alertStore, s);
  }

  /** Active and expired silences. */
  listSilences(): Promise<Silence[]> {
    return listSilences(this.deps.alertStore);
  }

  /** Ends a silence now; false when there is none with that id. */
  async expireSilence(id: string): Promise<boolean> {
    return (await expireSilence(this.deps.alertStore, id, this.now())) !== null;
  }

  /** The dead-letter list. */
  async deadLetters(): Promise<DeadDelivery[]> {
    return (await this.deps.alertStore.list<DeadDelivery>(NS.dead)).map((e) => e.doc);
  }

  /** The message each route would send for this cluster as a new alert (no state is read or written). */
  preview(cluster: Cluster, platforms: string[] = []): Array<{ route: string; format: string; message: AlertMessage }> {
    return this.routes.map((r) => ({
      route: r.name,
      format: r.channel.format,
      message: buildAlertMessage(cluster, {
        lang: r.language,
        kind: 'new',
        changes: [],
        triageUrlTemplate: this.deps.config.alerts.triageUrlTemplate,
        platforms,
      }),
    }));
  }

  /** Sends a test message on a route, once, bypassing the outbox; throws DeliveryError or ChannelConfigError. */
  async sendTest(routeName: string): Promise<void> {
    const route = this.routes.find((r) => r.name === routeName);
    if (!route) throw new Error(`no alert route "${routeName}" (routes: ${this.routeNames().join(', ') || 'none'})`);
    await this.notifier(route).send({
      message: buildTestMessage(route.name, route.language),
      idempotencyKey: `test:${route.name}:${randomUUID()}`,
      route: route.name,
      version: 1,
      thread: null,
    });
  }
}

/** Suppress reasons, re-exported for the CLI and docs. */
export type { SuppressReason };
