// The fuzz properties (fast-check) for every parser of untrusted input, defined once: no crash, and outputs valid
// against the contracts. Two runners use them: `test/fuzz/parsers.test.ts` (a few hundred cases each in `npm test`)
// and `test/fuzz/run.ts` (`npm run fuzz`: 100,000 cases each, outside vitest, so a long run cannot trip vitest's
// reporter timeouts). Assertions use node:assert so the properties run in either.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { mapJetstreamEvent } from '../../connectors/bluesky.ts';
import { extractClaimReviews, findClaimReviews, mapClaimReview } from '../../connectors/claimreview.ts';
import { readDataFeed } from '../../connectors/factcheck-datafeed.ts';
import { htmlToText } from '../../connectors/html-text.ts';
import { mapMastodonStatus } from '../../connectors/mastodon.ts';
import { parseFeed } from '../../connectors/rss.ts';
import { parseTelegramPage } from '../../connectors/telegram.ts';
import { canonicalizeLink } from '../../pipelines/canonicalize-link.ts';
import { createEnricher } from '../../pipelines/enrich.ts';
import { normalizeText } from '../../pipelines/normalize-text.ts';
import { redactExcerpt } from '../../pipelines/redact.ts';
import { loadConfig } from '../../workers/config.ts';
import { parsePostLine, validateNormalizedPost } from '../../workers/validate-post.ts';
import { validEnrichedPost } from '../support/contracts.ts';

/** One fuzzed parser: a name (the key of the printed figures) and its property. */
export interface FuzzTarget {
  name: string;
  /** What the property claims. */
  claim: string;
  property: fc.IRawProperty<unknown[]>;
}

// Markup-ish text: tags, entities, links, mentions, brackets and punctuation mixed with arbitrary strings.
const piece = fc.oneof(
  fc.string(),
  fc.constantFrom(
    '<p>',
    '</p>',
    '<br>',
    '<a href="https://nos.nl/a?b=1">',
    '</a>',
    '<span class="invisible">',
    '</span>',
    '<script>',
    '</script>',
    '<style ',
    '<div',
    '&amp;',
    '&#x1F600;',
    '&#0;',
    '&bogus',
    '@jan',
    '@jan@example.social',
    '#TK2025',
    'https://',
    'www.',
    '(',
    ')',
    '[',
    ']',
    '...',
    '!!!',
    '\u0000',
    '\ufeff',
    '\ud800',
    ' ',
    '\n',
  ),
  fc.string({ unit: 'grapheme' }),
);
const markup = fc.array(piece, { maxLength: 40 }).map((a) => a.join(''));
const json = fc.jsonValue({ maxDepth: 4 });

const config = loadConfig({ env: {} });
// A processing clock after every generated date, so the future-date check does not refuse the generated posts.
const enrich = createEnricher({
  enrichment: config.enrich,
  pseudonymKey: 'fuzz-key-0123456789abcdef',
  now: () => Date.parse('2100-01-02T00:00:00Z'),
});
const post = fc.record(
  {
    id: fc.oneof(fc.string({ minLength: 1 }), fc.constant('at://did:plc:abc/app.bsky.feed.post/1')),
    source: fc.constantFrom('mastodon', 'bluesky', 'telegram', 'rss', 'x'),
    text: markup,
    createdAt: fc
      .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString()),
    author: fc.record(
      { id: fc.string({ minLength: 1 }), handle: fc.option(fc.string()), followers: fc.option(fc.nat()) },
      { requiredKeys: ['id'] },
    ),
    links: fc.array(markup, { maxLength: 3 }),
  },
  { requiredKeys: ['id', 'source', 'text', 'createdAt', 'author'] },
);
const line = fc.oneof(
  post.map((p) => JSON.stringify(p)),
  json.map((v) => JSON.stringify(v)),
  fc.string(),
  post.map((p) => `\ufeff${JSON.stringify(p)}`),
);

const validOrReason = (m: { ok: true; post: unknown } | { ok: false; reason: string }): void => {
  if (m.ok)
    validateNormalizedPost(m.post); // invalid posts are rejected by the caller; this must not throw
  else assert.equal(typeof m.reason, 'string');
};

