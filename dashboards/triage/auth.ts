// Accounts, passwords, sessions and API tokens of the triage application. Passwords are hashed with argon2id
// (@node-rs/argon2: a memory-hard function, OWASP parameters, prebuilt binaries shipped as npm packages). Session
// cookies and API tokens are random 256-bit values; the store keeps only their sha256, so a copied database does
// not yield a working session. Repeated failures lock the account for a while; a locked account stays locked for
// the whole period even when the right password is given.
import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Role, TriageStore, User } from '../../workers/ports/triage-store.ts';
import { DEFAULT_LANG } from './i18n/index.ts';

/** A signed-in principal, from a session cookie or an API token. */
export interface Principal {
  username: string;
  role: Role;
  lang: 'en' | 'nl';
  via: 'session' | 'token';
  /** sha256 of the session cookie (sessions only). */
  sessionId?: string;
}

/** Hashes a password with argon2id (19 MiB, 2 passes: OWASP's minimum recommendation). */
export function hashPassword(password: string): Promise<string> {
  return hash(password, {
    algorithm: 2 /* Algorithm.Argon2id (a const enum, not importable under isolatedModules) */,
    memoryCost: 19_456,
    timeCost: 2,
    parallelism: 1,
  });
}

/** Checks a password against its argon2 PHC string; false on any malformed hash. */
export async function verifyPassword(phc: string, password: string): Promise<boolean> {
  try {
    return await verify(phc, password);
  } catch {
    return false;
  }
}

/** A random secret (session cookie, API token, one-time password), base64url. */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** sha256 hex of a secret: what the store keeps. */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Usernames: short, printable, no spaces (they appear in the audit log and in filters). */
export const USERNAME_PATTERN = '^[a-zA-Z0-9._-]{2,40}$';

/** Lockout settings. */
export interface LockoutPolicy {
  lockoutFailures: number;
  lockoutMinutes: number;
}

/** Outcome of {@link authenticate}. */
export type LoginOutcome = { ok: true; user: User } | { ok: false; reason: 'invalid' | 'locked' | 'disabled' };

// Verifying against a real hash when the user does not exist keeps the timing of "no such user" like "wrong password".
let dummyHash: Promise<string> | null = null;

/** Checks a login, counting failures and locking the account after `lockoutFailures` in a row. */
export async function authenticate(
  store: TriageStore,
  username: string,
  password: string,
  nowMs: number,
  policy: LockoutPolicy,
): Promise<LoginOutcome> {
  const user = await store.getUser(username);
  if (!user) {
    dummyHash ??= hashPassword(newSecret());
    await verifyPassword(await dummyHash, password);
    return { ok: false, reason: 'invalid' };
  }
  if (user.lockedUntilMs > nowMs) return { ok: false, reason: 'locked' };
  const good = await verifyPassword(user.passwordHash, password);
  if (user.disabled) return { ok: false, reason: 'disabled' };
  if (!good) {
    const failed = user.failedLogins + 1;
    const lock = failed >= policy.lockoutFailures;
    await store.updateUser(username, {
      failedLogins: lock ? 0 : failed,
      lockedUntilMs: lock ? nowMs + policy.lockoutMinutes * 60_000 : 0,
    });
    return { ok: false, reason: lock ? 'locked' : 'invalid' };
  }
  if (user.failedLogins !== 0 || user.lockedUntilMs !== 0)
    await store.updateUser(username, { failedLogins: 0, lockedUntilMs: 0 });
  return { ok: true, user };
}

/** Creates a user with a random one-time password and returns the password (shown once, never stored in clear). */
export async function createUserWithPassword(
  store: TriageStore,
  username: string,
  role: Role,
  nowMs: number,
  password = newSecret(15),
): Promise<string> {
  await store.createUser({
    username,
    role,
    passwordHash: await hashPassword(password),
    disabled: false,
    failedLogins: 0,
    lockedUntilMs: 0,
    lang: DEFAULT_LANG,
    createdAtMs: nowMs,
  });
  return password;
}

/** When there are no users yet, creates `admin` with a random password and returns it; otherwise null. */
export async function ensureFirstAdmin(store: TriageStore, nowMs: number): Promise<string | null> {
  if ((await store.listUsers()).length > 0) return null;
  const password = await createUserWithPassword(store, 'admin', 'admin', nowMs);
  await store.appendAudit({
    atMs: nowMs,
    actor: 'system',
    action: 'user-create',
    clusterId: null,
    before: null,
    after: { username: 'admin', role: 'admin', firstStart: true },
  });
  return password;
}
