// The pseudonymisation key: explicit key wins, embedded mode keeps one generated key, cluster mode refuses without.
import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../workers/config.ts';
import { KEY_FILE, resolvePseudonymKey } from '../../workers/pseudonym-key.ts';

describe('resolvePseudonymKey', () => {
  it('uses MID_PSEUDONYM_KEY when set', () => {
    const config = loadConfig({ env: { MID_PSEUDONYM_KEY: 'a-secret-of-enough-length' } });
    expect(resolvePseudonymKey(config)).toBe('a-secret-of-enough-length');
  });

  it('is null when pseudonymisation is off', () => {
    expect(resolvePseudonymKey(loadConfig({ env: { MID_PSEUDONYMIZE: 'false' } }))).toBeNull();
  });

  it('generates one key in embedded mode and reuses it on the next run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mid-key-'));
    const config = loadConfig({ env: { MID_DATA_DIR: dir } });
    const first = resolvePseudonymKey(config);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(resolvePseudonymKey(config)).toBe(first);
    expect(statSync(join(dir, KEY_FILE)).mode & 0o077).toBe(0);
  });

  it('refuses cluster mode without a key', () => {
    const config = loadConfig({ env: { MID_BUS: 'kafka', MID_KAFKA_BROKERS: 'localhost:9092' } });
    expect(() => resolvePseudonymKey(config)).toThrow(ConfigError);
  });

  it('rejects a short key at config load', () => {
    expect(() => loadConfig({ env: { MID_PSEUDONYM_KEY: 'short' } })).toThrow(/pseudonymize\.key/);
  });

  it('replaces a too-short key file and makes it owner-only, also when it existed with mode 0644', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mid-key-'));
    writeFileSync(join(dir, KEY_FILE), 'short\n', { mode: 0o644 });
    chmodSync(join(dir, KEY_FILE), 0o644);
    const key = resolvePseudonymKey(loadConfig({ env: { MID_DATA_DIR: dir } }));
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(join(dir, KEY_FILE)).mode & 0o777).toBe(0o600);
  });
});
