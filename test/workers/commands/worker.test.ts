// `mid worker`: several names at once, and a one-line usage message with exit 2 for no or unknown names.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../workers/cli.ts';

describe('mid worker', () => {
  afterEach(() => vi.restoreAllMocks());

  it('refuses no name and unknown names with the usage line and exit 2', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await main(['worker'])).toBe(2);
    expect(String(err.mock.calls.at(-1)?.[0])).toContain(
      'usage: mid worker <connectors|enrich|detect|index|alerts|triage|reports|all> [more names]',
    );
    err.mockClear();
    expect(await main(['worker', 'enrich', 'detekt'])).toBe(2);
    expect(String(err.mock.calls[0]?.[0])).toContain('mid worker: unknown worker detekt');
  });
});
