// RSS 2.0 and Atom connector for news sites and fact-checkers. Uses conditional GET (ETag / Last-Modified) and
// de-duplicates by guid (Atom: id). The connector stores nothing: validators and the guids of recent items travel in
// the cursor (a small JSON string the worker keeps). Items become posts (source "rss") or, for fact-checker feeds
// (`emit: "factcheck"`), normalized fact-checks whose claim is the article title.
import * as DomUtils from 'domutils';
import { ElementType } from 'htmlparser2';
import type { Element } from 'domhandler';
import { z } from 'zod';
import type { NormalizedFactCheck, NormalizedPost } from '../pipelines/types.ts';
import { ConnectorError, excerpt, toIsoDate } from './connector.ts';
import type { Connector, ConnectorFailure, ConnectorItem, FetchOptions, FetchResult } from './connector.ts';
import type { HttpClient } from './http-client.ts';
import { htmlToText, parseHtml } from './html-text.ts';
import { PermanentError } from '../pipelines/core/errors.ts';

/** Config of one RSS / Atom feed source. */
export const rssSourceSchema = z.object({
  kind: z.literal('rss'),
  name: z.string().min(1).describe('Unique source name, e.g. "nieuwscheckers".'),
  enabled: z.boolean().default(true).describe('Poll this source. Default true.'),
  url: z.string().url().describe('Feed URL (RSS 2.0 or Atom).'),
  emit: z
    .enum(['post', 'factcheck'])
    .default('post')
    .describe('Items become posts (news) or fact-checks (fact-checker feeds). Default post.'),
  publisher: z.string().optional().describe('Publisher name for fact-checks. Default: the feed title.'),
  lang: z.string().optional().describe('Language of the feed (BCP-47), when the feed does not declare one.'),
  rememberGuids: z
    .number()
    .int()
    .min(0)
    .default(500)
    .describe('Guids kept in the cursor for de-duplication. Default 500.'),
});

/** Validated RSS source config. */
export type RssSource = z.infer<typeof rssSourceSchema>;

/** One feed entry, format-neutral. */
export interface FeedEntry {
  guid: string | null;
  title: string;
  link: string | null;
  /** ISO date (published, else updated), or null. */
  date: string | null;
  /** Description / summary / content, as plain text. */
  text: string;
  links: string[];
  author: string | null;
  categories: string[];
}

/** A parsed feed. */
export interface ParsedFeed {
  format: 'rss' | 'atom';
  title: string | null;
  link: string | null;
  lang: string | null;
  entries: FeedEntry[];
}

/** Raised when a document is not an RSS or Atom feed. */
export class FeedParseError extends PermanentError {
  override name = 'FeedParseError';
}

function local(name: string): string {
  const i = name.indexOf(':');
  return (i >= 0 ? name.slice(i + 1) : name).toLowerCase();
}

function kids(el: Element, name: string): Element[] {
  return el.children.filter((c): c is Element => c.type === ElementType.Tag && local((c as Element).name) === name);
}

function kid(el: Element, ...names: string[]): Element | null {
  for (const n of names) {
    const k = kids(el, n)[0];
    if (k) return k;
  }
  return null;
}

/** The un-prefixed child `name` (RSS <link>, not <atom:link>), else any namespaced one. */
function plain(el: Element, name: string): Element | null {
  return kids(el, name).find((c) => c.name.toLowerCase() === name) ?? kid(el, name);
}

function textOf(el: Element | null): string {
  return el ? DomUtils.textContent(el).trim() : '';
}

