// `mid alerts`: test a route, preview what a cluster's alert would look like, manage silences, list the dead-letter
// list. Uses the configured alert store (SQLite in dataDir, or Redis in cluster mode), so a silence added here is
// seen by the running alerts worker.
import { createSignalStore, createStateStore } from '../adapters/create-adapters.ts';
import { createAlertStore } from '../adapters/create-alert-store.ts';
import { MemoryBus } from '../adapters/memory-bus.ts';
import { MemoryScheduler } from '../adapters/memory-scheduler.ts';
import { SILENCE_FIELDS, SilenceInputError, silenceMatchers } from '../alert-silences.ts';
import { AlertsWorker } from '../alerts-worker.ts';
import { alertPlainText, buildAlertMessage } from '../../pipelines/alert-message.ts';
import { redactDetail } from '../../pipelines/redact.ts';
import type { Silence } from '../../pipelines/alert-rules.ts';
import { ConfigError, loadConfig } from '../config.ts';
import type { Config } from '../config.ts';
import { createLogger } from '../logger.ts';
import { createMetrics } from '../metrics.ts';
import { jsonPayload } from '../notifiers/json-webhook.ts';
import { matrixContent } from '../notifiers/matrix.ts';
import { slackPayload } from '../notifiers/slack.ts';
import { teamsPayload } from '../notifiers/teams.ts';
import { parseArgs, str } from './args.ts';

/** One line for `mid help`. */
export const summary =
  'alerts: test --route NAME | preview --cluster ID | silence add|list|expire | dead [--config file.json]';

const USAGE = `usage:
  mid alerts test --route NAME                 send a test message on a route
  mid alerts preview --cluster ID [--format F] print what each route would send (F: text|slack|teams|matrix|json)
  mid alerts silence add --comment TEXT [--by NAME] [--hours N | --until ISO]
                         [--cluster ID,..] [--kind K,..] [--keyword W,..] [--hashtag H,..] [--domain D,..]
                         [--language L,..] [--platform P,..] [--route R,..]
  mid alerts silence list
  mid alerts silence expire ID
  mid alerts dead                              the dead-letter list
common: --config file.json`;

function list(flags: Record<string, string | true>, name: string): string[] {
  const v = str(flags, name);
  return v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}

function worker(config: Config): AlertsWorker {
  const logger = createLogger('warn');
  return new AlertsWorker({
    config,
    bus: new MemoryBus(),
    scheduler: new MemoryScheduler(),
    state: createStateStore(config),
    logger,
    metrics: createMetrics(),
    alertStore: createAlertStore(config),
    signalStore: null,
  });
}

