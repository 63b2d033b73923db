/**
 * Blocked caller numbers (table `blocklist`, 001_core). A block is in force while
 * `expires_at IS NULL OR expires_at > now`: expiry needs no job to take effect; the cron cleanup
 * (src/prank/cleanup.ts) only removes dead rows. Internal numbers (agent extensions of 4-5 digits,
 * 3-digit services) are never blocked.
 */
import type { Db } from '../store/db';
import type { Clock } from '../util/clock';
import { invalid, notFound } from '../util/errors';

export interface BlockEntry {
  number: string;
  reason: string;
  callId: string | null;
  blockedBy: string | null;
  createdAt: number;
  expiresAt: number | null;
}

interface Row {
  number: string;
  reason: string;
  call_id: string | null;
  blocked_by: string | null;
  created_at: number;
  expires_at: number | null;
}

const toEntry = (r: Row): BlockEntry => ({
  number: r.number,
  reason: r.reason,
  callId: r.call_id,
  blockedBy: r.blocked_by,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
});

/** Agent extensions (4-5 digits) and services (3 digits) are ours: a prank never blocks them. */
export function isInternalNumber(number: string): boolean {
  return /^\d{3,5}$/.test(number);
}

/** Canonical form used as the key: digits only, optional leading '+' dropped. */
export function normalizeBlockNumber(raw: string): string {
  const v = String(raw ?? '').trim().replace(/^\+/, '').replace(/[\s().-]/g, '');
  if (!/^\d{3,20}$/.test(v)) throw invalid(`number must be 3-20 digits (got "${raw}")`, { field: 'number' });
  return v;
}

export class Blocklist {
  constructor(private readonly deps: { db: Db; clock: Clock }) {}

  /** The block in force for this caller, if any (expired rows are ignored even before cleanup). */
  active(rawNumber: string | undefined): BlockEntry | undefined {
    if (!rawNumber) return undefined;
    const number = rawNumber.trim().replace(/^\+/, '');
    if (number === '') return undefined;
    const row = this.deps.db
      .prepare('SELECT * FROM blocklist WHERE number = ? AND (expires_at IS NULL OR expires_at > ?)')
      .get(number, this.deps.clock.now()) as Row | undefined;
    return row ? toEntry(row) : undefined;
  }

  isBlocked(number: string | undefined): boolean {
    return this.active(number) !== undefined;
  }

  /**
   * Blocks (or re-blocks, extending) a number. `minutes` undefined/null = until removed.
   * Internal numbers are refused with a clear error.
   */
  add(input: { number: string; reason: string; minutes?: number | null; callId?: string; blockedBy?: string }): BlockEntry {
    const number = normalizeBlockNumber(input.number);
    if (isInternalNumber(number)) {
      throw invalid(`${number} is an internal number (extension or service) and is never blocked`, {
        field: 'number',
      });
    }
    if (input.minutes !== undefined && input.minutes !== null && (!Number.isInteger(input.minutes) || input.minutes < 1)) {
      throw invalid('minutes must be a positive integer', { field: 'minutes' });
    }
    const reason = (input.reason ?? '').trim();
    if (!reason) throw invalid('reason is required', { field: 'reason' });
    const now = this.deps.clock.now();
    const expiresAt = input.minutes ? now + input.minutes * 60_000 : null;
    this.deps.db
      .prepare(
        `INSERT INTO blocklist (number, reason, call_id, blocked_by, created_at, expires_at)
         VALUES (@number, @reason, @callId, @blockedBy, @now, @expiresAt)
         ON CONFLICT(number) DO UPDATE SET reason = excluded.reason, call_id = excluded.call_id,
           blocked_by = excluded.blocked_by, created_at = excluded.created_at, expires_at = excluded.expires_at`,
      )
      .run({ number, reason, callId: input.callId ?? null, blockedBy: input.blockedBy ?? null, now, expiresAt });
    return { number, reason, callId: input.callId ?? null, blockedBy: input.blockedBy ?? null, createdAt: now, expiresAt };
  }

  remove(rawNumber: string): void {
    const number = normalizeBlockNumber(rawNumber);
    const res = this.deps.db.prepare('DELETE FROM blocklist WHERE number = ?').run(number);
    if (res.changes === 0) throw notFound(`${number} is not blocked`, { number });
  }

  /** Blocks in force (expired ones are hidden even if cleanup has not run yet). */
  list(): BlockEntry[] {
    const rows = this.deps.db
      .prepare('SELECT * FROM blocklist WHERE expires_at IS NULL OR expires_at > ? ORDER BY created_at DESC')
      .all(this.deps.clock.now()) as Row[];
    return rows.map(toEntry);
  }

  /** Deletes expired rows; returns how many. */
  purgeExpired(): number {
    return this.deps.db
      .prepare('DELETE FROM blocklist WHERE expires_at IS NOT NULL AND expires_at <= ?')
      .run(this.deps.clock.now()).changes;
  }
}
