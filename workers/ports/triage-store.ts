// The triage store port: everything the analyst side owns — a read model of the flagged clusters (fed from the
// signals topic by the triage worker, so the list can be filtered and paged without touching the signal store),
// each cluster's triage state (status, close reason, assignee, watchers, labels), notes, reminders, the shift log,
// saved views, users, sessions, API tokens, and an append-only, hash-chained audit log.
// Adapter: workers/adapters/sqlite-triage-store.ts. Contract: test/workers/adapters/triage-store.contract.ts.
// Every state change writes its audit entry in the same transaction, so the log cannot miss a change.
import type { Cluster } from '../../pipelines/types.ts';
import type { Lifecycle } from '../../pipelines/core/lifecycle.ts';

/** Statuses of the triage lifecycle, in behaviour terms (never truth terms). */
export const TRIAGE_STATUSES = ['new', 'triage', 'investigating', 'escalated', 'monitoring', 'closed'] as const;
/** A triage status. */
export type TriageStatus = (typeof TRIAGE_STATUSES)[number];

/** Why a cluster was closed. */
export const CLOSE_REASONS = [
  'coordinated_inauthentic',
  'organic_coordination',
  'insufficient_evidence',
  'duplicate',
  'out_of_scope',
] as const;
/** A close reason. */
export type CloseReason = (typeof CLOSE_REASONS)[number];

/** Roles, each including the rights of the ones before it. */
export const ROLES = ['viewer', 'analyst', 'lead', 'admin'] as const;
/** A role. */
export type Role = (typeof ROLES)[number];