/** Parses RSS 2.0 or Atom XML. Throws {@link FeedParseError} when it is neither. */
export function parseFeed(xml: string): ParsedFeed {
  const doc = parseHtml(xml, { xmlMode: true, decodeEntities: true });
  const root = doc.children.find((c): c is Element => c.type === ElementType.Tag);
  if (!root) throw new FeedParseError('document has no root element');
  const rootName = local(root.name);
  if (rootName === 'rss' || rootName === 'rdf') {
    const channel = kid(root, 'channel');
    if (!channel) throw new FeedParseError('RSS document has no <channel>');
    const itemsParent = rootName === 'rdf' ? root : channel; // RSS 1.0 puts items beside the channel
    return {
      format: 'rss',
      title: textOf(kid(channel, 'title')) || null,
      link: textOf(plain(channel, 'link')) || null,
      lang: textOf(kid(channel, 'language')) || null,
      entries: kids(itemsParent, 'item').map((item) => {
        const html = textOf(kid(item, 'encoded')) || textOf(kid(item, 'description'));
        const { text, links } = htmlToText(html);
        const link = textOf(plain(item, 'link')) || null;
        return {
          guid: textOf(kid(item, 'guid')) || link,
          title: htmlToText(textOf(kid(item, 'title'))).text,
          link,
          date: toIsoDate(textOf(kid(item, 'pubdate', 'date', 'published', 'updated'))),
          text,
          links,
          author: textOf(kid(item, 'creator', 'author')) || null,
          categories: kids(item, 'category')
            .map((c) => textOf(c))
            .filter(Boolean),
        };
      }),
    };
  }
  if (rootName === 'feed') {
    const alt = (el: Element): string | null => {
      const ls = kids(el, 'link');
      const l = ls.find((x) => !x.attribs.rel || x.attribs.rel === 'alternate') ?? ls[0];
      return l?.attribs.href ?? null;
    };
    return {
      format: 'atom',
      title: textOf(kid(root, 'title')) || null,
      link: alt(root),
      lang: root.attribs['xml:lang'] ?? null,
      entries: kids(root, 'entry').map((entry) => {
        const content = kid(entry, 'content', 'summary');
        const raw = textOf(content);
        const { text, links } = content?.attribs.type === 'text' ? { text: raw, links: [] } : htmlToText(raw);
        const link = alt(entry);
        return {
          guid: textOf(kid(entry, 'id')) || link,
          title: htmlToText(textOf(kid(entry, 'title'))).text,
          link,
          date: toIsoDate(textOf(kid(entry, 'published', 'updated'))),
          text,
          links,
          author: textOf(kid(kid(entry, 'author') ?? entry, 'name')) || null,
          categories: kids(entry, 'category')
            .map((c) => c.attribs.term ?? '')
            .filter(Boolean),
        };
      }),
    };
  }
  throw new FeedParseError(`root element <${root.name}> is neither RSS nor Atom`);
}

/** The stable id of a feed entry. */
export function feedEntryId(entry: FeedEntry, feedUrl: string | null): string | null {
  const key = entry.guid ?? entry.link;
  if (!key) return null;
  if (/^(https?|urn|tag):/i.test(key)) return key;
  const host = feedUrl ? new URL(feedUrl).host : 'feed';
  return `rss:${host}/${key}`;
}

/** Maps a feed entry to a normalized post (source "rss"). */
export function feedEntryToPost(
  entry: FeedEntry,
  feed: ParsedFeed,
  feedUrl: string | null,
  fallbackLang: string | null = null,
): NormalizedPost | { reason: string } {
  const id = feedEntryId(entry, feedUrl);
  if (!id) return { reason: 'feed item has neither guid nor link' };
  if (!entry.date) return { reason: `feed item ${id} has no valid date` };
  const site = feed.link ?? feedUrl;
  let host = 'feed';
  try {
    if (site) host = new URL(site).host;
  } catch {
    /* keep "feed" */
  }
  const links = [...entry.links];
  if (entry.link && !links.includes(entry.link)) links.unshift(entry.link);
  return {
    id,
    source: 'rss',
    url: entry.link,
    text: entry.text && entry.text !== entry.title ? `${entry.title}\n\n${entry.text}` : entry.title,
    createdAt: entry.date,
    lang: feed.lang ?? fallbackLang,
    author: { id: `rss:${host}`, handle: host, displayName: feed.title },
    links,
    hashtags: [],
  };
}

