// Telegram connector for public channels through the web preview `https://t.me/s/<channel>` (no login, no API
// key). A page shows the latest ~20 messages; `?before=<n>` pages back. The cursor is the highest message number
// seen; a fetch pages back until it reaches the cursor or `maxPages`. The message text is `.js-message_text` of the
// message itself (never the quoted reply); views like "6.74K" become 6740; a forwarded message becomes a repost of
// the original (`telegram:<channel>/<n>`) when the preview links it.
import * as DomUtils from 'domutils';
import { ElementType } from 'htmlparser2';
import type { AnyNode, Element } from 'domhandler';
import { z } from 'zod';
import type { NormalizedAuthor, NormalizedPost } from '../pipelines/types.ts';
import { ConnectorError, excerpt, toIsoDate } from './connector.ts';
import type { Connector, ConnectorFailure, ConnectorItem, FetchOptions, FetchResult } from './connector.ts';
import type { HttpClient } from './http-client.ts';
import { nodesToText, parseHtml, tidyText } from './html-text.ts';

/** Config of one public Telegram channel source. */
export const telegramSourceSchema = z.object({
  kind: z.literal('telegram'),
  name: z.string().min(1).describe('Unique source name.'),
  enabled: z.boolean().default(true).describe('Poll this source. Default true.'),
  channel: z
    .string()
    .regex(/^[A-Za-z0-9_]{4,64}$/, 'public channel username')
    .describe('Channel username, without @.'),
  baseUrl: z.string().url().default('https://t.me').describe('Web preview host. Default https://t.me.'),
  maxPages: z.number().int().min(1).default(3).describe('Pages (about 20 messages each) read per fetch. Default 3.'),
});

/** Validated Telegram source config. */
export type TelegramSource = z.infer<typeof telegramSourceSchema>;

/** A parsed t.me/s page. */
export interface TelegramPage {
  channel: string | null;
  posts: NormalizedPost[];
  failed: ConnectorFailure[];
  /** Message numbers on the page, including failed ones (for paging). */
  numbers: number[];
  /** The `before` value of the "load older" link, if any. */
  before: number | null;
}

function hasClass(el: Element, cls: string): boolean {
  return ` ${el.attribs.class ?? ''} `.includes(` ${cls} `);
}

function byClass(cls: string, root: AnyNode | AnyNode[]): Element[] {
  return DomUtils.findAll((el) => hasClass(el, cls), Array.isArray(root) ? root : [root]);
}

function firstByClass(cls: string, root: AnyNode | AnyNode[]): Element | null {
  return DomUtils.findOne((el) => hasClass(el, cls), Array.isArray(root) ? root : [root], true);
}

function isInside(el: AnyNode, ancestorClass: string, stop: AnyNode): boolean {
  for (let p = el.parent; p && p !== stop; p = p.parent)
    if (p.type === ElementType.Tag && hasClass(p as Element, ancestorClass)) return true;
  return false;
}

/** Parses a view or subscriber count like "6.74K", "1.2M", "905" or "12 345" into a number. */
export function parseTelegramCount(s: string | null | undefined): number | null {
  if (!s) return null;
  const m = /^([\d.,\s]+)\s*([KMB])?$/i.exec(s.trim());
  if (!m) return null;
  const num = Number(m[1]!.replace(/[\s,]/g, ''));
  if (!Number.isFinite(num)) return null;
  const mult = { K: 1e3, M: 1e6, B: 1e9 }[(m[2] ?? '').toUpperCase() as 'K' | 'M' | 'B'] ?? 1;
  return Math.round(num * mult);
}

/** `https://t.me/name/123` (or `/s/name/123`) → `telegram:name/123`; null for other links. */
export function telegramIdFromUrl(href: string | undefined): string | null {
  if (!href) return null;
  const m = /^https?:\/\/(?:www\.)?(?:t\.me|telegram\.me)\/(?:s\/)?([A-Za-z0-9_]+)\/(\d+)/.exec(href);
  return m ? `telegram:${m[1]!.toLowerCase()}/${m[2]}` : null;
}

function text(el: Element | null): string | null {
  if (!el) return null;
  const t = tidyText(DomUtils.textContent(el));
  return t || null;
}

