/**
 * Blocked caller numbers (table `blocklist`, 001_core). A block is in force while
 * `expires_at IS NULL OR expires_at > now`: expiry needs no job to take effect; the cron cleanup
 * (src/prank/cleanup.ts) only removes dead rows. Internal numbers (agent extensions of 4-5 digits,
 * 3-digit services) are never blocked.
 *
 * Numbers are stored and compared in ONE canonical form (canonicalNumber): E.164 digits with the
 * DDI, national numbers completed with policy.default_country_code. So a block entered as
 * 11999990000 also stops +5511999990000, 5511999990000 and 011999990000, and the reverse. Rows
 * written before this rule are normalized once per database (merged, nothing lost).
 */
import type { Db } from '../store/db';
import type Database from 'better-sqlite3';
import type { Clock } from '../util/clock';
import { invalid, notFound } from '../util/errors';
import { compactNumber, lengthProblem, parsePhone, type ParsedPhone } from '../dialing/phone';

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

/**
 * Canonical caller number: E.164 digits with the DDI (no '+'), read by the shared parser
 * (src/dialing/phone.ts) so a block matches every way the same number can be written:
 * - "+<DDI>..." and "00<DDI>..." carry their DDI; a trunk prefix after it ("+44 (0)7911...") is dropped;
 * - 3-5 digits are internal numbers (extensions, services): kept as they are;
 * - national numbers get `countryCode`, without the trunk prefix (and Brazil's carrier code); a
 *   leading DDI typed without '+' counts only where the number is valid just that way;
 * - a number whose length fits no number of its country (short local numbers, "+1000") is kept as
 *   its digits: no DDI can be told, and it must still match the same caller id next time.
 * Unlike dialing, no policy and no Brazilian DDD/mobile rules apply: a block must match whatever
 * caller id the network sends, valid or not.
 * Throws `invalid` when the input is not 3-20 digits (formatting characters and a leading + allowed).
 */
export function canonicalNumber(raw: string, countryCode = '55'): string {
  let v = '';
  try {
    v = compactNumber(raw);
  } catch {
    // "anonymous", empty, injection attempts: one message for all, the contract callers rely on
  }
  if (!/^\+?\d{3,20}$/.test(v)) throw invalid(`number must be 3-20 digits (got "${raw}")`, { field: 'number' });
  const digits = v.startsWith('+') ? v.slice(1) : v.startsWith('00') ? v.slice(2) : v;
  if (digits === v && isInternalNumber(v)) return v;
  let parsed: ParsedPhone;
  try {
    parsed = parsePhone(v, { defaultDdi: countryCode });
  } catch {
    return digits; // unknown country code: nothing better than the digits
  }
  return lengthProblem(parsed.ddi, parsed.national) ? digits : parsed.ddi + parsed.national;
}

export interface BlocklistDeps {
  db: Db;
  clock: Clock;
  /** policy.default_country_code completes national numbers (default 55). */
  config?: { policy: { default_country_code: string } };
}

/** Distinct caller ids whose canonical form is remembered (a pure function of the raw text). */
const CANONICAL_CACHE_SIZE = 4096;

export class Blocklist {
  private normalized = false;
  /**
   * raw caller id → canonical number (null: not a number). Every queue call asks isBlocked() once or
   * twice, and libphonenumber's parse was ~9 % of the daemon's CPU per call in the bench profile.
   */
  private readonly canonicalCache = new Map<string, string | null>();
  private activeStmt?: Database.Statement<[string, number]>;
  private anyStmt?: Database.Statement<[]>;

  constructor(private readonly deps: BlocklistDeps) {}

  private get countryCode(): string {
    return this.deps.config?.policy.default_country_code ?? '55';
  }

  /** Canonical form of a number with this installation's DDI (throws invalid on bad input). */
  canonical(raw: string): string {
    return canonicalNumber(raw, this.countryCode);
  }

