// Builds the notifier for a route's channel config. Its URL and secrets come from the config (the loader copied the
// named environment variables into `urlValue` / `secretValue`) or from the files the config names.
import type { z } from 'zod';
import type { AlertsConfig, channelSchema } from '../alerts-config.ts';
import { EmailNotifier } from './email.ts';
import { JsonWebhookNotifier } from './json-webhook.ts';
import { MatrixNotifier } from './matrix.ts';
import { ChannelConfigError, readSecret } from './notifier.ts';
import type { Notifier } from './notifier.ts';
import { SlackBotNotifier, SlackNotifier } from './slack.ts';
import type { ChatButtons } from './slack.ts';
import { TeamsNotifier } from './teams.ts';

/** A channel's validated config. */
export type ChannelConfig = z.infer<typeof channelSchema>;
/** The `alerts.interactive` section. */
export type InteractiveConfig = AlertsConfig['interactive'];

/** Buttons for a Slack-compatible channel when the matching secret (and, for Mattermost, the action URL) is set. */
function chatButtons(format: 'slack' | 'mattermost', i: InteractiveConfig | undefined): ChatButtons | null {
  if (format === 'slack') return i?.slackSigningSecret ? { kind: 'slack' } : null;
  return i?.mattermostSecret && i.actionUrl
    ? { kind: 'mattermost', actionUrl: i.actionUrl, secret: i.mattermostSecret }
    : null;
}

function httpUrl(u: string, what: string): string {
  let p: URL;
  try {
    p = new URL(u);
  } catch {
    throw new ChannelConfigError(`${what} is not a URL`);
  }
  if (p.protocol !== 'https:' && p.protocol !== 'http:') throw new ChannelConfigError(`${what} must be http(s)`);
  return u;
}

/** The notifier for a channel; throws {@link ChannelConfigError} naming what is missing (never a secret value). */
export function createNotifier(route: string, c: ChannelConfig, interactive?: InteractiveConfig): Notifier {
  const where = `alerts route "${route}"`;
  const url = readSecret(c.urlValue, c.urlFile) ?? c.url ?? null;
  const need = (v: string | null, what: string): string => {
    if (!v) throw new ChannelConfigError(`${where}: ${what} is not set`);
    return v;
  };
  switch (c.format) {
    case 'slack':
    case 'mattermost': {
      const botToken = readSecret(c.botTokenValue, c.botTokenFile);
      if (botToken || c.channelId) {
        if (c.format === 'mattermost')
          throw new ChannelConfigError(`${where}: botTokenEnv/channelId are for Slack; Mattermost uses the webhook`);
        return new SlackBotNotifier({
          apiUrl: httpUrl(c.slackApiUrl, `${where}: slackApiUrl`),
          token: need(botToken, 'the bot token (botTokenEnv or botTokenFile)'),
          channel: need(c.channelId ?? null, 'channelId'),
          timeoutMs: c.timeoutMs,
          buttons: chatButtons('slack', interactive),
        });
      }
      return new SlackNotifier({
        url: httpUrl(need(url, 'the webhook URL (urlEnv or urlFile)'), `${where}: webhook URL`),
        timeoutMs: c.timeoutMs,
        format: c.format,
        buttons: chatButtons(c.format, interactive),
      });
    }
    case 'teams':
      return new TeamsNotifier({
        url: httpUrl(need(url, 'the Workflows webhook URL (urlEnv or urlFile)'), `${where}: webhook URL`),
        timeoutMs: c.timeoutMs,
      });
    case 'matrix':
      return new MatrixNotifier({
        homeserverUrl: httpUrl(need(url, 'the homeserver URL'), `${where}: homeserver URL`),
        roomId: need(c.roomId ?? null, 'roomId'),
        accessToken: need(readSecret(c.secretValue, c.secretFile), 'the access token (secretEnv or secretFile)'),
        timeoutMs: c.timeoutMs,
      });
    case 'json':
      return new JsonWebhookNotifier({
        url: httpUrl(need(url, 'the webhook URL'), `${where}: webhook URL`),
        secret: readSecret(c.secretValue, c.secretFile),
        timeoutMs: c.timeoutMs,
      });
    case 'email':
      if (c.to.length === 0) throw new ChannelConfigError(`${where}: no recipients (to)`);
      return new EmailNotifier({
        smtpUrl: need(url, 'the smtp:// URL (urlEnv or urlFile)'),
        from: need(c.from ?? null, 'from'),
        to: c.to,
        timeoutMs: c.timeoutMs,
      });
  }
}
