// Link canonicalisation: one spelling per web page, so that co-link detection sees the same article behind
// "https://WWW.Nos.nl/artikel/1?utm_source=x#top" and "https://nos.nl/artikel/1". Nothing is resolved over the
// network (shorteners stay as they are) and http is not upgraded to https: both would be guesses.

/** Query parameters that only track the click, on any host. */
const TRACKING_PARAMS = new Set([
  'fbclid',
  'gclid',
  'gclsrc',
  'dclid',
  'gbraid',
  'wbraid',
  'msclkid',
  'igshid',
  'igsh',
  'si',
  'mc_cid',
  'mc_eid',
  'ref_src',
  'ref_url',
  '_ga',
  '_gl',
  'yclid',
  'twclid',
  'ttclid',
  'li_fat_id',
  'mkt_tok',
  '_hsenc',
  '_hsmi',
  'hsctatracking',
  'vero_id',
  'vero_conv',
  'oly_anon_id',
  'oly_enc_id',
  'rb_clickid',
  's_cid',
  'wt_mc',
  'ncid',
  'sr_share',
  'share_id',
  'mibextid',
  'sfnsn',
  'cmpid',
  'at_medium',
  'at_campaign',
  'xtor',
  'ocid',
  'smid',
  'fb_action_ids',
  'fb_action_types',
  'fb_ref',
  'fb_source',
  'action_object_map',
  'action_type_map',
  'action_ref_map',
]);
/** Prefixes of tracking parameter names (utm_source, utm_medium, ..., pk_campaign, mtm_source, ...). */
const TRACKING_PREFIXES = ['utm_', 'pk_', 'mtm_', 'hmb_', 'ga_', 'itm_'];
/** Host-specific share parameters that do not change the page. */
const HOST_PARAMS: Record<string, Set<string>> = {
  'twitter.com': new Set(['s', 't']),
  'x.com': new Set(['s', 't']),
  'youtube.com': new Set(['feature', 'pp', 'ab_channel']),
  'youtu.be': new Set(['feature', 't_share']),
  'instagram.com': new Set(['img_index', 'utm_source']),
  'tiktok.com': new Set(['is_from_webapp', 'sender_device', 'is_copy_url', 'lang', '_r', '_t']),
  'facebook.com': new Set(['mibextid', 'rdid', 'sfnsn', 'paipv', 'eav']),
  'open.spotify.com': new Set(['context', 'nd']),
};

function isTracking(name: string, host: string): boolean {
  const n = name.toLowerCase();
  if (TRACKING_PARAMS.has(n)) return true;
  for (const p of TRACKING_PREFIXES) if (n.startsWith(p)) return true;
  return HOST_PARAMS[host]?.has(n) ?? false;
}

/**
 * Canonical form of a link: lower-case scheme and host, no `www.`, no fragment, no default port, no credentials,
 * no tracking parameters, remaining query parameters sorted, no trailing slash except for the root path.
 * A link without scheme ("www.nos.nl/x") gets https://. Returns null for anything that is not an http(s) URL.
 */
export function canonicalizeLink(url: string): string | null {
  if (typeof url !== 'string') return null;
  let s = url.trim();
  if (s.length === 0 || s.length > 4096 || /\s/.test(s)) return null;
  if (!/^[a-z][a-z0-9+.-]*:/i.test(s)) {
    if (s.startsWith('//')) s = `https:${s}`;
    else if (/^[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+(?:[/?#:]|$)/u.test(s)) s = `https://${s}`;
    else return null;
  }
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  // The host is checked after the changes made to it, so that the result is itself accepted: canonicalising is
  // idempotent (every leading www. goes at once; "www.A" stays "https://www.a/" rather than becoming "https://a/", which would then be refused).
  const acceptable = (h: string): boolean => h.includes('.') || h === 'localhost';
  let host = u.hostname.toLowerCase().replace(/\.+$/, '');
  if (!acceptable(host)) return null;
  while (host.startsWith('www.') && acceptable(host.slice(4))) host = host.slice(4); // "www.www.x.nl" too
  const baseHost = host.startsWith('m.') || host.startsWith('mobile.') ? host.slice(host.indexOf('.') + 1) : host;

  const kept: [string, string][] = [];
  for (const [k, v] of u.searchParams) if (!isTracking(k, baseHost)) kept.push([k, v]);
  kept.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const query = kept.length > 0 ? `?${new URLSearchParams(kept).toString()}` : '';

  let path = u.pathname || '/';
  if (path.length > 1) path = path.replace(/\/+$/, '') || '/';
  const port = u.port ? `:${u.port}` : ''; // URL already drops the scheme's default port
  return `${u.protocol}//${host}${port}${path}${query}`;
}
