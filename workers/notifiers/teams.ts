// Microsoft Teams through a Workflows ("When a Teams webhook request is received") webhook: a message with one
// Adaptive Card attachment. Workflows webhooks cannot thread, so a follow-up is a new card titled "Update".
import type { AlertMessage } from '../../pipelines/alert-message.ts';
import { httpSend } from './notifier.ts';
import type { DeliveryRequest, DeliveryResult, Notifier } from './notifier.ts';

/** The Adaptive Card (schema 1.4) for a message. */
export function adaptiveCard(m: AlertMessage): Record<string, unknown> {
  const body: Array<Record<string, unknown>> = [
    { type: 'TextBlock', text: m.title, weight: 'Bolder', size: 'Medium', wrap: true, style: 'heading' },
  ];
  if (m.facts.length) body.push({ type: 'FactSet', facts: m.facts.map((f) => ({ title: f.label, value: f.value })) });
  const heading = (t: string) =>
    body.push({ type: 'TextBlock', text: t, weight: 'Bolder', wrap: true, spacing: 'Medium' });
  const para = (t: string, extra: Record<string, unknown> = {}) =>
    body.push({ type: 'TextBlock', text: t, wrap: true, ...extra });
  if (m.changes.length) para(`${m.headings.changes}: ${m.changes.join(', ')}`);
  if (m.reasons.length) {
    heading(m.headings.reasons);
    para(m.reasons.map((r) => `- ${r}`).join('\n'));
  }
  if (m.lines.length) {
    heading(m.headings.reasons);
    para(m.lines.join('\n\n'));
  }
  if (m.sample) {
    if (m.kind !== 'test') heading(m.headings.sample);
    para(m.sample, { isSubtle: m.kind !== 'test' });
  }
  if (m.links.length) {
    heading(m.headings.links);
    para(m.links.map((l) => `- [${l.domain}](${l.url})`).join('\n'));
  }
  if (m.factchecks.length) {
    heading(m.headings.factchecks);
    para(m.factchecks.map((f) => `- [${f.publisher}](${f.url})`).join('\n'));
  }
  para(m.disclaimer, { isSubtle: true, size: 'Small', spacing: 'Medium' });
  const card: Record<string, unknown> = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body,
  };
  if (m.triageUrl) card.actions = [{ type: 'Action.OpenUrl', title: m.headings.triage, url: m.triageUrl }];
  return card;
}

/** The Workflows webhook body: a message with the card as its one attachment. */
export function teamsPayload(m: AlertMessage): Record<string, unknown> {
  return {
    type: 'message',
    attachments: [
      { contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: adaptiveCard(m) },
    ],
  };
}

/** Options of {@link TeamsNotifier}. */
export interface TeamsNotifierOptions {
  url: string;
  timeoutMs: number;
}

/** Teams Workflows webhook. */
export class TeamsNotifier implements Notifier {
  readonly format = 'teams' as const;
  readonly threads = false;
  constructor(private readonly o: TeamsNotifierOptions) {}

  async send(r: DeliveryRequest, signal?: AbortSignal): Promise<DeliveryResult> {
    await httpSend(this.o.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(teamsPayload(r.message)),
      timeoutMs: this.o.timeoutMs,
      signal,
    });
    return { threadRef: null };
  }
}