/** Parses a saved or fetched t.me/s page. Pure; never throws on bad HTML (missing parts become failures). */
export function parseTelegramPage(html: string, channelHint?: string): TelegramPage {
  const doc = parseHtml(html, { decodeEntities: true });
  const failed: ConnectorFailure[] = [];
  const posts: NormalizedPost[] = [];
  const numbers: number[] = [];
  // Channel-level facts shared by every message of the page.
  const info = firstByClass('tgme_channel_info', doc);
  let followers: number | null = null;
  if (info) {
    for (const counter of byClass('tgme_channel_info_counter', info)) {
      const type = text(firstByClass('counter_type', counter));
      if (type && /subscriber|member/i.test(type))
        followers = parseTelegramCount(text(firstByClass('counter_value', counter)));
    }
  }
  const title = text(firstByClass('tgme_channel_info_header_title', doc));
  const more = DomUtils.findOne(
    (el) => hasClass(el, 'js-messages_more') && !!el.attribs['data-before'],
    doc.children,
    true,
  );
  const before = more ? Number(more.attribs['data-before']) : null;
  let channel = channelHint?.toLowerCase() ?? null;
  for (const msg of byClass('tgme_widget_message', doc)) {
    if (!msg.attribs['data-post']) continue; // the class also marks inner wrappers in some layouts
    const m = /^([A-Za-z0-9_]+)\/(\d+)$/.exec(msg.attribs['data-post']);
    if (!m) {
      failed.push({ reason: 'message has an unreadable data-post attribute', raw: excerpt(msg.attribs['data-post']) });
      continue;
    }
    const ch = m[1]!.toLowerCase();
    const n = Number(m[2]);
    channel ??= ch;
    numbers.push(n);
    const id = `telegram:${ch}/${n}`;
    const timeEl =
      DomUtils.findOne(
        (el) => el.name === 'time' && !!el.attribs.datetime && isInside(el, 'tgme_widget_message_date', msg),
        [msg],
        true,
      ) ??
      DomUtils.findOne(
        (el) => el.name === 'time' && !!el.attribs.datetime && !isInside(el, 'tgme_widget_message_reply', msg),
        [msg],
        true,
      );
    const createdAt = toIsoDate(timeEl?.attribs.datetime);
    if (!createdAt) {
      failed.push({ reason: `message ${id} has no date`, raw: excerpt(DomUtils.getOuterHTML(msg)) });
      continue;
    }
    const textEl = DomUtils.findOne(
      (el) => hasClass(el, 'js-message_text') && !isInside(el, 'tgme_widget_message_reply', msg),
      [msg],
      true,
    );
    const links: string[] = [];
    const hashtags: string[] = [];
    let body = '';
    if (textEl) {
      body = tidyText(nodesToText(textEl.children, links));
      for (const a of DomUtils.findAll((el) => el.name === 'a', [textEl])) {
        const href = a.attribs.href ?? '';
        if (href.startsWith('?q=')) {
          // hashtag search links
          const tag = decodeURIComponent(href.slice(3)).replace(/^#/, '');
          if (tag && !hashtags.includes(tag)) hashtags.push(tag);
        }
      }
    }
    const fwd = firstByClass('tgme_widget_message_forwarded_from_name', msg);
    const viewsEl = firstByClass('tgme_widget_message_views', msg);
    const owner = text(firstByClass('tgme_widget_message_owner_name', msg));
    const author: NormalizedAuthor = { id: `telegram:${ch}`, handle: ch, displayName: owner ?? title, followers };
    const reply = firstByClass('tgme_widget_message_reply', msg);
    const post: NormalizedPost = {
      id,
      source: 'telegram',
      url: `https://t.me/${ch}/${n}`,
      text: body,
      createdAt,
      lang: null,
      author,
      links,
      hashtags,
      replyTo: reply ? telegramIdFromUrl(reply.attribs.href) : null,
      repostOf: fwd ? telegramIdFromUrl(fwd.attribs.href) : null,
      quoteOf: null,
      views: parseTelegramCount(text(viewsEl)),
      forwardedFrom: fwd ? text(fwd) : null,
    };
    posts.push(post);
  }
  return { channel, posts, failed, numbers, before: before !== null && Number.isFinite(before) ? before : null };
}

/** Creates the Telegram connector for one channel. */
export function createTelegramConnector(source: TelegramSource, deps: { http: HttpClient }): Connector {
  const src = telegramSourceSchema.parse(source);
  const base = src.baseUrl.replace(/\/+$/, '');
  return {
    kind: 'telegram',
    name: src.name,
    async fetch({ cursor, signal }: FetchOptions): Promise<FetchResult> {
      const last = cursor === null ? null : Number(cursor);
      if (last !== null && !Number.isInteger(last))
        throw new ConnectorError(`telegram cursor "${excerpt(cursor, 40)}" is not a message number`, {
          retriable: false,
        });
      const items: ConnectorItem[] = [];
      const failed: ConnectorFailure[] = [];
      const warnings: string[] = [];
      const seen = new Set<string>();
      let highest = last;
      let before: number | null = null;
      for (let page = 0; page < src.maxPages; page++) {
        const url = `${base}/s/${encodeURIComponent(src.channel)}${before !== null ? `?before=${before}` : ''}`;
        const response = await deps.http.get(url, { signal, headers: { accept: 'text/html' } });
        const parsed = parseTelegramPage(response.body, src.channel);
        if (page === 0 && parsed.numbers.length === 0 && parsed.failed.length === 0) {
          if (!/tgme_channel_info|tgme_widget_message/.test(response.body)) {
            throw new ConnectorError(
              `t.me/s/${src.channel} shows no channel preview (private, renamed or preview disabled)`,
              { retriable: false },
            );
          }
          warnings.push(`t.me/s/${src.channel} has no messages`);
        }
        failed.push(...parsed.failed);
        for (const p of parsed.posts) {
          const n = Number(p.id.slice(p.id.lastIndexOf('/') + 1));
          if (last !== null && n <= last) continue;
          if (seen.has(p.id)) continue;
          seen.add(p.id);
          items.push({ type: 'post', post: p });
        }
        for (const n of parsed.numbers) if (highest === null || n > highest) highest = n;
        if (last === null) break; // first read: the newest page only
        const lowest = parsed.numbers.length ? Math.min(...parsed.numbers) : null;
        if (lowest === null || lowest <= last + 1) break; // reached what we already have
        before = parsed.before ?? lowest;
        if (page === src.maxPages - 1)
          warnings.push(
            `t.me/s/${src.channel}: more than ${src.maxPages} pages since the cursor; older messages skipped`,
          );
      }
      return { items, nextCursor: highest === null ? cursor : String(highest), failed, warnings };
    },
  };
}
