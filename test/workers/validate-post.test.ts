// Contract validation of incoming posts: the project's schema copies equal the shared contracts, and the reasons
// name the field at fault.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePostLine, validateNormalizedPost } from '../../workers/validate-post.ts';

const good = { id: 'p1', source: 'mastodon', text: 'Hallo', createdAt: '2023-11-20T10:00:00Z', author: { id: 'u1' } };

describe('validateNormalizedPost', () => {
  it('keeps pipelines/contracts equal to shared/contracts', () => {
    // shared/ sits beside the clone (MID_SHARED_DIR names it elsewhere, e.g. for a git worktree). Without it this
    // test has nothing to compare and must say so rather than pass.
    const shared = join(process.env.MID_SHARED_DIR ?? join(import.meta.dirname, '../../../shared'), 'contracts');
    expect(
      existsSync(shared),
      `shared/ is missing: no shared contracts at ${shared} to compare pipelines/contracts with (set MID_SHARED_DIR)`,
    ).toBe(true);
    const files = readdirSync(shared);
    expect(files.length, `shared/ is missing its contracts: ${shared} is empty`).toBeGreaterThan(0);
    for (const f of files) {
      expect(readFileSync(join(import.meta.dirname, '../../pipelines/contracts', f), 'utf8'), f).toBe(
        readFileSync(join(shared, f), 'utf8'),
      );
    }
  });

  it('accepts a minimal valid post', () => {
    expect(validateNormalizedPost(good)).toEqual({ ok: true, post: good });
  });

  it.each([
    ['{"id":', /not valid JSON/],
    [JSON.stringify({ ...good, id: '' }), /^id /],
    [JSON.stringify({ ...good, createdAt: 'yesterday' }), /createdAt must match format "date-time"/],
    [JSON.stringify({ ...good, createdAt: '2023-02-30T10:00:00Z' }), /createdAt/],
    [JSON.stringify({ ...good, author: {} }), /author\.id is required/],
    [JSON.stringify({ ...good, author: { id: 'u', followers: -3 } }), /author\.followers must be >= 0/],
    [JSON.stringify({ ...good, text: 42 }), /text must be string/],
    ['[]', /post must be object/],
  ])('rejects %s with a reason', (line, reason) => {
    const r = parsePostLine(line);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it('accepts a line that starts with a UTF-8 byte order mark (line 1 of a file saved by some editors)', () => {
    expect(parsePostLine(`\ufeff${JSON.stringify(good)}`)).toEqual({ ok: true, post: good });
  });

  it('keeps a post whose only defect is an unusable account creation date, without that date', () => {
    const r = validateNormalizedPost({ ...good, author: { id: 'u1', createdAt: 'gisteren' } });
    expect(r).toEqual({ ok: true, post: { ...good, author: { id: 'u1', createdAt: null } } });
  });
});
