// `mid normalize`: turns a recorded payload (what a connector would fetch) into normalized JSONL on stdout, with
// the connectors' own parsers. Posts are checked against the normalized-post contract before they are written;
// fact-check formats write normalized fact-checks. Skipped events (likes, follows, identity, deletes) and rejected
// items are counted; each rejected item gets one line on stderr with its reason; a summary line ends stderr.
// Exit 0 when something could be read, 1 (with one clear line) when nothing could, 2 on usage errors.
import { createReadStream, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { NormalizedFactCheck, NormalizedPost } from '../../pipelines/types.ts';
import { mapJetstreamEvent } from '../../connectors/bluesky.ts';
import { extractClaimReviews, findClaimReviews, mapClaimReview } from '../../connectors/claimreview.ts';
import { readDataFeed } from '../../connectors/factcheck-datafeed.ts';
import { mapMastodonStatus, statusesFromPayload } from '../../connectors/mastodon.ts';
import { feedEntryToFactCheck, feedEntryToPost, parseFeed } from '../../connectors/rss.ts';
import { parseTelegramPage } from '../../connectors/telegram.ts';
import { validateNormalizedPost } from '../validate-post.ts';
import { PermanentError } from '../../pipelines/core/errors.ts';
import { jsonErrorMessage } from '../../pipelines/redact.ts';

/** One line for `mid help`. */
export const summary =
  'Normalize a recorded payload (mastodon, jetstream, telegram-html, rss, claimreview, factcheck-datafeed) to JSONL';

const FORMATS = ['mastodon', 'jetstream', 'telegram-html', 'rss', 'claimreview', 'factcheck-datafeed'] as const;
type Format = (typeof FORMATS)[number];

const USAGE = `usage: mid normalize --format <${FORMATS.join('|')}> --input FILE [--as post|factcheck] [--source NAME] [--url PAGE_URL]
  --as        rss only: items become posts (default) or fact-checks
  --source    source name put on fact-checks (default: the format)
  --url       claimreview only: the page's URL, used when a ClaimReview has none`;

/** Counts of one run. */
export interface NormalizeCounts {
  written: number;
  skipped: Record<string, number>;
  rejected: number;
}

/** Where a run writes: stdout for items, stderr for reasons and the summary. Injectable for tests. */
export interface NormalizeIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const MAX_REASON_LINES = 1000;

class NothingReadable extends PermanentError {
  override name = 'NothingReadable';
}

/** Runs the conversion; resolves the counts, or throws NothingReadable when the input could not be read at all. */
export async function normalizeFile(
  format: Format,
  input: string,
  opts: { as?: 'post' | 'factcheck'; source?: string; url?: string },
  io: NormalizeIo,
): Promise<NormalizeCounts> {
  const counts: NormalizeCounts = { written: 0, skipped: {}, rejected: 0 };
  const skip = (what: string): void => {
    counts.skipped[what] = (counts.skipped[what] ?? 0) + 1;
  };
  // Reasons are held back until the end: when nothing at all is readable, only the one clear line is printed.
  const reasons: string[] = [];
  const reject = (where: string, reason: string): void => {
    counts.rejected++;
    if (reasons.length < MAX_REASON_LINES) reasons.push(`rejected ${where}: ${reason}`);
  };
  let nothing = false;
  try {
    await convert();
  } catch (e) {
    nothing = e instanceof NothingReadable;
    throw e;
  } finally {
    if (!nothing) {
      for (const r of reasons) io.err(r);
      if (counts.rejected > reasons.length) io.err(`... and ${counts.rejected - reasons.length} more rejected`);
    }
  }
  return counts;

  async function convert(): Promise<NormalizeCounts> {
    const post = (p: NormalizedPost, where: string): void => {
      const v = validateNormalizedPost(p);
      if (!v.ok) return reject(where, v.reason);
      counts.written++;
      io.out(JSON.stringify(v.post));
    };
    const factcheck = (f: NormalizedFactCheck): void => {
      counts.written++;
      io.out(JSON.stringify(f));
    };
    const source = opts.source ?? format;

    if (format === 'factcheck-datafeed') {
      const stats = await readDataFeed(createReadStream(input), {
        source,
        onReview: factcheck,
        onFailure: (f) => reject('DataFeed item', f.reason),
      });
      if (stats.error && stats.elements === 0)
        throw new NothingReadable(`${input} is not a readable DataFeed: ${stats.error}`);
      if (stats.error) io.err(`warning: DataFeed broke off after ${stats.elements} element(s): ${stats.error}`);
      return counts;
    }

    const text = readFileSync(input, 'utf8');
    const raw = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // a UTF-8 byte order mark is not content
    switch (format) {
      case 'mastodon': {
        let statuses: unknown[] | null = null;
        try {
          statuses = statusesFromPayload(JSON.parse(raw));
        } catch {
          /* maybe JSONL */
        }
        if (statuses === null) {
          const lines = raw.split('\n').filter((l) => l.trim());
          const parsed: unknown[] = [];
          lines.forEach((l, i) => {
            try {
              parsed.push(JSON.parse(l));
            } catch (e) {
              reject(`line ${i + 1}`, `not valid JSON (${jsonErrorMessage(e)})`);
            }
          });
          if (parsed.length === 0)
            throw new NothingReadable(
              `${input} holds no Mastodon statuses (expected a statuses array, a recorded response or JSONL)`,
            );
          statuses = parsed.flatMap((p) => statusesFromPayload(p) ?? [p]);
        }
        statuses.forEach((s, i) => {
          const m = mapMastodonStatus(s);
          if (m.ok) post(m.post, `status ${i + 1}`);
          else reject(`status ${i + 1}`, m.reason);
        });
        return counts;
      }
      case 'jetstream': {
        const lines = raw.split('\n');
        let readable = 0;
        lines.forEach((line, i) => {
          if (!line.trim()) return;
          let ev: unknown;
          try {
            ev = JSON.parse(line);
          } catch (e) {
            return reject(`line ${i + 1}`, `not valid JSON (${jsonErrorMessage(e)})`);
          }
          readable++;
          const m = mapJetstreamEvent(ev);
          if (m.kind === 'post') post(m.post, `line ${i + 1}`);
          else if (m.kind === 'tombstone') skip('delete');
          else if (m.kind === 'skip') skip(m.what);
          else reject(`line ${i + 1}`, m.reason);
        });
        if (readable === 0) throw new NothingReadable(`${input} holds no Jetstream events (expected JSON lines)`);
        return counts;
      }
      case 'telegram-html': {
        const page = parseTelegramPage(raw);
        if (page.numbers.length === 0 && page.failed.length === 0)
          throw new NothingReadable(`${input} is not a t.me/s channel page (no messages found)`);
        for (const f of page.failed) reject('message', f.reason);
        for (const p of page.posts) post(p, p.id);
        return counts;
      }
      case 'rss': {
        let feed;
        try {
          feed = parseFeed(raw);
        } catch (e) {
          throw new NothingReadable(`${input} is not an RSS or Atom feed: ${(e as Error).message}`);
        }
        const seen = new Set<string>();
        feed.entries.forEach((entry, i) => {
          const key = entry.guid ?? entry.link;
          if (key && seen.has(key)) return skip('duplicate guid');
          if (key) seen.add(key);
          if (opts.as === 'factcheck') {
            const f = feedEntryToFactCheck(entry, feed, source);
            if ('reason' in f) reject(`item ${i + 1}`, f.reason);
            else factcheck(f);
          } else {
            const p = feedEntryToPost(entry, feed, null);
            if ('reason' in p) reject(`item ${i + 1}`, p.reason);
            else post(p, `item ${i + 1}`);
          }
        });
        return counts;
      }
      case 'claimreview': {
        const trimmed = raw.trimStart();
        if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
          // bare JSON-LD
          let json: unknown;
          try {
            json = JSON.parse(raw);
          } catch (e) {
            throw new NothingReadable(`${input} is neither HTML nor valid JSON-LD: ${(e as Error).message}`);
          }
          const { reviews, refs } = findClaimReviews(json);
          if (reviews.length === 0) throw new NothingReadable(`${input} holds no ClaimReview`);
          for (const r of reviews) {
            const m = mapClaimReview(r, { source, pageUrl: opts.url ?? null, refs });
            if ('reason' in m) reject('ClaimReview', m.reason);
            else factcheck(m);
          }
          return counts;
        }
        const r = extractClaimReviews(raw, { source, pageUrl: opts.url ?? null });
        for (const f of r.failed) reject('ClaimReview', f.reason);
        if (r.factchecks.length === 0 && r.failed.length === 0)
          throw new NothingReadable(`${input} holds no ClaimReview JSON-LD (${r.blocks} JSON-LD block(s) found)`);
        for (const f of r.factchecks) factcheck(f);
        return counts;
      }
    }
  }
}

