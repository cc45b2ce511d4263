// Matrix room message through the client-server API: PUT /_matrix/client/v3/rooms/{roomId}/send/m.room.message/
// {txnId} with the access token as a bearer token. The txnId is the idempotency key, so a repeat after a restart is
// the same event for the homeserver (it dedupes per access token). Follow-ups are thread replies (rel_type
// m.thread) under the first alert's event, with the reply fallback for clients without threads; a follow-up or a
// "resolved" notice then also edits the first alert (rel_type m.replace, txnId `<key>:edit`), so the room's
// timeline shows each cluster's latest state while the thread keeps its history.
import { alertPlainText } from '../../pipelines/alert-message.ts';
import type { AlertMessage } from '../../pipelines/alert-message.ts';
import { DeliveryError, httpSend } from './notifier.ts';
import type { DeliveryRequest, DeliveryResult, Notifier } from './notifier.ts';

/** Escapes text for Matrix's HTML subset. */
export function htmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The HTML body of a message (also used by e-mail). */
export function alertHtml(m: AlertMessage): string {
  const e = htmlEscape;
  const out = [`<h3>${e(m.title)}</h3>`];
  if (m.facts.length) out.push(`<p>${m.facts.map((f) => `<b>${e(f.label)}</b>: ${e(f.value)}`).join(' · ')}</p>`);
  if (m.changes.length) out.push(`<p><b>${e(m.headings.changes)}</b>: ${e(m.changes.join(', '))}</p>`);
  if (m.reasons.length)
    out.push(`<p><b>${e(m.headings.reasons)}</b></p><ul>${m.reasons.map((r) => `<li>${e(r)}</li>`).join('')}</ul>`);
  if (m.lines.length)
    out.push(
      `<p><b>${e(m.headings.reasons)}</b></p><ol>${m.lines.map((r) => `<li>${e(r.replace(/^\d+\.\s*/, ''))}</li>`).join('')}</ol>`,
    );
  if (m.sample)
    out.push(
      m.kind === 'test'
        ? `<p>${e(m.sample)}</p>`
        : `<p><b>${e(m.headings.sample)}</b></p><blockquote>${e(m.sample)}</blockquote>`,
    );
  if (m.links.length)
    out.push(
      `<p><b>${e(m.headings.links)}</b></p><ul>${m.links.map((l) => `<li><a href="${e(l.url)}">${e(l.domain)}</a></li>`).join('')}</ul>`,
    );
  if (m.factchecks.length)
    out.push(
      `<p><b>${e(m.headings.factchecks)}</b></p><ul>${m.factchecks.map((f) => `<li><a href="${e(f.url)}">${e(f.publisher)}</a></li>`).join('')}</ul>`,
    );
  if (m.triageUrl) out.push(`<p><a href="${e(m.triageUrl)}">${e(m.headings.triage)}</a></p>`);
  out.push(`<p><i>${e(m.disclaimer)}</i></p>`);
  return out.join('');
}

/** The m.room.message content; with `threadRoot` a thread reply. */
export function matrixContent(m: AlertMessage, threadRoot: string | null): Record<string, unknown> {
  const content: Record<string, unknown> = {
    msgtype: 'm.text',
    body: alertPlainText(m),
    format: 'org.matrix.custom.html',
    formatted_body: alertHtml(m),
  };
  if (threadRoot)
    content['m.relates_to'] = {
      rel_type: 'm.thread',
      event_id: threadRoot,
      is_falling_back: true,
      'm.in_reply_to': { event_id: threadRoot },
    };
  return content;
}

/** The content of an edit (m.replace) of event `original` to show message `m`. */
export function matrixEditContent(m: AlertMessage, original: string): Record<string, unknown> {
  const fresh = matrixContent(m, null);
  return {
    msgtype: 'm.text',
    body: `* ${fresh.body as string}`,
    format: 'org.matrix.custom.html',
    formatted_body: `* ${fresh.formatted_body as string}`,
    'm.new_content': fresh,
    'm.relates_to': { rel_type: 'm.replace', event_id: original },
  };
}

/** Options of {@link MatrixNotifier}. */
export interface MatrixNotifierOptions {
  homeserverUrl: string;
  roomId: string;
  accessToken: string;
  timeoutMs: number;
}

/** Matrix room messages. */
export class MatrixNotifier implements Notifier {
  readonly format = 'matrix' as const;
  readonly threads = true;
  constructor(private readonly o: MatrixNotifierOptions) {}

  async send(r: DeliveryRequest, signal?: AbortSignal): Promise<DeliveryResult> {
    const text = await this.put(r.idempotencyKey, matrixContent(r.message, r.thread), signal);
    if (r.thread && (r.message.kind === 'update' || r.message.kind === 'resolved'))
      await this.put(`${r.idempotencyKey}:edit`, matrixEditContent(r.message, r.thread), signal);
    let eventId: unknown;
    try {
      eventId = (JSON.parse(text) as { event_id?: unknown }).event_id;
    } catch {
      eventId = undefined;
    }
    if (typeof eventId !== 'string') throw new DeliveryError('homeserver answered without an event_id', true);
    return { threadRef: r.thread ?? eventId };
  }

  /** One room message with its transaction id (the homeserver dedupes a repeat). */
  private put(txnId: string, content: Record<string, unknown>, signal?: AbortSignal): Promise<string> {
    const base = this.o.homeserverUrl.replace(/\/+$/, '');
    const url = `${base}/_matrix/client/v3/rooms/${encodeURIComponent(this.o.roomId)}/send/m.room.message/${encodeURIComponent(txnId)}`;
    return httpSend(url, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.o.accessToken}` },
      body: JSON.stringify(content),
      timeoutMs: this.o.timeoutMs,
      signal,
    });
  }
}
