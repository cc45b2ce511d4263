// Account signals and a bot score from what a platform says about the author: account age at posting time, posting
// rate, follower ratio, how machine-made the handle looks, an empty display name and the self-declared bot flag.
// The score is a weighted sum of plainly worded reasons an analyst can check on the profile. Self-declared
// automated accounts (news feeds, weather bots) are labelled as such and not scored as inauthentic.
import type { AccountSignals, NormalizedAuthor } from './types.ts';

/** What scoreAccount returns. */
export interface AccountScore {
  signals: AccountSignals;
  /** 0..1; higher means more signs of automation or a throwaway account. 0 for declared bots. */
  botScore: number;
  /** One plain sentence per signal that contributed. */
  botReasons: string[];
}

const DAY_MS = 86_400_000;

function finiteNonNegative(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null;
}

/** Local part of a handle: "@Jan_123@mastodon.social" → "Jan_123"; "jan.bsky.social" → "jan". */
export function handleLocalPart(handle: string): string {
  let h = handle.trim().replace(/^@/, '');
  const at = h.indexOf('@');
  if (at > 0) h = h.slice(0, at);
  // Bluesky handles are domains; the first label is the chosen name.
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(h) && /\.(bsky\.social|[a-z]{2,})$/i.test(h)) h = h.split('.')[0]!;
  return h;
}

/** Shannon entropy in bits per character. */
function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let e = 0;
  for (const c of counts.values()) {
    const p = c / s.length;
    e -= p * Math.log2(p);
  }
  return e;
}

/** True when a handle looks machine-generated: a long digit run, or a long high-entropy string with few vowels. */
export function looksRandom(local: string): boolean {
  if (/\d{5,}/.test(local)) return true;
  const letters = local.toLowerCase().replace(/[^a-z]/g, '');
  if (local.length >= 10 && letters.length >= 8) {
    const vowels = (letters.match(/[aeiouy]/g) ?? []).length / letters.length;
    const mixedCase = /[a-z]/.test(local) && /[A-Z]/.test(local.slice(1)) && !/[_.-]/.test(local);
    if (vowels < 0.2) return true;
    if (entropy(local) > 3.5 && mixedCase && /\d/.test(local)) return true;
  }
  return false;
}

/** Scores one author as seen when a post was created (`postCreatedAtMs`, epoch ms). Never throws. */
export function scoreAccount(author: NormalizedAuthor, postCreatedAtMs: number): AccountScore {
  const a = (author ?? {}) as Partial<NormalizedAuthor>;
  const declaredBot = a.bot === true;
  const created = typeof a.createdAt === 'string' ? Date.parse(a.createdAt) : Number.NaN;
  // Mastodon rounds created_at to midnight, so a post on the first day can precede it: clamp to 0.
  const ageDays =
    Number.isFinite(created) && Number.isFinite(postCreatedAtMs)
      ? Math.max(0, (postCreatedAtMs - created) / DAY_MS)
      : null;
  const posts = finiteNonNegative(a.posts);
  const followers = finiteNonNegative(a.followers);
  const following = finiteNonNegative(a.following);
  const postsPerDay = ageDays !== null && posts !== null ? posts / Math.max(ageDays, 1) : null;
  const followerRatio = followers !== null && following !== null ? followers / Math.max(following, 1) : null;
  const handle = typeof a.handle === 'string' && a.handle.trim() ? handleLocalPart(a.handle) : null;
  const digits = handle ? (handle.match(/\d/g) ?? []).length : 0;
  const handleDigitShare = handle ? digits / Math.max(handle.length, 1) : null;
  const handleRandom = handle ? looksRandom(handle) : false;
  const emptyDisplayName = typeof a.displayName !== 'string' || a.displayName.trim() === '';

  const signals: AccountSignals = {
    ageDays: ageDays === null ? null : Math.round(ageDays * 100) / 100,
    postsPerDay: postsPerDay === null ? null : Math.round(postsPerDay * 100) / 100,
    followerRatio: followerRatio === null ? null : Math.round(followerRatio * 1000) / 1000,
    handleDigitShare: handleDigitShare === null ? null : Math.round(handleDigitShare * 1000) / 1000,
    handleRandom,
    emptyDisplayName,
    declaredBot,
  };
  if (declaredBot) return { signals, botScore: 0, botReasons: ['self-declared automated account'] };

  let score = 0;
  const reasons: string[] = [];
  const add = (w: number, reason: string): void => {
    score += w;
    reasons.push(reason);
  };
  if (ageDays !== null) {
    const d = Math.floor(ageDays);
    if (ageDays < 7) add(0.3, `account ${d} day${d === 1 ? '' : 's'} old at posting time`);
    else if (ageDays < 30) add(0.15, `account ${d} days old at posting time`);
  }
  if (postsPerDay !== null) {
    if (postsPerDay >= 144)
      add(0.35, `${Math.round(postsPerDay)} posts per day since creation (one every 10 minutes or more)`);
    else if (postsPerDay >= 50) add(0.2, `${Math.round(postsPerDay)} posts per day since creation`);
  }
  if (followers !== null && following !== null && following >= 100 && followers / following < 0.05) {
    add(0.15, `follows ${following} accounts but has ${followers} followers`);
  }
  if (handle && digits >= 4) add(digits >= 8 ? 0.2 : 0.1, `handle has ${digits} digits`);
  if (handleRandom) add(0.15, 'handle looks machine-generated');
  if (emptyDisplayName && a.displayName !== undefined) add(0.1, 'empty display name');
  return { signals, botScore: Math.min(1, Math.round(score * 1000) / 1000), botReasons: reasons };
}
