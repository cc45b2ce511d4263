// The patterns the enrichment steps use to strip what is not running text (links, mentions, hashtags, emoji)
// before language detection, entity lookup and fingerprinting, so every step removes exactly the same things.
// Extraction (with captures and stricter boundaries) lives in normalize-text.ts. Use with String.replace only.

/** http(s) links and bare www. links, up to whitespace or a quote. */
export const LINK_RE = /\b(?:https?:\/\/|www\.)[^\s<>"]*/giu;
/** @user and @user@instance mentions. */
export const MENTION_RE = /(?<![\p{L}\p{N}_])@[\p{L}\p{N}_.-]+(?:@[\p{L}\p{N}.-]+)?/gu;
/** #hashtags (also the full-width ＃). */
export const HASHTAG_RE = /[#＃][\p{L}\p{M}\p{N}_]+/gu;
/** Emoji, skin-tone modifiers, flag letters and the joiners between them. */
export const EMOJI_RE = /[\p{Extended_Pictographic}\p{Emoji_Modifier}\u{1F1E6}-\u{1F1FF}\u200d\ufe0f]/gu;