const mastodonStatus = fc.record(
  {
    id: fc.string(),
    uri: fc.string(),
    url: fc.option(fc.string()),
    created_at: fc.oneof(fc.string(), fc.constant('2025-06-03T16:49:43.431Z')),
    content: markup,
    account: fc.oneof(json, fc.record({ id: fc.string(), acct: fc.string(), created_at: fc.string() })),
    tags: json,
    language: fc.option(fc.string()),
    reblog: fc.option(json),
  },
  { requiredKeys: [] },
);
const jetstreamEvent = fc.record(
  {
    did: fc.string(),
    time_us: fc.integer(),
    kind: fc.constantFrom('commit', 'identity', 'account', 'x'),
    commit: fc.record(
      {
        operation: fc.constantFrom('create', 'delete', 'update'),
        collection: fc.constantFrom('app.bsky.feed.post', 'app.bsky.feed.like', 'x'),
        rkey: fc.string(),
        record: fc.oneof(
          json,
          fc.record({ text: markup, createdAt: fc.string(), langs: json, reply: json, embed: json, facets: json }),
        ),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
);
const telegramMessage = fc
  .tuple(fc.string(), fc.nat(), markup, fc.string())
  .map(
    ([ch, n, body, date]) =>
      `<div class="tgme_widget_message" data-post="${ch}/${n}"><div class="tgme_widget_message_text js-message_text">${body}</div><a class="tgme_widget_message_date"><time datetime="${date}"></time></a></div>`,
  );
const rssItem = fc
  .tuple(markup, fc.string(), fc.string())
  .map(
    ([d, l, t]) =>
      `<item><title>${t}</title><link>${l}</link><description>${d}</description><pubDate>${t}</pubDate></item>`,
  );
const claimReview = fc.record(
  {
    '@type': fc.constantFrom('ClaimReview', 'x'),
    claimReviewed: fc.oneof(fc.string(), json),
    url: fc.oneof(fc.string(), fc.webUrl()),
    reviewRating: json,
    itemReviewed: json,
    author: json,
    datePublished: fc.oneof(fc.string(), json),
  },
  { requiredKeys: [] },
);
const dataFeed = fc.oneof(
  json.map((v) => JSON.stringify({ dataFeedElement: Array.isArray(v) ? v : [v] })),
  json.map((v) => JSON.stringify(v)),
  fc.string(),
);

/** Every fuzzed parser, in the order the runners report them. */
export const fuzzTargets: FuzzTarget[] = [
  {
    name: 'normalizeText',
    claim: 'never throws and returns strings',
    property: fc.property(markup, (s) => {
      const r = normalizeText(s);
      assert.equal(typeof r.text, 'string');
      for (const l of [...r.links, ...r.mentions, ...r.hashtags]) assert.equal(typeof l, 'string');
    }),
  },
  {
    name: 'htmlToText',
    claim: 'never throws; links are absolute http(s)',
    property: fc.property(markup, (s) => {
      const r = htmlToText(s);
      assert.equal(typeof r.text, 'string');
      for (const l of r.links) assert.match(l, /^https?:\/\//i);
    }),
  },
  {
    name: 'canonicalizeLink',
    claim: 'never throws; a result is an http(s) URL that canonicalises to itself',
    property: fc.property(fc.oneof(fc.webUrl({ withQueryParameters: true, withFragments: true }), markup), (s) => {
      const c = canonicalizeLink(s);
      if (c !== null) {
        assert.match(c, /^https?:\/\//);
        assert.equal(canonicalizeLink(c), c);
      }
    }),
  },
  {
    name: 'redactExcerpt',
    claim: 'never throws and stays short',
    property: fc.property(
      fc.oneof(
        markup,
        json.map((v) => JSON.stringify(v)),
      ),
      (s) => {
        assert.ok(redactExcerpt(s).length <= 301);
      },
    ),
  },
  {
    name: 'jsonl+enrich',
    claim: 'parsePostLine never throws; an accepted post enriches to a contract-valid post',
    property: fc.property(line, (l) => {
      const r = parsePostLine(l);
      if (!r.ok) {
        assert.equal(typeof r.reason, 'string');
        return;
      }
      const e = enrich(r.post);
      assert.ok(validEnrichedPost(e), JSON.stringify(validEnrichedPost.errors));
    }),
  },
  {
    name: 'mastodon',
    claim: 'mapMastodonStatus never throws',
    property: fc.property(fc.oneof(mastodonStatus, json), (s) => {
      validOrReason(mapMastodonStatus(s) as never);
    }),
  },
  {
    name: 'jetstream',
    claim: 'mapJetstreamEvent never throws',
    property: fc.property(fc.oneof(jetstreamEvent, json), (e) => {
      const m = mapJetstreamEvent(e);
      assert.ok(['post', 'tombstone', 'skip', 'error'].includes(m.kind));
    }),
  },
  {
    name: 'telegram-html',
    claim: 'parseTelegramPage never throws',
    property: fc.property(
      fc.array(fc.oneof(telegramMessage, markup), { maxLength: 5 }).map((a) => a.join('')),
      (html) => {
        assert.ok(Array.isArray(parseTelegramPage(html).posts));
      },
    ),
  },
  {
    name: 'rss',
    claim: 'parseFeed never throws anything but its own error',
    property: fc.property(
      fc.oneof(
        fc
          .array(fc.oneof(rssItem, markup), { maxLength: 4 })
          .map((a) => `<rss><channel><title>x</title>${a.join('')}</channel></rss>`),
        markup,
      ),
      (xml) => {
        try {
          parseFeed(xml);
        } catch (e) {
          assert.equal((e as Error).name, 'FeedParseError');
        }
      },
    ),
  },
  {
    name: 'claimreview',
    claim: 'extractClaimReviews and mapClaimReview never throw',
    property: fc.property(fc.oneof(fc.array(claimReview, { maxLength: 4 }), json), fc.boolean(), (ld, asPage) => {
      if (asPage) {
        const r = extractClaimReviews(
          `<html><script type="application/ld+json">${JSON.stringify(ld)}</script></html>`,
          {
            source: 's',
          },
        );
        assert.ok(Array.isArray(r.factchecks));
      } else {
        const { reviews, refs } = findClaimReviews(ld);
        for (const rv of reviews) mapClaimReview(rv, { source: 's', refs });
      }
    }) as fc.IRawProperty<unknown[]>,
  },
  {
    name: 'factcheck-datafeed',
    claim: 'readDataFeed never rejects',
    property: fc.asyncProperty(dataFeed, fc.nat({ max: 40 }), async (text, cut) => {
      const stats = await readDataFeed(Readable.from([text.slice(0, text.length - cut)]), {
        source: 's',
        onReview: () => undefined,
        onFailure: () => undefined,
      });
      assert.ok(stats.elements >= 0);
    }) as fc.IRawProperty<unknown[]>,
  },
];
