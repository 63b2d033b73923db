/**
 * Persistence of the agent runtime (002_agents tables). Synchronous better-sqlite3 calls: a state
 * change and its log row are written in one transaction so reports never see one without the other.
 *
 * Runtime rows and open sessions are also kept in memory (write-through): every AMI/ARI event of a
 * call reads them several times (presence, loggedIn, transition) and those reads were a visible part
 * of the daemon's CPU per call. This repository is the only writer of agent_runtime/agent_sessions
 * (admin CLI commands do not touch them), so the cache cannot go stale; a transaction that fails
 * drops it (rows are read again from SQLite), and returned rows are never modified in place: a
 * write replaces the cached object, so a row a caller holds stays a snapshot, as with a fresh read.
 */
import type { AgentStateName } from '../daemon/ports';
import type { Db } from '../store/db';
import type { Statement } from 'better-sqlite3';
import { unitOfWork, type UnitOfWork } from '../store/unit-of-work';

export interface SessionRow {
  id: number;
  extension: string;
  queues: string[];
  penalty: number | null;
  blockDialingInPause: boolean;
  loginAt: number;
  logoutAt: number | null;
}

export interface RuntimeRow {
  extension: string;
  sessionId: number | null;
  state: AgentStateName;
  since: number;
  pauseReason: string | null;
  pauseStatusId: number | null;
  pendingPause: string | null;
  pendingStatusId: number | null;
  currentCallId: string | null;
  currentQueue: string | null;
  connectedAt: number | null;
  missesInRow: number;
  /** When the last miss counted in missesInRow was (null: none since migration 016). */
  lastMissAt: number | null;
  callsTaken: number;
  talkMs: number;
}

export interface StateLogEntry {
  extension: string;
  sessionId: number | null;
  at: number;
  previous: AgentStateName;
  state: AgentStateName;
  reason?: string | null;
  statusId?: number | null;
  callId?: string | null;
  detail?: string | null;
}

const RUNTIME_COLUMNS = `extension, session_id AS sessionId, state, since, pause_reason AS pauseReason,
  pause_status_id AS pauseStatusId, pending_pause AS pendingPause, pending_status_id AS pendingStatusId,
  current_call_id AS currentCallId, current_queue AS currentQueue, connected_at AS connectedAt,
  misses_in_row AS missesInRow, last_miss_at AS lastMissAt, calls_taken AS callsTaken, talk_ms AS talkMs`;

/** Runtime fields that may be patched (column name per field). */
const PATCHABLE: Record<string, string> = {
  sessionId: 'session_id',
  state: 'state',
  since: 'since',
  pauseReason: 'pause_reason',
  pauseStatusId: 'pause_status_id',
  pendingPause: 'pending_pause',
  pendingStatusId: 'pending_status_id',
  currentCallId: 'current_call_id',
  currentQueue: 'current_queue',
  connectedAt: 'connected_at',
  missesInRow: 'misses_in_row',
  lastMissAt: 'last_miss_at',
  callsTaken: 'calls_taken',
  talkMs: 'talk_ms',
};

export type RuntimePatch = Partial<Omit<RuntimeRow, 'extension'>>;

interface SessionDbRow {
  id: number;
  extension: string;
  queues: string;
  penalty: number | null;
  block: number;
  loginAt: number;
  logoutAt: number | null;
}

const toSession = (r: SessionDbRow): SessionRow => ({
  id: r.id,
  extension: r.extension,
  queues: JSON.parse(r.queues) as string[],
  penalty: r.penalty,
  blockDialingInPause: r.block === 1,
  loginAt: r.loginAt,
  logoutAt: r.logoutAt,
});

const SESSION_COLUMNS =
  'id, extension, queues, penalty, block_dialing_in_pause AS block, login_at AS loginAt, logout_at AS logoutAt';

export class AgentRepository {
  /** The connection's unit of work: agent writes join the step (call answer, call end...) they belong to. */
  private readonly uow: UnitOfWork;
  /** The step whose rollback already drops the caches (one hook per step). */
  private hookedStep = -1;

  constructor(private readonly db: Db) {
    this.uow = unitOfWork(db);
  }
  /** Prepared once per SQL text: these run on every AMI/ARI event of a call, and prepare() costs more than the query. */
  private readonly stmts = new Map<string, Statement>();
  /** extension → runtime row (null: no row), filled on first read. */
  private readonly runtimeCache = new Map<string, RuntimeRow | null>();
  /** extension → open session (null: none), filled on first read. */
  private readonly sessionCache = new Map<string, SessionRow | null>();

  /** Forgets every cached row (after a failed transaction: SQLite rolled back, memory must too). */
  private dropCache(): void {
    this.runtimeCache.clear();
    this.sessionCache.clear();
  }

  private sql(text: string): Statement {
    let st = this.stmts.get(text);
    if (!st) {
      st = this.db.prepare(text);
      this.stmts.set(text, st);
    }
    return st;
  }