/** Formats the summary line. */
export function summaryLine(c: NormalizeCounts): string {
  const skipped = Object.entries(c.skipped).sort(([a], [b]) => a.localeCompare(b));
  const total = skipped.reduce((n, [, v]) => n + v, 0);
  const detail = skipped.length ? ` (${skipped.map(([k, v]) => `${k} ${v}`).join(', ')})` : '';
  return `normalized ${c.written}, skipped ${total}${detail}, rejected ${c.rejected}`;
}

function stdio(): NormalizeIo {
  let closed = false;
  // `mid normalize ... | head` closes stdout early: stop writing instead of crashing on EPIPE.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') closed = true;
    else throw e;
  });
  return {
    out: (l) => {
      if (!closed) process.stdout.write(`${l}\n`);
    },
    err: (l) => process.stderr.write(`${l}\n`),
  };
}

/** Runs `mid normalize`. */
export async function run(args: string[], io: NormalizeIo = stdio()): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        format: { type: 'string' },
        input: { type: 'string' },
        as: { type: 'string' },
        source: { type: 'string' },
        url: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (e) {
    io.err(`mid normalize: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const format = values.format as string | undefined;
  const input = values.input as string | undefined;
  if (!format || !(FORMATS as readonly string[]).includes(format) || !input) {
    io.err(
      `mid normalize: ${!format ? '--format is required' : !input ? '--input is required' : `unknown format "${format}"`}\n${USAGE}`,
    );
    return 2;
  }
  if (values.as !== undefined && values.as !== 'post' && values.as !== 'factcheck') {
    io.err(`mid normalize: --as must be post or factcheck\n${USAGE}`);
    return 2;
  }
  try {
    const counts = await normalizeFile(
      format as Format,
      input,
      {
        as: values.as as 'post' | 'factcheck' | undefined,
        source: values.source as string | undefined,
        url: values.url as string | undefined,
      },
      io,
    );
    io.err(summaryLine(counts));
    return 0;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err instanceof NothingReadable) io.err(`mid normalize: nothing could be read: ${err.message}`);
    else if (err.code === 'ENOENT' || err.code === 'EISDIR' || err.code === 'EACCES')
      io.err(`mid normalize: cannot read ${input}: ${err.code}`);
    else io.err(`mid normalize: nothing could be read: ${err.message}`);
    return 1;
  }
}