/** Maps a fact-checker's feed entry to a normalized fact-check (claim = title; rating unknown from a feed). */
export function feedEntryToFactCheck(
  entry: FeedEntry,
  feed: ParsedFeed,
  sourceName: string,
  publisher?: string,
  fallbackLang: string | null = null,
): NormalizedFactCheck | { reason: string } {
  if (!entry.link) return { reason: 'fact-check item has no link' };
  if (!entry.title) return { reason: `fact-check item ${entry.link} has no title` };
  return {
    id: `factcheck:${entry.link}`,
    source: sourceName,
    claim: entry.title,
    claimant: null,
    rating: null,
    publisher: publisher ?? feed.title ?? new URL(entry.link).host,
    reviewUrl: entry.link,
    lang: feed.lang ?? fallbackLang,
    reviewedAt: entry.date,
    claimDate: null,
    appearances: [],
  };
}

/** What the RSS connector keeps in its cursor. */
interface RssCursor {
  etag?: string;
  lastModified?: string;
  seen: string[];
}

function readCursor(cursor: string | null): RssCursor {
  if (!cursor) return { seen: [] };
  try {
    const c = JSON.parse(cursor) as RssCursor;
    return { ...c, seen: Array.isArray(c.seen) ? c.seen.filter((s) => typeof s === 'string') : [] };
  } catch {
    throw new ConnectorError(`rss cursor is not the JSON this connector writes: ${excerpt(cursor, 60)}`, {
      retriable: false,
    });
  }
}

/** Creates the RSS / Atom connector for one feed. */
export function createRssConnector(source: RssSource, deps: { http: HttpClient }): Connector {
  const src = rssSourceSchema.parse(source);
  return {
    kind: 'rss',
    name: src.name,
    async fetch({ cursor, signal }: FetchOptions): Promise<FetchResult> {
      const state = readCursor(cursor);
      const headers: Record<string, string> = {
        accept: 'application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8',
      };
      if (state.etag) headers['if-none-match'] = state.etag;
      if (state.lastModified) headers['if-modified-since'] = state.lastModified;
      const response = await deps.http.get(src.url, { signal, headers, acceptStatuses: [304] });
      if (response.status === 304) return { items: [], nextCursor: cursor, failed: [], skipped: { unchanged: 1 } };
      let feed: ParsedFeed;
      try {
        feed = parseFeed(response.body);
      } catch (cause) {
        throw new ConnectorError(`${src.name}: ${(cause as Error).message}`, { cause, retriable: false });
      }
      const items: ConnectorItem[] = [];
      const failed: ConnectorFailure[] = [];
      const seen = new Set(state.seen);
      let duplicates = 0;
      const fresh: string[] = [];
      for (const entry of feed.entries) {
        const key = entry.guid ?? entry.link;
        if (key && seen.has(key)) {
          duplicates++;
          continue;
        }
        const mapped =
          src.emit === 'factcheck'
            ? feedEntryToFactCheck(entry, feed, src.name, src.publisher, src.lang ?? null)
            : feedEntryToPost(entry, feed, src.url, src.lang ?? null);
        if ('reason' in mapped) {
          failed.push({ reason: mapped.reason, raw: excerpt(entry) });
          continue;
        }
        if (key) {
          seen.add(key);
          fresh.push(key);
        }
        items.push(
          src.emit === 'factcheck'
            ? { type: 'factcheck', factcheck: mapped as NormalizedFactCheck }
            : { type: 'post', post: mapped as NormalizedPost },
        );
      }
      const next: RssCursor = { seen: [...fresh, ...state.seen].slice(0, src.rememberGuids) };
      const etag = response.headers.get('etag');
      const lastModified = response.headers.get('last-modified');
      if (etag) next.etag = etag;
      if (lastModified) next.lastModified = lastModified;
      return { items, nextCursor: JSON.stringify(next), failed, skipped: duplicates ? { duplicate: duplicates } : {} };
    },
  };
}