/** True when `have` includes the rights of `need`. */
export function roleAtLeast(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/** A label on a cluster: free text, or a DISARM technique id (T0049) marked observed or assessed. */
export interface Label {
  name: string;
  /** For DISARM ids: seen directly in the evidence, or assessed (inferred). Null for free labels. */
  mode: 'observed' | 'assessed' | null;
}

/** The triage state of one cluster. */
export interface TriageState {
  clusterId: string;
  status: TriageStatus;
  closeReason: CloseReason | null;
  assignee: string | null;
  watchers: string[];
  labels: Label[];
  /** Why the cluster was reopened automatically, while it is open again. */
  reopenReason: string | null;
  /** Post count when it was closed (auto-reopen compares against it). */
  closedPosts: number | null;
  /** Clusters merged into this one by the detector. */
  mergedFrom: string[];
  /** Epoch ms of the last triage change, null when never touched. */
  updatedAtMs: number | null;
}

/** One cluster in the read model, with its triage state. */
export interface ClusterRow {
  cluster: Cluster;
  state: TriageState;
  /** Platforms (post sources) of the members the triage worker saw. */
  platforms: string[];
  /** Epoch ms the triage side first saw the cluster. */
  firstSeenMs: number;
  watermarkMs: number;
}

/** List filters, sorting and keyset paging. */
export interface ClusterQuery {
  status?: TriageStatus[];
  /** A username, or null for unassigned. */
  assignee?: string | null;
  kind?: string;
  minScore?: number;
  maxScore?: number;
  language?: string;
  platform?: string;
  /** Clusters active at or after this time (end ≥ fromMs). */
  fromMs?: number;
  /** Clusters that started at or before this time. */
  toMs?: number;
  label?: string;
  /** Only clusters containing one of these posts (from the signal store's full-text search). */
  postIds?: string[];
  /** Set when the full-text search matched more posts than it passes on: the list may then miss clusters (said). */
  postIdsCapped?: boolean;
  sort?: 'end' | 'score' | 'posts' | 'seen';
  order?: 'asc' | 'desc';
  /** Opaque cursor from a previous page's `next`. */
  after?: string | null;
  /** Default 50. */
  limit?: number;
}

/** One page of clusters. */
export interface ClusterPage {
  items: ClusterRow[];
  /** Cursor of the next page, null at the end. */
  next: string | null;
  /** How many clusters match the filters. */
  total: number;
}

/** A change to a cluster's triage state; fields left out stay as they are. */
export interface StatePatch {
  status?: TriageStatus;
  closeReason?: CloseReason | null;
  assignee?: string | null;
  watchers?: string[];
  labels?: Label[];
}

/** A markdown note on a cluster. */
export interface Note {
  id: number;
  clusterId: string;
  author: string;
  atMs: number;
  markdown: string;
}

/** A follow-up reminder. */
export interface Reminder {
  id: number;
  clusterId: string | null;
  user: string;
  dueMs: number;
  text: string;
  done: boolean;
}

/** A shift log entry (not tied to a cluster). */
export interface ShiftEntry {
  id: number;
  author: string;
  atMs: number;
  text: string;
}

/** A saved list view: a name and the list's query string parameters. */
export interface SavedView {
  id: number;
  owner: string;
  name: string;
  params: Record<string, string>;
  /** Visible to everyone. */
  shared: boolean;
}

/** A local account. */
export interface User {
  username: string;
  role: Role;
  /** argon2id PHC string. */
  passwordHash: string;
  disabled: boolean;
  failedLogins: number;
  /** Locked until this epoch ms (0 = not locked). */
  lockedUntilMs: number;
  /** Preferred language of the interface (reasons, labels, every page). New users get Dutch. */
  lang: 'en' | 'nl';
  createdAtMs: number;
}

/** A login session; `id` is the sha256 of the cookie value, never the value itself. */
export interface Session {
  id: string;
  username: string;
  createdAtMs: number;
  expiresAtMs: number;
}

/** An API token; `hash` is the sha256 of the token. */
export interface ApiToken {
  id: number;
  username: string;
  name: string;
  role: Role;
  hash: string;
  createdAtMs: number;
  revokedAtMs: number | null;
}

/** One audit log entry. `hash` = sha256(prevHash + canonical JSON of the other fields). */
export interface AuditEntry {
  seq: number;
  atMs: number;
  actor: string;
  action: string;
  clusterId: string | null;
  before: unknown;
  after: unknown;
  prevHash: string;
  hash: string;
}

/** An audit entry to append (seq and hashes are the store's). */
export type AuditInput = Pick<AuditEntry, 'atMs' | 'actor' | 'action' | 'clusterId' | 'before' | 'after'>;

/** Outcome of {@link TriageStore.verifyAudit}. */
export interface AuditVerification {
  ok: boolean;
  checked: number;
  /** First entry whose hash or link does not match. */
  firstBadSeq: number | null;
}

/** A cluster update for the read model. */
export interface ClusterIngest {
  cluster: Cluster;
  watermarkMs: number;
  platforms: string[];
}

/** A closed cluster the store reopened because it grew. */
export interface Reopened {
  clusterId: string;
  reason: string;
}

/** The triage store port. */
export interface TriageStore extends Lifecycle {
  /** Which adapter this is. */
  readonly kind: 'sqlite';

  /** Inserts or replaces clusters in the read model (older watermarks lose); reopens closed clusters that grew by `reopenGrowthShare`. */
  ingestClusters(items: ClusterIngest[], options: { nowMs: number; reopenGrowthShare: number }): Promise<Reopened[]>;
  /** Records that `id` was merged into `into`: the survivor keeps its state and shows the absorbed one's history. */
  recordMerge(id: string, into: string, atMs: number): Promise<void>;
  /** Filters, sorts and pages the read model. */
  queryClusters(query: ClusterQuery): Promise<ClusterPage>;
  /** One cluster with its state, or null. */
  getCluster(id: string): Promise<ClusterRow | null>;
  /** How many clusters the triage side first saw after `sinceMs`. */
  countNewSince(sinceMs: number): Promise<number>;

  /** Applies a patch and appends its audit entry (action e.g. "status"); returns the states before and after. */
  updateState(
    clusterId: string,
    patch: StatePatch,
    audit: { actor: string; action: string; atMs: number; note?: string },
  ): Promise<{ before: TriageState; after: TriageState }>;
  /** Adds a note (and its audit entry). */
  addNote(clusterId: string, author: string, markdown: string, atMs: number): Promise<Note>;
  /** Notes of a cluster and of the clusters merged into it, oldest first. */
  listNotes(clusterId: string): Promise<Note[]>;
  /** Adds a reminder (and its audit entry). */
  addReminder(r: Omit<Reminder, 'id' | 'done'>, atMs: number): Promise<Reminder>;
  /** Open reminders of a user, soonest first. */
  listReminders(user: string): Promise<Reminder[]>;
  /** Marks a reminder done; false when it is not the user's or not there. */
  completeReminder(id: number, user: string, atMs: number): Promise<boolean>;
  /** Adds a shift log entry (and its audit entry). */
  addShiftEntry(author: string, text: string, atMs: number): Promise<ShiftEntry>;
  /** Shift log, newest first. */
  listShiftLog(limit: number): Promise<ShiftEntry[]>;
  /** Saves a view. */
  saveView(v: Omit<SavedView, 'id'>): Promise<SavedView>;
  /** Views owned by the user or shared. */
  listViews(user: string): Promise<SavedView[]>;
  /** Deletes a view the user owns; false otherwise. */
  deleteView(id: number, user: string): Promise<boolean>;

  /** Creates a user; throws when the name is taken. */
  createUser(u: User): Promise<void>;
  /** A user or null. */
  getUser(username: string): Promise<User | null>;
  /** All users. */
  listUsers(): Promise<User[]>;
  /** Updates fields of a user; false when there is no such user. */
  updateUser(username: string, patch: Partial<Omit<User, 'username' | 'createdAtMs'>>): Promise<boolean>;
  /** Stores a session. */
  createSession(s: Session): Promise<void>;
  /** A live session or null (expired ones are not returned). */
  getSession(id: string, nowMs: number): Promise<Session | null>;
  /** Deletes one session. */
  deleteSession(id: string): Promise<void>;
  /** Deletes every session of a user (password change, disable). */
  deleteSessionsOf(username: string): Promise<void>;
  /** Stores a token, returns it with its id. */
  createToken(t: Omit<ApiToken, 'id'>): Promise<ApiToken>;
  /** An unrevoked token by its hash, or null. */
  findToken(hash: string): Promise<ApiToken | null>;
  /** Tokens (all users, or one user's). */
  listTokens(username?: string): Promise<ApiToken[]>;
  /** Revokes a token; false when unknown or already revoked. */
  revokeToken(id: number, atMs: number): Promise<boolean>;

  /** Appends an audit entry (for events that are not state changes: logins, reveals, user changes). */
  appendAudit(e: AuditInput): Promise<AuditEntry>;
  /** Audit entries, oldest first; with clusterId, that cluster's and its merged clusters'. */
  listAudit(options?: { clusterId?: string; afterSeq?: number; limit?: number }): Promise<AuditEntry[]>;
  /** Recomputes the hash chain. */
  verifyAudit(): Promise<AuditVerification>;
}

/** Raised when a change is not allowed (unknown cluster, close without reason). Not retriable. */
export class TriageError extends Error {
  override name = 'TriageError';
  readonly retriable = false;
  constructor(
    message: string,
    readonly code: 'not-found' | 'invalid' | 'conflict',
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}