  /**
   * Rows stored before canonical numbers (migration 005 marks them canonical = 0) are rewritten
   * once per database: a row whose canonical twin exists is merged into it, keeping the block that
   * lasts longer. Canonical rows are never re-read: E.164 digits without '+' can look like a
   * national number ("4930123456": Berlin, or DDD 49 in Brazil), so re-reading them would move a
   * foreign block to a Brazilian number.
   */
  private ensureNormalized(): void {
    if (this.normalized) return;
    this.normalized = true;
    const { db } = this.deps;
    // Nearly always nothing to do: then no write transaction either.
    if (!db.prepare('SELECT 1 FROM blocklist WHERE canonical = 0 LIMIT 1').get()) return;
    const lasts = (e: number | null) => (e === null ? Number.POSITIVE_INFINITY : e);
    // IMMEDIATE: the daemon and a CLI command may both start this at once; one does it.
    db.transaction(() => {
      const rows = db.prepare('SELECT * FROM blocklist WHERE canonical = 0').all() as Row[];
      for (const from of rows) {
        let to: string;
        try {
          to = this.canonical(from.number);
        } catch {
          continue; // not a number we could ever match: leave it for an operator to see and remove
        }
        if (to === from.number) continue;
        const twin = db.prepare('SELECT * FROM blocklist WHERE number = ?').get(to) as Row | undefined;
        if (!twin) {
          db.prepare('UPDATE blocklist SET number = ? WHERE number = ?').run(to, from.number);
          continue;
        }
        if (lasts(from.expires_at) > lasts(twin.expires_at)) {
          db.prepare(
            'UPDATE blocklist SET reason = ?, call_id = ?, blocked_by = ?, created_at = ?, expires_at = ? WHERE number = ?',
          ).run(from.reason, from.call_id, from.blocked_by, from.created_at, from.expires_at, to);
        }
        db.prepare('DELETE FROM blocklist WHERE number = ?').run(from.number);
      }
      db.prepare('UPDATE blocklist SET canonical = 1 WHERE canonical = 0').run();
    }).immediate();
  }

  /** The block in force for this caller, if any (expired rows are ignored even before cleanup). */
  active(rawNumber: string | undefined): BlockEntry | undefined {
    if (!rawNumber) return undefined;
    // An empty list (the usual case) matches nothing: skip the canonical form, a libphonenumber parse
    // (~2.4 % of the daemon's CPU per queue call, caller ids rarely repeat). Read from the DB each
    // time: the CLI adds blocks through its own connection.
    this.anyStmt ??= this.deps.db.prepare('SELECT 1 FROM blocklist LIMIT 1');
    if (this.anyStmt.get() === undefined) return undefined;
    const number = this.canonicalOrNull(rawNumber);
    // null: "anonymous", empty or garbage caller id: nothing can match it
    if (number === null || isInternalNumber(number)) return undefined;
    this.ensureNormalized();
    this.activeStmt ??= this.deps.db.prepare('SELECT * FROM blocklist WHERE number = ? AND (expires_at IS NULL OR expires_at > ?)');
    const row = this.activeStmt.get(number, this.deps.clock.now()) as Row | undefined;
    return row ? toEntry(row) : undefined;
  }

  private canonicalOrNull(raw: string): string | null {
    let hit = this.canonicalCache.get(raw);
    if (hit !== undefined) return hit;
    try {
      hit = this.canonical(raw);
    } catch {
      hit = null;
    }
    if (this.canonicalCache.size >= CANONICAL_CACHE_SIZE) this.canonicalCache.delete(this.canonicalCache.keys().next().value as string);
    this.canonicalCache.set(raw, hit);
    return hit;
  }

  isBlocked(number: string | undefined): boolean {
    return this.active(number) !== undefined;
  }

  /**
   * Blocks (or re-blocks, extending) a number. `minutes` undefined/null = until removed.
   * Internal numbers are refused with a clear error.
   */
  add(input: { number: string; reason: string; minutes?: number | null; callId?: string; blockedBy?: string }): BlockEntry {
    const number = this.canonical(input.number);
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
    this.ensureNormalized();
    const now = this.deps.clock.now();
    const expiresAt = input.minutes ? now + input.minutes * 60_000 : null;
    this.deps.db
      .prepare(
        `INSERT INTO blocklist (number, reason, call_id, blocked_by, created_at, expires_at, canonical)
         VALUES (@number, @reason, @callId, @blockedBy, @now, @expiresAt, 1)
         ON CONFLICT(number) DO UPDATE SET reason = excluded.reason, call_id = excluded.call_id,
           blocked_by = excluded.blocked_by, created_at = excluded.created_at, expires_at = excluded.expires_at,
           canonical = 1`,
      )
      .run({ number, reason, callId: input.callId ?? null, blockedBy: input.blockedBy ?? null, now, expiresAt });
    return { number, reason, callId: input.callId ?? null, blockedBy: input.blockedBy ?? null, createdAt: now, expiresAt };
  }

  /** Unblocks any form of a number; returns the canonical form that was stored (for the answer). */
  remove(rawNumber: string): string {
    const number = this.canonical(rawNumber);
    this.ensureNormalized();
    const res = this.deps.db.prepare('DELETE FROM blocklist WHERE number = ?').run(number);
    if (res.changes === 0) throw notFound(`${number} is not blocked`, { number });
    return number;
  }

  /** Blocks in force (expired ones are hidden even if cleanup has not run yet). */
  list(): BlockEntry[] {
    this.ensureNormalized();
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