  /**
   * Runs `fn` in the current step's transaction, or in one of its own. The caches follow the rows:
   * whatever rolls the step back (this fn, a later write of the step, its COMMIT) drops them.
   */
  transaction<T>(fn: () => T): T {
    try {
      return this.uow.run(() => {
        this.watchRollback();
        return fn();
      });
    } catch (err) {
      this.dropCache();
      throw err;
    }
  }

  /** Cached rows written inside a step are dropped if that step does not commit. */
  private watchRollback(): void {
    if (!this.uow.active || this.hookedStep === this.uow.step) return;
    this.hookedStep = this.uow.step;
    this.uow.onRollback(() => this.dropCache());
  }

  openSession(extension: string): SessionRow | undefined {
    const cached = this.sessionCache.get(extension);
    if (cached !== undefined) return cached ?? undefined;
    const r = this.sql(`SELECT ${SESSION_COLUMNS} FROM agent_sessions WHERE extension = ? AND logout_at IS NULL`)
      .get(extension) as SessionDbRow | undefined;
    const session = r ? toSession(r) : undefined;
    this.sessionCache.set(extension, session ?? null);
    return session;
  }

  openSessions(): SessionRow[] {
    return (
      this.sql(`SELECT ${SESSION_COLUMNS} FROM agent_sessions WHERE logout_at IS NULL ORDER BY extension`)
        .all() as SessionDbRow[]
    ).map(toSession);
  }

  createSession(s: { extension: string; queues: string[]; penalty: number | null; block: boolean; at: number }): number {
    this.watchRollback();
    const info = this.sql(
        `INSERT INTO agent_sessions (extension, queues, penalty, block_dialing_in_pause, login_at)
         VALUES (?, ?, ?, ?, ?)`,
      )
      .run(s.extension, JSON.stringify(s.queues), s.penalty, s.block ? 1 : 0, s.at);
    // Read back on the next openSession (logins are rare; the row is then cached).
    this.sessionCache.delete(s.extension);
    return Number(info.lastInsertRowid);
  }

  closeSession(id: number, at: number, reason: string): void {
    this.watchRollback();
    this.sql('UPDATE agent_sessions SET logout_at = ?, logout_reason = ? WHERE id = ?').run(at, reason, id);
    for (const [ext, s] of this.sessionCache) if (s && s.id === id) this.sessionCache.delete(ext);
  }

  runtime(extension: string): RuntimeRow | undefined {
    const cached = this.runtimeCache.get(extension);
    if (cached !== undefined) return cached ?? undefined;
    const row = this.sql(`SELECT ${RUNTIME_COLUMNS} FROM agent_runtime WHERE extension = ?`).get(extension) as
      | RuntimeRow
      | undefined;
    this.runtimeCache.set(extension, row ?? null);
    return row;
  }

  runtimes(): RuntimeRow[] {
    return this.sql(`SELECT ${RUNTIME_COLUMNS} FROM agent_runtime ORDER BY extension`).all() as RuntimeRow[];
  }

  /** Creates the runtime row on first login; later logins reuse it (counters are per day reports). */
  ensureRuntime(extension: string, at: number): RuntimeRow {
    this.watchRollback();
    this.sql(`INSERT OR IGNORE INTO agent_runtime (extension, state, since) VALUES (?, 'offline', ?)`)
      .run(extension, at);
    this.runtimeCache.delete(extension);
    return this.runtime(extension) as RuntimeRow;
  }

  patchRuntime(extension: string, patch: RuntimePatch): void {
    const keys = Object.keys(patch).filter((k) => k in PATCHABLE);
    if (!keys.length) return;
    const set = keys.map((k) => `${PATCHABLE[k]} = @${k}`).join(', ');
    const params: Record<string, unknown> = { extension };
    for (const k of keys) params[k] = (patch as Record<string, unknown>)[k] ?? null;
    this.watchRollback();
    const info = this.sql(`UPDATE agent_runtime SET ${set} WHERE extension = @extension`).run(params);
    const cached = this.runtimeCache.get(extension);
    if (cached && info.changes === 1) {
      // A new object: rows handed out before stay what they were (as a fresh SELECT would).
      const next = { ...cached } as Record<string, unknown>;
      for (const k of keys) next[k] = params[k];
      this.runtimeCache.set(extension, next as unknown as RuntimeRow);
    } else {
      this.runtimeCache.delete(extension);
    }
  }

  logState(e: StateLogEntry): void {
    this.sql(
        `INSERT INTO agent_state_log (extension, session_id, at, previous, state, reason, status_id, call_id, detail)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        e.extension,
        e.sessionId,
        e.at,
        e.previous,
        e.state,
        e.reason ?? null,
        e.statusId ?? null,
        e.callId ?? null,
        e.detail ?? null,
      );
  }

  stateLog(extension: string, limit = 100): StateLogEntry[] {
    return this.sql(
        `SELECT extension, session_id AS sessionId, at, previous, state, reason, status_id AS statusId,
                call_id AS callId, detail
         FROM agent_state_log WHERE extension = ? ORDER BY id DESC LIMIT ?`,
      )
      .all(extension, limit) as StateLogEntry[];
  }
}