/** Runs the command. */
export async function run(args: string[]): Promise<number> {
  const { flags, positional } = parseArgs(args);
  const [sub, action, arg] = positional;
  let config: Config;
  try {
    config = loadConfig({ file: str(flags, 'config') });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`mid alerts: ${err.problems.join('\n  ')}\n`);
      return 2;
    }
    throw err;
  }
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const w = worker(config);
  const store = createAlertStore(config);
  try {
    if (sub === 'test') {
      const route = str(flags, 'route');
      if (!route) {
        process.stderr.write(`${USAGE}\n`);
        return 2;
      }
      try {
        await w.sendTest(route);
      } catch (err) {
        process.stderr.write(`mid alerts test: ${(err as Error).message}\n`);
        return 1;
      }
      out(`Test message sent on route "${route}".`);
      return 0;
    }
    if (sub === 'preview') {
      const id = str(flags, 'cluster');
      if (!id) {
        process.stderr.write(`${USAGE}\n`);
        return 2;
      }
      const signals = createSignalStore(config);
      await signals.start();
      try {
        const cluster = (await signals.listClusters({ limit: 100_000 })).find((c) => c.id === id);
        if (!cluster) {
          process.stderr.write(`mid alerts preview: no cluster "${id}" in the signal store\n`);
          return 1;
        }
        const format = str(flags, 'format') ?? 'text';
        let previews = w.preview(cluster);
        if (previews.length === 0) {
          out('(no alert routes configured: showing the default Dutch message)');
          previews = [
            {
              route: 'default',
              format: format,
              message: buildAlertMessage(cluster, {
                lang: 'nl',
                kind: 'new',
                changes: [],
                triageUrlTemplate: config.alerts.triageUrlTemplate,
              }),
            },
          ];
        }
        for (const p of previews) {
          out(`--- route ${p.route} (${p.format})`);
          const req = {
            message: p.message,
            idempotencyKey: `${id}:${p.route}:v1`,
            route: p.route,
            version: 1,
            thread: null,
          };
          if (format === 'slack') out(JSON.stringify(slackPayload(p.message), null, 2));
          else if (format === 'teams') out(JSON.stringify(teamsPayload(p.message), null, 2));
          else if (format === 'matrix') out(JSON.stringify(matrixContent(p.message, null), null, 2));
          else if (format === 'json') out(JSON.stringify(jsonPayload(req), null, 2));
          else out(alertPlainText(p.message));
        }
        return 0;
      } finally {
        await signals.stop();
      }
    }
    if (sub === 'silence' || sub === 'dead') {
      await store.start();
      const sw = new AlertsWorker({
        config,
        bus: new MemoryBus(),
        scheduler: new MemoryScheduler(),
        state: createStateStore(config),
        logger: createLogger('warn'),
        metrics: createMetrics(),
        alertStore: store,
        signalStore: null,
      });
      if (sub === 'dead') {
        for (const d of await sw.deadLetters())
          out(
            `${new Date(d.atMs).toISOString()}  ${d.delivery.key}  route=${d.delivery.route}  attempts=${d.delivery.attempts}  ${redactDetail(d.reason, 500)}`, // stored before redaction, or not: never raw to a terminal
          );
        return 0;
      }
      if (action === 'list') {
        const now = Date.now();
        for (const s of await sw.listSilences()) {
          out(
            `${s.id}  ${now < s.expiresAtMs ? 'active ' : 'expired'}  until ${new Date(s.expiresAtMs).toISOString()}  by ${s.createdBy}  ${JSON.stringify(s.matchers)}${s.routes.length ? ` routes=${s.routes.join(',')}` : ''}  "${s.comment}"`,
          );
        }
        return 0;
      }
      if (action === 'expire') {
        if (!arg) {
          process.stderr.write(`${USAGE}\n`);
          return 2;
        }
        if (!(await sw.expireSilence(arg))) {
          process.stderr.write(`mid alerts silence expire: no silence "${arg}"\n`);
          return 1;
        }
        out(`Silence ${arg} expired.`);
        return 0;
      }
      if (action === 'add') {
        const comment = str(flags, 'comment');
        const now = Date.now();
        const until = str(flags, 'until');
        const hours = Number(str(flags, 'hours') ?? '4');
        const expiresAtMs = until ? Date.parse(until) : now + hours * 3_600_000;
        if (!comment || !Number.isFinite(expiresAtMs) || expiresAtMs <= now) {
          process.stderr.write(
            `mid alerts silence add: needs --comment and a future --until or positive --hours\n${USAGE}\n`,
          );
          return 2;
        }
        let matchers: Silence['matchers'];
        try {
          // The same fields and parsing as the triage application's /silences form.
          matchers = silenceMatchers(Object.fromEntries(SILENCE_FIELDS.map((f) => [f, str(flags, f)])));
        } catch (err) {
          if (!(err instanceof SilenceInputError)) throw err;
          process.stderr.write(`mid alerts silence add: ${err.message}\n`);
          return 2;
        }
        const s = await sw.addSilence({
          matchers,
          routes: list(flags, 'route'),
          createdBy: str(flags, 'by') ?? process.env.USER ?? 'unknown',
          comment,
          startsAtMs: now,
          expiresAtMs,
        });
        out(`Silence ${s.id} added until ${new Date(s.expiresAtMs).toISOString()}.`);
        return 0;
      }
    }
    process.stderr.write(`${USAGE}\n`);
    return 2;
  } finally {
    await store.stop();
  }
}
